"""What checking every state for non-finite values costs (docs/reliability.md, "Runs").

Euler and RK4 test ``np.isfinite(state).all()`` after every step; this script
sets that test beside one evaluation of the research model's rates, for one
run and for a batch of 1000 scenarios.

Run: ``python benchmarks/bench_checks.py``
"""

from __future__ import annotations

import numpy as np
from timing import best

import flywheel


def main() -> None:
    compiled = flywheel.load("flywheel").compiled
    for n in (1, 1000):
        params = {"Learning Rate": np.full(n, 0.2)} if n > 1 else {}
        bound = compiled.bind(params, compiled.controls())
        y = bound.y0
        with np.errstate(all="ignore"):
            rates = best(lambda: [bound.rhs(2020.0, y) for _ in range(100)]) / 100
            check = best(lambda: [np.isfinite(y).all() for _ in range(1000)]) / 1000
        print(f"N = {n:>4}: rates {rates * 1e6:8.1f} us, finite check {check * 1e6:6.2f} us "
              f"a step ({100 * check / rates:.2f}% of an Euler step)")


if __name__ == "__main__":
    main()
