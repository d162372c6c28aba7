"""Benchmark the uncertainty tools: a projection ensemble, the Jevons decomposition, a back-test.

Usage::

    python benchmarks/bench_projection.py [--model flywheel] [--members 500] [--repeat 3]

Prints the best wall time of `repeat` calls of:

* :func:`flywheel.project` with `members` Latin-hypercube members over the
  model's uncertainty file (one vectorised Euler run of `members` scenarios),
  and of one run of the model alone (Euler), so the ensemble's cost per
  member is visible;
* :func:`flywheel.jevons_decomposition` (a base run and three counterfactuals
  in one call);
* :func:`flywheel.backtest` with its default cutoff, once (a fit and an
  ensemble), when the model has calibrated constants in its uncertainty file.

Examples
--------
>>> main(["--members", "100", "--repeat", "1"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import time

from timing import best

import flywheel


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="flywheel")
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    model = flywheel.load(args.model)
    flywheel.simulate(model, method="euler")  # compile once, outside the timings
    one = best(lambda: flywheel.simulate(model, method="euler"), args.repeat)
    ensemble = best(lambda: flywheel.project(model, n=args.members, seed=0), args.repeat)
    print(f"{model.name}: one Euler run {one:.2f} s; project, {args.members} members "
          f"{ensemble:.2f} s ({ensemble / one:.1f} runs' time, "
          f"{1e3 * ensemble / args.members:.1f} ms a member)")
    spec = flywheel.experiments.load_uncertainty(model)
    if spec.jevons is not None:
        parts = best(lambda: flywheel.jevons_decomposition(model), args.repeat)
        print(f"jevons_decomposition (4 runs, 2 calls): {parts:.2f} s")
    if any(p.calibrated for p in spec.parameters):
        start = time.perf_counter()
        result = flywheel.backtest(model, n=args.members, seed=0)
        elapsed = time.perf_counter() - start
        print(f"backtest (fit of {len(result.fit.parameters)} constants, {result.fit.nfev} "
              f"evaluations, ensemble of {args.members}): {elapsed:.1f} s")


if __name__ == "__main__":
    main()
