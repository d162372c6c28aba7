"""Benchmark the compiled engine against PySD and pysimlin, in one run.

Usage::

    python benchmarks/bench_engine.py [--model models/flywheel.mdl] [--scenarios 10000]

Prints, for one model (the research model by default):

* a single run: compiled Euler and compiled adaptive (RK45) against PySD's
  run, as speed-up ratios, and against pysimlin's run of the same file;
* a batch of N scenarios (a Latin hypercube over the feedback strengths, by
  default every constant of the model from 0.5x to 1.5x its value) in one
  call with yearly output: wall time, peak memory (tracemalloc) and
  per-scenario throughput as ratios to PySD's and pysimlin's, each timed on a
  sample of runs.

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

__all__ = ["main"]

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = ROOT / "models" / "flywheel.mdl"


def _best(fn, repeat: int = 5) -> float:
    """Best wall time of `repeat` calls of `fn`."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _compiled(path: Path):
    from pysd.translators.vensim.vensim_file import VensimFile

    from flywheel.compiler import compile_model

    vf = VensimFile(path)
    vf.parse()
    return compile_model(vf.get_abstract_model())


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
    model = simlin.load(path)
    try:
        model.run(analyze_loops=False)
    except Exception as error:  # pysimlin's own error types vary by construct
        return None, f"pysimlin cannot run this model: {error}"
    return model, ""


def _jit_available() -> bool:
    from flywheel.compiler.jit import available

    return available()


def _scenarios(compiled, n: int, names: list[str] | None) -> dict[str, np.ndarray]:
    names = names or [k for k, v in compiled.constants.items() if v != 0]
    defaults = np.array([compiled.constants[k] for k in names])
    sample = qmc.LatinHypercube(d=len(names), seed=1).random(n)
    values = defaults * (0.5 + sample)
    return {name: values[:, i] for i, name in enumerate(names)}


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print its figures."""
    from flywheel.engine import run_compiled

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
    compiled = _compiled(path)
    print(f"compile (parse + generate, once per model): {time.perf_counter() - start:.3f} s")
    print(f"  {len(compiled.stock_names)} stocks, {len(compiled.variable_names)} variables, "
          f"{len(compiled.constants)} constants")
    simlin_model, why = _simlin(path)
    with tempfile.TemporaryDirectory() as folder:
        pysd_model = _pysd_model(path, Path(folder))
        t_pysd = _best(lambda: pysd_model.run(), 3)
        t_euler = _best(lambda: run_compiled(compiled, method="euler"))
        t_rk45 = _best(lambda: run_compiled(compiled, method="RK45"))
        jit = _jit_available()
        if jit:
            start = time.perf_counter()
            run_compiled(compiled, method="euler", jit=True)
            t_jit_compile = time.perf_counter() - start
            t_jit = _best(lambda: run_compiled(compiled, method="euler", jit=True), 20)
        print("\nsingle run (all variables, model's TIME STEP and SAVEPER)")
        print(f"  PySD                 {t_pysd * 1e3:10.2f} ms")
        print(f"  compiled euler       {t_euler * 1e3:10.2f} ms   {t_pysd / t_euler:8.1f}x PySD")
        print(f"  compiled RK45        {t_rk45 * 1e3:10.2f} ms   {t_pysd / t_rk45:8.1f}x PySD")
        if jit:
            print(f"  compiled euler, jit  {t_jit * 1e3:10.3f} ms   {t_pysd / t_jit:8.1f}x PySD"
                  f"   (numba compile, once: {t_jit_compile:.2f} s)")
        if simlin_model is not None:
            t_simlin = _best(lambda: simlin_model.run(analyze_loops=False), 20)
            best = min(t_euler, t_jit) if jit else t_euler
            print(f"  pysimlin             {t_simlin * 1e3:10.3f} ms   "
                  f"fastest compiled run is {t_simlin / best:.2f}x pysimlin's speed")
        else:
            print(f"  pysimlin             skipped: {why}")

        params = _scenarios(compiled, args.scenarios, args.params)
        print(f"\nbatch: {args.scenarios} scenarios, Latin hypercube over "
              f"{len(params)} constants (0.5x-1.5x), yearly output, euler")
        timings = {}
        for label, options in [("numpy", {}), ("jit", {"jit": True})][:1 + jit]:
            if options:
                run_compiled(compiled, {k: v[:2] for k, v in params.items()}, method="euler",
                             saveper=1.0, **options)  # compile the kernel outside the timing
            tracemalloc.start()
            start = time.perf_counter()
            result = run_compiled(compiled, params, method="euler", saveper=1.0, **options)
            timings[label] = time.perf_counter() - start
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            print(f"  {label:5} wall time      {timings[label]:10.3f} s   ({len(result.times)} "
                  f"saved times, {len(result.values)} variables)")
            print(f"  {label:5} peak memory    {peak / 2**20:10.1f} MiB (tracemalloc)")
        per_scenario = min(timings.values()) / args.scenarios
        print(f"  per scenario (best)  {per_scenario * 1e6:10.2f} us")
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
