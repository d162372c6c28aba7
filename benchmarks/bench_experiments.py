"""Benchmark experiments: a Sobol sweep over the feedback strengths, local and on Dask.

Usage::

    python benchmarks/bench_experiments.py [--model flywheel] [--n 4096] [--workers 2]

Prints, from one run of this script, for a Sobol design with `n` base samples
over the model's feedback strengths (each over its declared range; the
research model's eight give 4096 x 18 = 73,728 runs) and the outcome
``Total Compute Spend@2035/2025``:

* wall time of :func:`flywheel.sweep` in this process, on `workers` local
  processes, and on a `workers`-worker :class:`distributed.LocalCluster`
  (one thread per worker process), with the Dask/local ratios; the Dask
  result is checked to equal the local one exactly;
* peak memory: the largest Python allocation (tracemalloc) during the sweep
  in this process, for `n` and for `n` / 8 (it should not grow with `n`
  beyond the outcome arrays), and the peak resident set (ru_maxrss) of this
  process and of its children;
* wall time of the Sobol analysis of the result.

Examples
--------
>>> main(["--model", "tests/models/sens_gfunction.mdl", "--n", "256"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import resource
import tracemalloc
import warnings

import numpy as np

import flywheel
from flywheel.experiments import define_problem, sample, sensitivity, sweep
from flywheel.experiments.sweep import DEFAULT_CHUNK_SIZE, simulation_engine

from timing import timed  # a sibling module: run the scripts as python benchmarks/NAME.py

__all__ = ["main"]

OUTCOME = "Total Compute Spend@2035/2025"


def _peak_traced(fn) -> float:
    """Peak traced Python allocation of `fn()`, in MB."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def _maxrss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kB on Linux


def _same(a, b) -> bool:
    return all(np.array_equal(a[v].values, b[v].values, equal_nan=True) for v in a.data_vars)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="flywheel", help="bundled name or path")
    parser.add_argument("--n", type=int, default=4096, help="Sobol base samples")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE)
    parser.add_argument("--method", help="integration method (default: sweep's)")
    parser.add_argument("--outcome", default=OUTCOME)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")  # PySD's deprecation notices on import

    model = flywheel.load(args.model)
    problem = define_problem(model)
    samples = sample(problem, args.n, method="sobol", seed=1)
    options = dict(outcomes=[args.outcome], chunk_size=args.chunk_size, method=args.method,
                   progress=False)
    print(f"model {model.name}: Sobol, n = {args.n}, {problem['num_vars']} strengths "
          f"-> {len(samples):,} runs; simulation engine {simulation_engine()}, "
          f"chunks of {args.chunk_size}")

    sweep(model, sample(problem, 8, method="sobol", seed=2), **options)  # compile once
    local, t_local = timed(lambda: sweep(model, samples, **options))
    print(f"local, this process:        {t_local:8.2f} s  "
          f"({len(samples) / t_local:,.0f} runs/s; method {local.attrs['method']})")
    pooled, t_pool = timed(lambda: sweep(model, samples, workers=args.workers, **options))
    print(f"local, {args.workers} processes:        {t_pool:8.2f} s  "
          f"(equal to this process: {_same(pooled, local)})")

    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        on_dask, t_dask = timed(lambda: sweep(model, samples, engine=client, **options))
        # A second sweep on the warm cluster: workers have loaded and compiled the model.
        _, t_warm = timed(lambda: sweep(model, samples, engine=client, **options))
    print(f"Dask LocalCluster, {args.workers} workers: {t_dask:8.2f} s cold, {t_warm:.2f} s warm "
          f"(equal to local: {_same(on_dask, local)}); Dask / local: {t_dask / t_local:.2f} "
          f"(this process), {t_dask / t_pool:.2f} ({args.workers} processes)")

    small = sample(problem, max(args.n // 8, 1), method="sobol", seed=1)
    peak_small = _peak_traced(lambda: sweep(model, small, **options))
    peak_full = _peak_traced(lambda: sweep(model, samples, **options))
    print(f"peak traced memory: {peak_full:.0f} MB for {len(samples):,} runs, "
          f"{peak_small:.0f} MB for {len(small):,} runs")
    print(f"peak resident set: {_maxrss_mb(resource.RUSAGE_SELF):.0f} MB this process, "
          f"{_maxrss_mb(resource.RUSAGE_CHILDREN):.0f} MB largest child")

    indices, t_sobol = timed(lambda: sensitivity(local, args.outcome))
    print(f"Sobol analysis (100 bootstrap resamples): {t_sobol:.2f} s")
    print(indices.to_df().round(3).to_string())


if __name__ == "__main__":
    main()
