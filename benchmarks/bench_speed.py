"""Issue 14's figures, each as a ratio against pysimlin and PySD measured in the same run.

Usage::

    python benchmarks/bench_speed.py [MODEL ...] [--scenarios 10000] [--repeat 5]

MODEL defaults to the current research model and the archived version 1
(``models/flywheel.mdl models/archive/flywheel_v1.mdl``). Every timing is the
best of ``--repeat`` calls (the least disturbed by other load); start-up
figures are the best of fresh processes. For each model it prints one
Markdown table:

* start-up: ``import flywheel``, ``flywheel --help``, ``flywheel models``;
  a new process's first default run of the model (kernel cached on disk);
* the default run ``flywheel.simulate(model)`` (compiled RK45 kernel), the
  engine alone and the Dataset wrapping, against pysimlin's and PySD's run;
* batches of ``--scenarios`` scenarios (a Latin hypercube over the feedback
  strengths, yearly output): Euler at TIME STEP and rk4 at 1/8 year, per
  scenario against pysimlin's and PySD's run of one scenario; 1,000 RK45
  scenarios on the kernel (error per scenario) against today's numpy path
  (one shared step sequence);
* ``loop_dominance`` of the model (its loops found once), alone and with
  ``loop_families`` (the summary a slider shows), against the default run.

Examples
--------
>>> main(["tests/models/teacup.mdl", "--scenarios", "100"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from baselines import per_run  # sibling modules: run the scripts as python benchmarks/NAME.py
from timing import best

__all__ = ["main"]

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODELS = [ROOT / "models" / "flywheel.mdl", ROOT / "models" / "archive" / "flywheel_v1.mdl"]


def _fresh(code: str, repeat: int) -> float:
    """Best wall time of `code` in a new Python process (start-up included)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return min(times)


def _first_run(path: Path, repeat: int) -> float:
    """Best time from a new process's start to its first default run of `path`, minus
    the interpreter's own start-up."""
    empty = _fresh("pass", repeat)
    code = f"import flywheel; flywheel.simulate(flywheel.load({str(path)!r}))"
    return _fresh(code, repeat) - empty


def _scenarios(model, n: int) -> dict[str, np.ndarray]:
    """A Latin hypercube (seed 1) over the feedback strengths' declared ranges (a range
    without a bound: 0.8 to 1.2 times the default)."""
    from scipy.stats import qmc

    from flywheel.vocabulary import feedback_strengths

    names = feedback_strengths(model)
    bounds = [model.element(n).range for n in names]
    defaults = [model.constants[n] for n in names]
    low = np.array([r[0] if r[0] is not None else 0.8 * v for r, v in zip(bounds, defaults)])
    high = np.array([r[1] if r[1] is not None else 1.2 * v for r, v in zip(bounds, defaults)])
    values = qmc.scale(qmc.LatinHypercube(d=len(names), seed=1).random(n), low, high)
    return {name: values[:, i] for i, name in enumerate(names)}


def _row(label: str, seconds: float, simlin: float | None, pysd: float, note: str = "") -> str:
    vs_simlin = f"{simlin / seconds:.2f}x" if simlin else "n/a"
    return (f"| {label} | {seconds * 1e3:.3f} ms | {vs_simlin} | {pysd / seconds:.1f}x | "
            f"{note} |")


