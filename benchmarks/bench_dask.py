"""Dask scale-out: a sweep's throughput against the number of workers, and its equality to local.

Usage::

    python benchmarks/bench_dask.py [--model models/flywheel.mdl] [--runs 1000000] [--workers 1 2 4]
    python benchmarks/bench_dask.py --scheduler tcp://host:8786 --runs 1000000

A Latin hypercube (seed 1) over the model's feedback strengths (each over its
declared range; a constant without one over 0.8 to 1.2 times its default), one
outcome (``--outcome``, default ``Total Compute Spend@2035/2025``) kept per
run: memory is the outcomes, whatever the number of runs. Measured in one run of the script:

* the baselines: pysimlin's and PySD's time for one run of the model (at its
  TIME STEP), and the raw batch kernel (one ``flywheel.simulate`` of
  ``--batch`` scenarios, Euler at TIME STEP, the outcome's variable only);
* with ``--check``, the sweep in this process;
* for each worker count, a ``LocalCluster`` of that many single-threaded
  worker processes: start-up (every worker loads the model and its kernel from
  the disk cache, timed apart), then the sweep, timed once.

Each sweep prints its wall time, runs per second, its time per run as a ratio
against pysimlin's and PySD's one run (``x`` faster), its share of the batch
kernel's throughput, and with ``--check`` whether every value equals the local
sweep's. The peak resident set of this process closes the report.
``--scheduler`` points at an existing cluster instead (a scheduler address, or
a scheduler file written by ``dask scheduler --scheduler-file``).

Examples
--------
>>> main(["--runs", "2000", "--workers", "1"])  # doctest: +SKIP
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
OUTCOME = "Total Compute Spend@2035/2025"


def _problem(model) -> dict:
    """The feedback strengths over their declared ranges, else 0.8 to 1.2 times the default."""
    from flywheel.experiments import define_problem
    from flywheel.vocabulary import feedback_strengths

    names = feedback_strengths(model)
    bounds = []
    for name in names:
        low, high = model.elements[name].range[:2]
        value = model.constants[name]
        bounds.append([0.8 * value, 1.2 * value] if low is None or high is None else [low, high])
    return define_problem(model, names, bounds=bounds)


def main(argv: list[str] | None = None) -> None:
    """Run the sweeps and print throughput per worker count."""
    import flywheel
    from flywheel.experiments import sample

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "flywheel.mdl")
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2],
                        help="worker counts of the LocalClusters (none: --check alone)")
    parser.add_argument("--batch", type=int, default=10_000,
                        help="scenarios of the raw batch kernel's baseline")
    parser.add_argument("--outcome", default=OUTCOME, help="the outcome spec kept per run")
    parser.add_argument("--chunk-size", type=int, default=None)
    parser.add_argument("--scheduler", help="address or scheduler file of an existing cluster")
    parser.add_argument("--check", action="store_true", help="compare with a local sweep")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    from distributed import Client, LocalCluster

    model = flywheel.load(args.model)
    samples = sample(_problem(model), args.runs, method="latin", seed=1)
    options = {"outcomes": [args.outcome], "progress": False}
    if args.chunk_size:
        options["chunk_size"] = args.chunk_size
    print(f"model {model.path.name}: {len(samples):,} runs (Latin hypercube over the feedback "
          f"strengths), outcome {args.outcome}, Euler at TIME STEP {model.control['TIME STEP']:g}")
    head = dict(zip(samples.names, samples.values[:max(args.batch, 50)].T))
    t_simlin, t_pysd, note = per_run(model.path, head)
    print(f"pysimlin, one run: {t_simlin * 1e3:.3f} ms" if t_simlin else note)
    print(f"PySD, one run: {t_pysd * 1e3:.1f} ms")
    batch = {k: v[:args.batch] for k, v in head.items()}
    column = [args.outcome.split("@")[0]]
    flywheel.simulate(model, params={k: v[:2] for k, v in batch.items()}, method="euler",
                      return_columns=column)  # load the kernel
    _, t_batch = timed(lambda: flywheel.simulate(model, params=batch, method="euler",
                                                 return_columns=column))
    kernel_rate = len(next(iter(batch.values()))) / t_batch

    def line(label: str, seconds: float, rate: float) -> str:
        each = 1 / rate
        simlin = f"{t_simlin / each:,.1f}x pysimlin, " if t_simlin else ""
        return (f"{label}: {seconds:9.2f} s {rate:10,.0f} runs/s  {each * 1e3:.3f} ms a run: "
                f"{simlin}{t_pysd / each:,.0f}x PySD, {rate / kernel_rate:.0%} of the batch kernel")

    print(line(f"batch kernel, {args.batch:,} scenarios in one simulate", t_batch, kernel_rate))
    local = None
    if args.check:
        local, t_local = timed(lambda: flywheel.sweep(model, samples, **options))
        print(line("sweep, this process", t_local, len(samples) / t_local))

    def report(label: str, client) -> None:
        _, t_start = timed(lambda: warm(client, model, column[0]))
        result, t_sweep = timed(lambda: flywheel.sweep(model, samples, engine=client, **options))
        same = "" if local is None else "; equal to local: " + str(np.array_equal(
            result[args.outcome].values, local[args.outcome].values, equal_nan=True))
        print(line(f"{label} (start-up {t_start:.1f} s)", t_sweep, len(samples) / t_sweep)
              + same)

    if args.scheduler:
        kind = "scheduler_file" if args.scheduler.endswith(".json") else "address"
        with Client(**{kind: args.scheduler}) as client:
            workers = len(client.scheduler_info()["workers"])
            report(f"cluster at {args.scheduler} ({workers} workers)", client)
    else:
        for n in args.workers:
            with LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                              dashboard_address=None) as cluster, Client(cluster) as client:
                report(f"Dask LocalCluster, {n} worker{'s' * (n > 1)}", client)
    print(f"peak resident set of this process: "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
