"""Benchmark subscripts: a generated model with one range of N elements, compiled engine vs PySD.

Usage::

    python benchmarks/bench_subscripts.py [--elements 1000] [--repeat 3]

The model (written to a temporary folder) has one range of N elements: a
subscripted stock with births, deaths and migration towards the mean (SUM,
ELMCOUNT), a SMOOTH per element, VMAX, a list constant of N values and an
equation per element for one of them. It prints, in one run:

* the time to compile the parsed model (:func:`flywheel.compiler.compile_model`,
  on a fresh cache), beside PySD's parse, which both engines share;
* the time of one Euler run through :func:`flywheel.simulate` (input checks
  and Dataset included) with the compiled engine (best of `--repeat`) and
  with PySD's (one run: it takes minutes at 1,000 elements), their ratio,
  and the largest relative difference between the two runs.

Examples
--------
>>> main(["--elements", "50", "--repeat", "1"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from timing import best, timed  # noqa: E402

import flywheel  # noqa: E402
import flywheel.compiler  # noqa: E402

_CONTROL = """
FINAL TIME = 100 ~ Year ~ |
INITIAL TIME = 0 ~ Year ~ |
SAVEPER = 1 ~ Year ~ |
TIME STEP = 0.25 ~ Year ~ |
"""


def model_text(n: int) -> str:
    """A Vensim model with one range of `n` elements (see the module)."""
    items = ", ".join(f"R{i}" for i in range(1, n + 1))
    initial = ", ".join(repr(float(100 + i % 17)) for i in range(n))
    return f"""{{UTF-8}}
Region: {items} ~ ~ |
Initial Population[Region] = {initial} ~ people ~ |
Birth Rate[Region] = 0.02 ~ 1/Year ~ |
Lifetime = 60 ~ Year ~ |
Mixing = 0.05 ~ 1/Year ~ |
Population[Region] = INTEG(Births[Region] - Deaths[Region] + Migration[Region],
    Initial Population[Region]) ~ people ~ |
Births[Region] = Population[Region] * Birth Rate[Region] ~ people/Year ~ |
Deaths[Region] = Population[Region] / Lifetime ~ people/Year ~ |
Mean Population = SUM(Population[Region!]) / ELMCOUNT(Region) ~ people ~ |
Migration[Region] = (Mean Population - Population[Region]) * Mixing ~ people/Year ~ |
Perceived Births[Region] = SMOOTH(Births[Region], 2) ~ people/Year ~ |
Largest = VMAX(Population[Region!]) ~ people ~ |
{_CONTROL}"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--elements", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"subscripts_{args.elements}.mdl"
        path.write_text(model_text(args.elements))
        model, parse = timed(lambda: flywheel.load(path))

        def compile_fresh():
            flywheel.compiler._CACHE.clear()
            return flywheel.compiler.compile_model(model.abstract)

        compile_time = best(compile_fresh, args.repeat)
        model.compiled  # noqa: B018 -- compiled once, as every run after the first
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PySD's own warnings about the generated model
            reference, pysd = timed(lambda: flywheel.simulate(model, engine="pysd"))  # once: slow
        result = flywheel.simulate(model, method="euler")
        compiled = best(lambda: flywheel.simulate(model, method="euler"), args.repeat)
    worst = max(float(np.nanmax(np.abs(result[v] - reference[v])
                                 / np.maximum(np.abs(reference[v]), 1e-300)))
                for v in reference.data_vars)
    steps = round(100 / 0.25)
    print(f"model: 1 range of {args.elements} elements, {len(model.compiled.stock_names)} "
          f"state rows, {steps} Euler steps, {len(result['time'])} saved times")
    print(f"PySD parse (shared): {parse:.2f} s; compile: {compile_time * 1e3:.0f} ms")
    print(f"run, compiled (numpy, Euler): {compiled * 1e3:.0f} ms; PySD: {pysd * 1e3:.0f} ms; "
          f"speed-up x{pysd / compiled:.1f}")
    print(f"largest relative difference to PySD's run: {worst:.1e}")


if __name__ == "__main__":
    main()