def bench_model(path: Path, n: int, repeat: int) -> list[str]:
    """The table of one model."""
    import flywheel
    from flywheel.engine import run_compiled
    from flywheel.params import RunTimes, scenario_params
    from flywheel.simulate import to_dataset

    model = flywheel.load(path)
    lines = [f"\n### {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}\n",
             "| what | time | speed vs pysimlin | speed vs PySD | note |", "|---|---|---|---|---|"]
    try:
        import simlin

        simlin_model = simlin.load(path)
        t_simlin = best(lambda: simlin_model.run(analyze_loops=False), 5 * repeat)
    except Exception as error:  # pysimlin's errors vary by construct; say why
        simlin_model, t_simlin = None, None
        lines.append(f"| pysimlin | n/a | | | {type(error).__name__}: {error} |")
    import pysd

    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / path.name
        shutil.copy(path, copy)
        pysd_model = pysd.read_vensim(str(copy))
        t_pysd = best(lambda: pysd_model.run(), max(2, repeat // 2))
    params = _scenarios(model, n)
    t_simlin_one, t_pysd_one, _ = per_run(path, params)  # one scenario, as a sweep's run
    if simlin_model is not None:
        lines.append(_row("pysimlin, one run", t_simlin, t_simlin, t_pysd))
    lines.append(_row("PySD, one run", t_pysd, t_simlin, t_pysd))

    flywheel.simulate(model)  # load (or compile, the first time ever) the kernel
    t_first = _first_run(path, max(2, repeat // 2))
    lines.append(_row("new process: load + first default run", t_first, t_simlin, t_pysd,
                      "kernel from the disk cache; target < 1 s"))
    t_default = best(lambda: flywheel.simulate(model), 5 * repeat)
    lines.append(_row("`simulate(model)` (default: RK45 kernel)", t_default, t_simlin, t_pysd,
                      "target: no slower than pysimlin"))
    checked, times = scenario_params(model, None), RunTimes(model)
    t_engine = best(lambda: run_compiled(model.compiled, checked, times), 5 * repeat)
    result = run_compiled(model.compiled, checked, times)
    t_wrap = best(lambda: to_dataset(model, result, checked), 5 * repeat)
    lines.append(_row("engine only (no Dataset)", t_engine, t_simlin, t_pysd))
    lines.append(_row("Dataset wrapping", t_wrap, t_simlin, t_pysd, "target < 1 ms"))
    t_numpy = best(lambda: flywheel.simulate(model, jit=False), repeat)
    lines.append(_row("`simulate(model, jit=False)` (numpy RK45, the fallback)", t_numpy,
                      t_simlin, t_pysd))

    step = model.control["TIME STEP"]
    for label, options in [("Euler at TIME STEP", {"method": "euler"}),
                           ("rk4 at 1/8 year", {"method": "rk4", "dt": 0.125})]:
        small = {k: v[:4] for k, v in params.items()}
        flywheel.simulate(model, params=small, saveper=1.0, **options)  # compile the batch
        t_batch = best(lambda: flywheel.simulate(model, params=params, saveper=1.0, **options),
                       max(1, repeat // 2))
        each = t_batch / n
        lines.append(_row(f"{n} scenarios, {label}, per scenario", each, t_simlin_one,
                          t_pysd_one, f"whole batch {t_batch:.2f} s; pysimlin and PySD: "
                          f"one scenario at TIME STEP {step:g}"))
    few = {k: v[:1000] for k, v in params.items()}
    flywheel.simulate(model, params={k: v[:4] for k, v in params.items()}, saveper=1.0)  # compile
    t_kernel = best(lambda: flywheel.simulate(model, params=few, saveper=1.0), max(1, repeat // 2))
    t_scipy = best(lambda: flywheel.simulate(model, params=few, saveper=1.0, jit=False), 1)
    lines.append(_row("1,000 scenarios, RK45 kernel (error per scenario)", t_kernel,
                      t_simlin_one and 1000 * t_simlin_one, 1000 * t_pysd_one,
                      f"{t_kernel / t_scipy:.2f}x the time of today's numpy RK45 "
                      f"({t_scipy:.2f} s, shared steps); target <= 2x"))

    loops = flywheel.feedback_loops(model)
    flywheel.loop_dominance(model, loops=loops)
    knob = next(iter(params))  # a slider moved: a new run each time
    t_loops = best(lambda: flywheel.loop_dominance(
        model, loops=loops, params={knob: model.constants[knob] * 1.01}), repeat)
    lines.append(_row(f"`loop_dominance` ({len(loops)} loops, Euler at TIME STEP, reported at "
                      "SAVEPER)", t_loops,
                      t_simlin, t_pysd, f"{t_loops / t_default:.1f}x the default run; target "
                      "< 30 ms and <= 10x"))

    def summary():  # what a slider shows: the families of the loops
        dominance = flywheel.loop_dominance(model, loops=loops,
                                            params={knob: model.constants[knob] * 0.99})
        return flywheel.loop_families(dominance, model)

    summary()
    t_summary = best(summary, repeat)
    lines.append(_row("`loop_dominance` + `loop_families` (the families summary)", t_summary,
                      t_simlin, t_pysd, f"{t_summary / t_default:.1f}x the default run"))
    return lines


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print its tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("models", nargs="*", type=Path, default=DEFAULT_MODELS)
    parser.add_argument("--scenarios", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    print(f"machine: {os.cpu_count()} cores; best of {args.repeat} unless stated")
    print("\n| start-up | time (best of fresh processes) | target |\n|---|---|---|")
    empty = _fresh("pass", args.repeat)
    for label, code, target in [
            ("`import flywheel`", "import flywheel", "< 0.5 s"),
            ("`flywheel --help`", "from flywheel.cli import main; main(['--help'])", "< 1 s"),
            ("`flywheel models`", "from flywheel.cli import main; main(['models'])", "< 1 s")]:
        code = f"import sys\ntry:\n    {code}\nexcept SystemExit:\n    pass"
        print(f"| {label} | {_fresh(code, args.repeat) - empty:.3f} s (+ {empty:.3f} s "
              f"interpreter) | {target} |")
    for path in args.models:
        if not path.exists():
            print(f"\n(no model at {path}: skipped)")
            continue
        print("\n".join(bench_model(path.resolve(), args.scenarios, args.repeat)))


if __name__ == "__main__":
    main()
