"""Benchmark experiments: the Sobol sweep over the feedback strengths, against the 9 s target.

Usage::

    python benchmarks/bench_experiments.py [MODEL ...] [--n 4096] [--method euler] [--executors]

MODEL defaults to the current research model and the archived version 1
(``models/flywheel.mdl models/archive/flywheel_v1.mdl``). For each, a Sobol
design with `n` base samples over the model's feedback strengths (each over
its declared range; eight strengths give 4096 x 18 = 73,728 runs) and the
outcome ``Total Compute Spend@2035/2025``, measured in one run of this script:

* pysimlin's and PySD's time for one run of the model (at its TIME STEP);
* the wall time of :func:`flywheel.sweep` in this process (issue 14's target:
  under 9 s), its time per run as a ratio against pysimlin's and PySD's run,
  and against the raw batch kernel (one ``flywheel.simulate`` of 10,000
  scenarios keeping the outcome's variable);
* with ``--executors``: the sweep on 2 local processes and on a 2-worker
  :class:`distributed.LocalCluster` (warm), each checked to equal the local
  result exactly;
* the peak resident set of this process, and the wall time of the Sobol
  analysis of the result.

Examples
--------
>>> main(["models/flywheel_minimal.mdl", "--n", "64", "--executors"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import resource
import warnings
from pathlib import Path

import numpy as np

from baselines import per_run  # sibling modules: run the scripts as python benchmarks/NAME.py
from cluster import warm
from timing import timed

__all__ = ["main"]

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODELS = [ROOT / "models" / "flywheel.mdl", ROOT / "models" / "archive" / "flywheel_v1.mdl"]
OUTCOME = "Total Compute Spend@2035/2025"
TARGET = 9.0  # seconds, issue 14


def _same(a, b) -> bool:
    return all(np.array_equal(a[v].values, b[v].values, equal_nan=True) for v in a.data_vars)


def bench_model(path: Path, args: argparse.Namespace) -> None:
    """Print the figures of one model."""
    import flywheel
    from flywheel.experiments import define_problem, sample, sensitivity, sweep

    model = flywheel.load(path)
    problem = define_problem(model)
    samples = sample(problem, args.n, method="sobol", seed=1)
    method = args.method or "euler"
    options = dict(outcomes=[args.outcome], method=method, progress=False)
    print(f"\n{path.name}: Sobol, n = {args.n}, {problem['num_vars']} strengths -> "
          f"{len(samples):,} runs, {method} at TIME STEP {model.control['TIME STEP']:g}")
    head = dict(zip(samples.names, samples.values[:10_000].T))
    t_simlin, t_pysd, note = per_run(model.path, head)
    print(f"pysimlin, one run: {t_simlin * 1e3:.3f} ms" if t_simlin else note)
    print(f"PySD, one run: {t_pysd * 1e3:.1f} ms")
    column = [args.outcome.split("@")[0]]
    flywheel.simulate(model, params={k: v[:2] for k, v in head.items()}, method=method,
                      return_columns=column)  # load the kernel
    _, t_batch = timed(lambda: flywheel.simulate(model, params=head, method=method,
                                                 return_columns=column))
    kernel_rate = len(samples.values[:10_000]) / t_batch

    def line(label: str, seconds: float) -> str:
        each = seconds / len(samples)
        simlin = f"{t_simlin / each:,.1f}x pysimlin, " if t_simlin else ""
        return (f"{label}: {seconds:8.2f} s ({len(samples) / seconds:,.0f} runs/s; {simlin}"
                f"{t_pysd / each:,.0f}x PySD per run; {1 / each / kernel_rate:.0%} of the "
                f"batch kernel's {kernel_rate:,.0f} runs/s)")

    local, t_local = timed(lambda: sweep(model, samples, **options))
    print(line("sweep, this process", t_local)
          + f"; target {TARGET:g} s: {'met' if t_local < TARGET else 'missed'} "
          f"({t_local / TARGET:.1f}x the target)")
    if args.executors:
        pooled, t_pool = timed(lambda: sweep(model, samples, workers=2, **options))
        print(line("sweep, 2 local processes", t_pool) + f"; equal: {_same(pooled, local)}")
        from distributed import Client, LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            warm(client, model, column[0])
            on_dask, t_dask = timed(lambda: sweep(model, samples, engine=client, **options))
        print(line("sweep, Dask LocalCluster of 2 workers (warm)", t_dask)
              + f"; equal: {_same(on_dask, local)}")
    indices, t_sobol = timed(lambda: sensitivity(local, args.outcome))
    print(f"Sobol analysis (100 bootstrap resamples): {t_sobol:.2f} s")
    print(indices.to_df().round(3).to_string())


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark of each model."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("models", nargs="*", type=Path, default=DEFAULT_MODELS)
    parser.add_argument("--n", type=int, default=4096, help="Sobol base samples")
    parser.add_argument("--method", help="integration method (default: the sweep's Euler)")
    parser.add_argument("--outcome", default=OUTCOME)
    parser.add_argument("--executors", action="store_true",
                        help="also 2 local processes and a 2-worker Dask LocalCluster")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")  # PySD's deprecation notices on import
    for path in args.models:
        bench_model(path.resolve(), args)
    print(f"\npeak resident set: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f}"
          f" MB this process")


if __name__ == "__main__":
    main()
