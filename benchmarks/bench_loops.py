"""Benchmark Loops That Matter against a plain compiled run, and pysimlin's LTM against its own.

Usage::

    python benchmarks/bench_loops.py [--model models/flywheel.mdl] [--repeat 7]

Prints best-of-N wall times and ratios, for one model (the research model,
2020-2040, by default):

* **plain**: :func:`flywheel.simulate` with the compiled engine, Euler at the
  model's TIME STEP (the stepping Loops That Matter uses), and with the
  default method (RK45); Dataset included, as a user gets it.
* **dominance, first call**: :func:`flywheel.loop_dominance` on a freshly
  loaded Model (loading, i.e. PySD parsing the file, is not timed): causal graph, loop enumeration, link polarity measured along
  the default run, the Euler run at every TIME STEP, every link and loop
  score, the Dataset. (Compilation is cached per model file in both.)
* **dominance, repeated**: the same model with a new parameter value each
  call, so every call integrates again; the loops are reused.
* **pysimlin**: ``model.run(analyze_loops=True)`` against
  ``model.run(analyze_loops=False)`` on the same file. pysimlin reads only
  the standard Vensim sketch layout (each view after its own header), so the
  benchmark gives it a copy in that layout; equations are untouched.

The target is dominance at most 3x a plain compiled run.
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

from timing import best  # a sibling module: run the scripts as python benchmarks/NAME.py

__all__ = ["main"]

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = ROOT / "models" / "flywheel.mdl"
def _simlin(path: Path, repeat: int) -> tuple[str, float | None]:
    try:
        import simlin
    except ImportError:
        return "pysimlin is not installed (pip install pysimlin)", None
    try:
        model = simlin.load(path)
        model.run(analyze_loops=False)
    except Exception as error:  # pysimlin's error types vary
        return f"pysimlin cannot run this model: {error}", None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run = model.run(analyze_loops=True)
    mode = getattr(run, "ltm_mode", "?")
    note = f" (LTM mode {mode!r}, {len(run.loops)} loops scored"
    note += "; " + str(caught[0].message).split(",")[0] if caught else ""
    note += ")"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = best(lambda: model.run(analyze_loops=False), repeat)
        ltm = best(lambda: model.run(analyze_loops=True), repeat)
    text = (f"pysimlin: plain {plain * 1e3:8.2f} ms   LTM {ltm * 1e3:8.2f} ms   "
            f"ratio {ltm / plain:5.1f}x{note}")
    return text, ltm / plain


def main(argv=None) -> dict:
    """Run the benchmark, print a report, return the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    if not args.model.is_file():
        raise SystemExit(f"no model file at {args.model}")

    import flywheel

    model = flywheel.load(args.model)
    counter = iter(range(10**6))
    knob = next((n for n in ("Learning Rate", "Price Elasticity of Demand")
                 if n in model.constants), next(iter(model.constants)))
    default = model.constants[knob]

    def nudged():
        return {knob: default * (1 + 1e-6 * next(counter))}

    flywheel.simulate(model, method="euler")  # compile once for everyone
    loops = flywheel.feedback_loops(model)
    euler = best(lambda: flywheel.simulate(model, method="euler", params=nudged()),
                  args.repeat)
    rk45 = best(lambda: flywheel.simulate(model, params=nudged()), args.repeat)
    fresh = iter([flywheel.load(args.model) for _ in range(args.repeat)])  # parsing not timed
    first = best(lambda: flywheel.loop_dominance(next(fresh)), args.repeat)
    again = best(lambda: flywheel.loop_dominance(model, params=nudged()), args.repeat)
    control = model.control
    steps = int(round((control["FINAL TIME"] - control["INITIAL TIME"]) / control["TIME STEP"]))
    print(f"model {model.name}: {control['INITIAL TIME']:g}-{control['FINAL TIME']:g}, "
          f"TIME STEP {control['TIME STEP']:g} ({steps} steps), {len(loops)} loops "
          f"({loops.method}), {loops.graph.number_of_edges()} links; best of {args.repeat}")
    print(f"plain compiled run, Euler at TIME STEP  {euler * 1e3:8.1f} ms")
    print(f"plain compiled run, RK45 (default)      {rk45 * 1e3:8.1f} ms")
    print(f"loop_dominance, first call on a model   {first * 1e3:8.1f} ms   "
          f"{first / euler:4.1f}x Euler run, {first / rk45:4.1f}x RK45 run")
    print(f"loop_dominance, repeated (new params)   {again * 1e3:8.1f} ms   "
          f"{again / euler:4.1f}x Euler run, {again / rk45:4.1f}x RK45 run")
    text, simlin_ratio = _simlin(args.model, args.repeat)
    print(text)
    return {"first_vs_euler": first / euler, "repeat_vs_euler": again / euler,
            "first_vs_rk45": first / rk45, "repeat_vs_rk45": again / rk45,
            "pysimlin": simlin_ratio}


if __name__ == "__main__":
    main()
