"""Dask scale-out: a sweep's throughput against the number of workers, and its equality to local.

Usage::

    python benchmarks/bench_dask.py [--model flywheel] [--runs 1000000] [--workers 1 2 4]
    python benchmarks/bench_dask.py --scheduler tcp://host:8786 --runs 1000000

A Latin hypercube (seed 1) over the model's feedback strengths, one outcome
(``Total Compute Spend@2035/2025``) kept per run: memory is the outcomes,
whatever the number of runs. For each worker count a ``LocalCluster`` of that
many single-threaded worker processes runs the sweep twice (cold: workers load
the model and its kernel from the disk cache; warm), and prints runs per
second. The local sweep in this process is the baseline; with
``--check``, every Dask result is compared with it value for value (the local
sweep of every run: as long again as the sweep itself). ``--scheduler``
points at an existing cluster instead (a scheduler address, or a scheduler
file written by ``dask scheduler --scheduler-file``).

Examples
--------
>>> main(["--runs", "2000", "--workers", "1"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np

from timing import timed  # a sibling module: run the scripts as python benchmarks/NAME.py

__all__ = ["main"]

OUTCOME = "Total Compute Spend@2035/2025"


def main(argv: list[str] | None = None) -> None:
    """Run the sweeps and print throughput per worker count."""
    import flywheel
    from flywheel.experiments import define_problem, sample

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="flywheel", help="bundled name or path")
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--chunk-size", type=int, default=None)
    parser.add_argument("--scheduler", help="address or scheduler file of an existing cluster")
    parser.add_argument("--check", action="store_true", help="compare with a local sweep")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    from distributed import Client, LocalCluster

    model = flywheel.load(args.model)
    samples = sample(define_problem(model), args.runs, method="latin", seed=1)
    options = {"outcomes": [OUTCOME], "progress": False}
    if args.chunk_size:
        options["chunk_size"] = args.chunk_size
    print(f"model {model.name}: {len(samples):,} runs (Latin hypercube over the feedback "
          f"strengths), outcome {OUTCOME}")
    local = None
    if args.check:
        local, t_local = timed(lambda: flywheel.sweep(model, samples, **options))
        print(f"local, this process: {t_local:8.2f} s  {len(samples) / t_local:12,.0f} runs/s")

    def report(label, client):
        cold, t_cold = timed(lambda: flywheel.sweep(model, samples, engine=client, **options))
        _, t_warm = timed(lambda: flywheel.sweep(model, samples, engine=client, **options))
        same = "" if local is None else "  equal to local: " + str(np.array_equal(
            cold[OUTCOME].values, local[OUTCOME].values, equal_nan=True))
        print(f"{label}: cold {t_cold:8.2f} s, warm {t_warm:8.2f} s  "
              f"{len(samples) / t_warm:12,.0f} runs/s warm{same}")

    if args.scheduler:
        kind = "scheduler_file" if args.scheduler.endswith(".json") else "address"
        with Client(**{kind: args.scheduler}) as client:
            workers = len(client.scheduler_info()["workers"])
            report(f"cluster at {args.scheduler} ({workers} workers)", client)
        return
    for n in args.workers:
        with LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            report(f"LocalCluster, {n} worker{'s' * (n > 1)}", client)


if __name__ == "__main__":
    main()
