"""Benchmark the compiled engine against PySD and pysimlin, in one run.

Usage::

    python benchmarks/bench_engine.py [--model models/flywheel.mdl] [--scenarios 10000]

Prints, for one model (the research model by default):

* a single run: compiled Euler and compiled adaptive (RK45) against PySD's
  run, as speed-up ratios, and against pysimlin's run of the same file;
* a batch of N scenarios (a Latin hypercube over the feedback strengths,
  each over its declared [min,max] range) in one call with yearly output:
  wall time, peak memory (tracemalloc) and per-scenario throughput as ratios
  to PySD's and pysimlin's, each timed on a sample of runs. The batch runs
  with Euler at the model's TIME STEP (PySD's computation) and with rk4 at
  coarser steps; each line states its accuracy against a tight adaptive
  run, so the speed of a method is read together with what it buys.

Every compiled run goes through :func:`flywheel.simulate`, input checks and
Dataset included: what a user gets.

pysimlin is a benchmark-only extra (``pip install flywheel-sd[benchmark]``);
without it those ratios are skipped.

Examples
--------
>>> main(["--model", "tests/models/teacup.mdl", "--scenarios", "100"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
from scipy.stats import qmc

from timing import best  # a sibling module: run the scripts as python benchmarks/NAME.py

__all__ = ["main"]

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = ROOT / "models" / "flywheel.mdl"




def _pysd_model(path: Path, folder: Path):
    import pysd

    copy = folder / path.name
    shutil.copy(path, copy)
    return pysd.read_vensim(str(copy))


def _simlin(path: Path):
    try:
        import simlin
    except ImportError:
        return None, "pysimlin is not installed (pip install pysimlin)"
    try:
        model = simlin.load(path)
        model.run(analyze_loops=False)
    except Exception as error:  # pysimlin's own error types vary by construct
        return None, f"pysimlin cannot run this model: {error}"
    return model, ""


def _jit_available() -> bool:
    from flywheel.compiler.jit import available

    return available()


def _scenarios(model, n: int, names: list[str] | None) -> dict[str, np.ndarray]:
    """A Latin hypercube (seed 1) over `names` (default: the feedback strengths)."""
    from flywheel.vocabulary import feedback_strengths

    names = names or feedback_strengths(model)
    ranges = [model.element(name).range for name in names]
    low = np.array([r[0] for r in ranges])
    high = np.array([r[1] for r in ranges])
    values = qmc.scale(qmc.LatinHypercube(d=len(names), seed=1).random(n), low, high)
    return {name: values[:, i] for i, name in enumerate(names)}


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print its figures."""
    import flywheel
    from flywheel.vocabulary import key_outputs
    from flywheel.engine import run_compiled as engine_run
    from flywheel.params import RunTimes, scenario_params

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--scenarios", type=int, default=10_000)
    parser.add_argument("--params", nargs="*", help="constants to vary (default: all)")
    parser.add_argument("--pysd-sample", type=int, default=10)
    parser.add_argument("--simlin-sample", type=int, default=200)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    path = args.model
    if not path.exists():
        parser.error(f"no model file at {path}; pass --model PATH")
    print(f"model: {path}")

    start = time.perf_counter()
    model = flywheel.load(path)
    compiled = model.compiled

    def run_compiled(params=None, **options):
        return flywheel.simulate(model, params=params, engine="compiled", **options)

    print(f"compile (parse + generate, once per model): {time.perf_counter() - start:.3f} s")
    print(f"  {len(compiled.stock_names)} stocks, {len(compiled.variable_names)} variables, "
          f"{len(compiled.constants)} constants")
    simlin_model, why = _simlin(path)
    with tempfile.TemporaryDirectory() as folder:
        pysd_model = _pysd_model(path, Path(folder))
        t_pysd = best(lambda: pysd_model.run(), 3)
        t_euler = best(lambda: run_compiled(method="euler"))
        t_rk45 = best(lambda: run_compiled(method="RK45"))
        jit = _jit_available()
        if jit:
            start = time.perf_counter()
            run_compiled(method="euler", jit=True)
            t_jit_compile = time.perf_counter() - start
            t_jit = best(lambda: run_compiled(method="euler", jit=True), 20)
            checked, times = scenario_params(model, {}), RunTimes(model)
            t_engine = best(
                lambda: engine_run(compiled, checked, times, method="euler", jit=True), 20)
        print("\nsingle run (all variables, model's TIME STEP and SAVEPER)")
        print(f"  PySD                 {t_pysd * 1e3:10.2f} ms")
        print(f"  compiled euler       {t_euler * 1e3:10.2f} ms   {t_pysd / t_euler:8.1f}x PySD")
        print(f"  compiled RK45        {t_rk45 * 1e3:10.2f} ms   {t_pysd / t_rk45:8.1f}x PySD")
        if jit:
            print(f"  compiled euler, jit  {t_jit * 1e3:10.3f} ms   {t_pysd / t_jit:8.1f}x PySD"
                  f"   (numba compile, once: {t_jit_compile:.2f} s)")
            print(f"  jit engine only      {t_engine * 1e3:10.3f} ms   {t_pysd / t_engine:8.1f}x PySD"
                  "   (run_compiled: arrays, no Dataset)")
        if simlin_model is not None:
            t_simlin = best(lambda: simlin_model.run(analyze_loops=False), 20)
            fastest = min(t_euler, t_jit) if jit else t_euler
            print(f"  pysimlin             {t_simlin * 1e3:10.3f} ms   "
                  f"fastest simulate() is {t_simlin / fastest:.2f}x pysimlin's speed")
            if jit:
                print(f"{'':39}jit engine only is {t_simlin / t_engine:.2f}x pysimlin's speed")
        else:
            print(f"  pysimlin             skipped: {why}")

        params = _scenarios(model, args.scenarios, args.params)
        print(f"\nbatch: {args.scenarios} scenarios, Latin hypercube over "
              f"{len(params)} constants (their [min,max] ranges), yearly output")
        step = model.control["TIME STEP"]
        configurations = [
            ("euler at TIME STEP (PySD's computation)", {"method": "euler"}),
            ("euler at TIME STEP, jit", {"method": "euler", "jit": True}),
            (f"rk4 at dt={8 * step:g}", {"method": "rk4", "dt": 8 * step}),
            (f"rk4 at dt={16 * step:g}", {"method": "rk4", "dt": 16 * step}),
        ]
        reference = run_compiled(method="RK45", rtol=1e-10, atol=1e-10, saveper=1.0)
        timings = {}
        for label, options in configurations:
            if options.get("jit") and not jit:
                continue
            run_compiled({k: v[:2] for k, v in params.items()}, saveper=1.0,
                         **options)  # compile outside the timing
            tracemalloc.start()
            start = time.perf_counter()
            result = run_compiled(params, saveper=1.0, **options)
            timings[label] = time.perf_counter() - start
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            default = run_compiled(saveper=1.0, **options)
            error = max(float(np.max(np.abs(default[v] - reference[v]) / np.abs(reference[v])))
                        for v in key_outputs(model))
            print(f"  {label}: largest error of a key output {error:.1e} (relative, against "
                  "RK45 at 1e-10)")
            print(f"      wall time {timings[label]:8.3f} s, peak memory {peak / 2**20:7.1f} MiB "
                  f"(tracemalloc), {result.sizes['time']} saved times, "
                  f"{len(result.data_vars)} variables")
        per_scenario = min(timings.values()) / args.scenarios
        print(f"  per scenario (best)  {per_scenario * 1e6:10.2f} us  ({min(timings, key=timings.get)})")
        sample = [{k: float(v[i]) for k, v in params.items()} for i in range(args.pysd_sample)]
        start = time.perf_counter()
        for scenario in sample:
            pysd_model.run(params=scenario, saveper=1.0)
        t_pysd_each = (time.perf_counter() - start) / len(sample)
        print(f"  PySD per scenario    {t_pysd_each * 1e3:10.2f} ms  (sample of {len(sample)})"
              f"   throughput ratio {t_pysd_each / per_scenario:10.0f}x")
        if simlin_model is not None:
            keys = {k: k.lower().replace(" ", "_") for k in params}
            runs = [{keys[k]: float(v[i]) for k, v in params.items()}
                    for i in range(args.simlin_sample)]
            start = time.perf_counter()
            for overrides in runs:
                simlin_model.run(overrides=overrides, analyze_loops=False)
            t_simlin_each = (time.perf_counter() - start) / len(runs)
            print(f"  pysimlin per scenario{t_simlin_each * 1e3:10.3f} ms (sample of {len(runs)})"
                  f"   throughput ratio {t_simlin_each / per_scenario:10.1f}x")


if __name__ == "__main__":
    main()
