"""Run every sample of an experiment and keep its outcomes.

:func:`sweep` cuts the samples into chunks of `chunk_size` runs (fewer when
`max_memory` needs it, :mod:`flywheel.memory`), runs each chunk as one batched
:func:`flywheel.simulate` call, reduces it to its outcomes at once, and keeps
only those: memory grows with the number of runs times the outcomes kept,
never with the model's size or time steps. Each
chunk runs on the batched ``"compiled"`` simulation engine when the model
compiles, else scenario by scenario on PySD's (chosen once per sweep, as
``engine="auto"`` of :func:`flywheel.simulate` chooses), with
:data:`DEFAULT_METHOD` (the model's Euler) unless another method is given.

Examples
--------
>>> import flywheel
>>> model = flywheel.load("flywheel_minimal")
>>> problem = flywheel.define_problem(model, ["Price Elasticity of Demand"], bounds=[[0.5, 1.5]])
>>> result = flywheel.sweep(model, flywheel.sample(problem, 3, method="grid"),
...                         outcomes=["Total Compute Spend@2035/2025"])
>>> result["Price Elasticity of Demand"].values.tolist()
[0.5, 1.0, 1.5]
>>> result["Total Compute Spend@2035/2025"].dims
('scenario',)
"""

from __future__ import annotations

import functools
import hashlib
import json
import tempfile
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import xarray as xr

from flywheel import __version__, memory
from flywheel.errors import (
    NonFiniteWarning,
    ParameterValueError,
    RangeWarning,
    SimulationError,
    SweepInterrupted,
)
from flywheel.chunked import scenario_cost
from flywheel.experiments.checkpoint import Checkpoint, ChunkResult
from flywheel.experiments.executors import ShippedModel, is_local, map_chunks
from flywheel.integrators import time_grid
from flywheel.experiments.outcomes import Outcome, resolve_outcomes
from flywheel.experiments.problem import check_problem, resolve_constant
from flywheel.experiments.sampling import Samples, sample
from flywheel.model import Model, load
from flywheel.params import RunTimes, check_range, scenario_params
from flywheel.results import STATUS, STATUS_ATTRS
from flywheel.simulate import resolve_engine, simulate
from flywheel.vocabulary import key_outputs

__all__ = ["DEFAULT_CHUNK_SIZE", "DEFAULT_METHOD", "GRID_POINTS", "sweep"]

#: Runs per batched simulation call.
DEFAULT_CHUNK_SIZE = 4096
#: The integration method of a sweep unless one is given: the model's own
#: fixed-step Euler at its TIME STEP. An adaptive method's steps are shared by
#: the runs of a batch (they follow its most demanding run), so each run would
#: depend on its chunk-mates and the cost on the sample's worst corner.
DEFAULT_METHOD = "euler"
#: Points per name when a problem (rather than samples) is swept: a full grid.
GRID_POINTS = 11


def _as_samples(model: Model, design: object) -> Samples:
    """`design` (Samples, problem dict or name -> values mapping) as Samples."""
    if isinstance(design, Samples):
        return design
    if isinstance(design, Mapping) and "names" in design:
        return sample(check_problem(design, model), GRID_POINTS, method="grid")
    if isinstance(design, Mapping):
        given = scenario_params(model, design)
        if len(given.varying) != len(given.values):
            raise ParameterValueError(
                "samples given as a mapping need a 1-D array per name; fix scalars with params="
            )
        names = list(given.varying)
        values = np.column_stack([given.varying[n] for n in names])
        problem = {"names": names, "num_vars": len(names),
                   "bounds": [[float(v.min()), float(v.max())] for v in values.T]}
        return Samples(problem, values, "given", (len(values),))
    raise ParameterValueError(
        "sweep takes Samples (flywheel.sample), a problem dict (swept on a full grid) "
        f"or a mapping of constant names to arrays; got {type(design).__name__}"
    )


def _run_chunk(target: Model | ShippedModel, outcomes: tuple[Outcome, ...], options: dict,
               save_times: np.ndarray, params: dict) -> ChunkResult:
    """Simulate one chunk: its saved times, its outcomes, the method used, each run's status.

    A run that fails is masked (its outcomes NaN) with its status: 1 for a
    value that is not finite; 2 for a solver failure, found by running the
    halves of a chunk that failed as a whole again, down to single runs.
    """
    model = target if isinstance(target, Model) else target.load()
    size = max(np.size(v) for v in params.values())
    return _run_part(model, outcomes, options, save_times, params, 0, size)


def _run_part(model: Model, outcomes: tuple[Outcome, ...], options: dict,
              save_times: np.ndarray, params: dict, start: int, stop: int) -> ChunkResult:
    part = {k: v[start:stop] if np.ndim(v) else v for k, v in params.items()}
    try:
        with warnings.catch_warnings():  # the sweep warns once for all its runs
            warnings.simplefilter("ignore", RangeWarning)
            warnings.simplefilter("ignore", NonFiniteWarning)
            run = simulate(model, params=part, **options)
    except SimulationError:
        if stop - start > 1:
            middle = (start + stop) // 2
            halves = [_run_part(model, outcomes, options, save_times, params, a, b)
                      for a, b in ((start, middle), (middle, stop))]
            return (save_times, {o.text: np.concatenate([h[1][o.text] for h in halves], axis=-1)
                                 for o in outcomes}, halves[0][2],
                    np.concatenate([h[3] for h in halves]))
        shape = {True: (len(save_times), 1), False: (1,)}
        return (save_times, {o.text: np.full(shape[o.is_series], np.nan) for o in outcomes},
                options["method"], np.array([STATUS["solver failed"]], np.int8))
    times = run["time"].values
    status = run["status"].values.astype(np.int8)
    series = {name: run[name].values for name in options["return_columns"]}
    values = {}
    for outcome in outcomes:
        value = np.array(outcome.evaluate(times, series), dtype=float)
        value[..., status != 0] = np.nan
        values[outcome.text] = value
    return times, values, run.attrs["method"], status


def sweep(
    model: Model | str | Path,
    samples: Samples | Mapping,
    *,
    outcomes: Sequence[str | Outcome] | None = None,
    params: Mapping[str, float] | None = None,
    engine: object = "local",
    workers: int = 1,
    chunk_size: int | None = None,
    max_memory: int | str | None = None,
    method: str | None = None,
    dt: float | None = None,
    saveper: float | None = None,
    initial_time: float | None = None,
    final_time: float | None = None,
    progress: bool = True,
    strict: bool = False,
    checkpoint: str | Path | None = None,
    resume: bool = False,
) -> xr.Dataset:
    """Run `model` once per sample and return each run's outcomes.

    A run that fails does not stop the sweep: its outcomes are NaN and the
    ``status`` coordinate says why (:data:`flywheel.results.STATUS`). With
    `checkpoint`, each finished chunk is saved there as it finishes, and
    ``resume=True`` runs only the chunks missing. Interrupted (Ctrl-C), the
    sweep keeps its finished chunks (in `checkpoint`, or in a new temporary
    folder it names) and says how to resume.

    Parameters
    ----------
    model : Model, str or path
        A loaded model, a bundled model's name or a model file's path.
    samples : Samples, dict or mapping
        :class:`Samples` from :func:`flywheel.sample`; a problem dict, swept
        on a full grid of :data:`GRID_POINTS` points per name; or a mapping
        of constant names to 1-D arrays of one length, one run per position.
    outcomes : sequence of str or Outcome, optional
        Outcome specs (:mod:`flywheel.experiments.outcomes`); default: the
        series of the model's key outputs. Only series named here are kept.
    params : mapping of str to float, optional
        Constants held at other values than their defaults in every run.
    engine : "local", distributed.Client or str
        Where the chunks run (:mod:`flywheel.experiments.executors`): this
        process, a Dask client, or a Dask scheduler's address.
    workers : int
        Local processes for ``engine="local"``; 1 runs in this process.
    chunk_size : int, optional
        Runs per batched simulation call: at most this many (default
        :data:`DEFAULT_CHUNK_SIZE`), fewer when `max_memory` needs it. Results
        do not depend on the executor, which sees the same chunks, nor (with a
        fixed-step method) on the chunk size.
    max_memory : int or str, optional
        Bytes the sweep may take in this process (default 2 GiB,
        :data:`flywheel.memory.DEFAULT_MAX_MEMORY`; text such as ``"512MB"``):
        the outcomes and inputs of every run, plus one chunk's simulation per
        local worker process. Chunks shrink to fit; outcomes that do not fit
        are refused before any run, with the sizes.
    method : str, optional
        Integration method (:func:`flywheel.simulate`); default
        :data:`DEFAULT_METHOD`, the model's Euler, not simulate's adaptive default.
    dt, saveper, initial_time, final_time : float, optional
        Passed to :func:`flywheel.simulate`.
    progress : bool
        Show a progress bar when the sweep has more than one chunk.
    strict : bool
        Refuse samples or `params` outside a constant's documented range
        (default: warn once).
    checkpoint : path, optional
        Folder for the finished chunks (:class:`flywheel.experiments.checkpoint.Checkpoint`).
    resume : bool
        Continue the sweep saved in `checkpoint`; a checkpoint made for
        another model, samples, outcomes or options is refused.

    Returns
    -------
    xarray.Dataset
        One data variable per outcome, named by its canonical spec, over
        ``scenario`` (scalars) or ``("time", "scenario")`` (series), with
        ``units`` and ``description`` attrs; each sampled constant is a
        coordinate along ``scenario``, and so is ``status`` (0: good; 1: a
        value stopped being finite; 2: the solver failed). Attrs record the
        flywheel version, the model and its SHA-256, the simulation engine
        and why it was chosen (``engine_note``), method and time settings, the sampling (method, n, seed, problem as
        JSON) and the outcome specs, so :func:`flywheel.sensitivity` needs
        nothing else.

    Raises
    ------
    UnknownParameterError
        A sampled name that is not a constant, or an outcome on an unknown variable.
    ParameterValueError
        A bad outcome spec, an outcome time outside the run, a sampled constant
        also fixed in `params` or used as an outcome, bad options; outcomes
        of every run larger than `max_memory`.
    ClusterConnectionError
        A Dask scheduler address that does not answer.
    SimulationError
        A chunk whose local worker process died twice.
    SweepInterrupted
        Ctrl-C; the message says where the finished chunks are and how to resume.

    Warns
    -----
    EngineFallbackWarning
        Once, when the model does not compile and its runs use PySD's engine.
    NonFiniteWarning
        Once, with the number of failed runs.
    RangeWarning
        Once per constant sampled or set outside its documented range.
    """
    model = model if isinstance(model, Model) else load(model)
    design = _as_samples(model, samples)
    names = [resolve_constant(model, n) for n in design.names]
    fixed = scenario_params(model, params, strict=strict)
    for i, name in enumerate(names):
        check_range(name, design.values[:, i], model.elements[name].range, strict=strict)
    if fixed.n_scenarios is not None or set(fixed.values) & set(names):
        raise ParameterValueError(
            "params holds constants fixed in every run, as numbers; sampled names "
            f"({', '.join(names)}) belong in the samples"
        )
    times = RunTimes(model, initial_time=initial_time, final_time=final_time, dt=dt,
                     saveper=saveper)
    wanted = resolve_outcomes(model, key_outputs(model) if outcomes is None else outcomes, times)
    read = sorted({v for o in wanted for v in o.variables})
    if set(read) & set(names):
        raise ParameterValueError(
            f"{', '.join(sorted(set(read) & set(names)))} is sampled, so it is an input, "
            "not an outcome"
        )
    if chunk_size is not None and (isinstance(chunk_size, bool) or
                                   not isinstance(chunk_size, int) or chunk_size < 1):
        raise ParameterValueError(f"chunk_size must be a positive integer, got {chunk_size!r}")
    simulation_engine, engine_note = resolve_engine(model, "auto", stacklevel=2)
    options = dict(engine=simulation_engine, method=method or DEFAULT_METHOD, dt=times.dt,
                   saveper=times.saveper, initial_time=times.initial_time,
                   final_time=times.final_time, return_columns=read)
    in_process = is_local(engine) and workers == 1
    save_times = time_grid(times.initial_time, times.final_time, times.dt,
                           times.saveper).save_times
    chunk_size = _runs_per_chunk(
        scenario_cost(model, simulation_engine, times, read), wanted, len(save_times),
        len(design), len(names), cap=chunk_size or DEFAULT_CHUNK_SIZE,
        budget=memory.as_bytes(max_memory),  # map_chunks checks workers
        processes=workers if is_local(engine) and type(workers) is int and workers > 1 else 1)
    task = functools.partial(_run_chunk, model if in_process else ShippedModel.of(model),
                             wanted, options, save_times)
    starts = range(0, len(design), chunk_size)
    chunks = [{**fixed.values, **dict(zip(names, design.columns(s, s + chunk_size).values()))}
              for s in starts]
    fingerprint = {
        "model_sha256": model.digest, "names": names,
        "samples_sha256": hashlib.sha256(np.ascontiguousarray(design.values)).hexdigest(),
        "outcomes": [o.text for o in wanted], "params": fixed.values,
        "options": {k: v for k, v in options.items() if k != "return_columns"},
        "chunk_size": chunk_size}
    kept = Checkpoint(checkpoint, fingerprint, resume=resume) if checkpoint else None
    done = kept.load([o.text for o in wanted]) if kept else {}
    todo = [i for i in range(len(chunks)) if i not in done]

    def finished(position: int, result: ChunkResult) -> None:
        done[todo[position]] = result
        if kept:
            kept.save(todo[position], result)

    try:
        map_chunks(task, [chunks[i] for i in todo], engine=engine, workers=workers,
                   sizes=[min(chunk_size, len(design) - starts[i]) for i in todo],
                   progress=progress, label=f"sweep {model.name}", done=finished)
    except KeyboardInterrupt:
        raise _interrupted(model, kept, fingerprint, done, len(chunks)) from None
    results = [done[i] for i in range(len(chunks))]
    result = _assemble(model, design, names, wanted, results, fixed.values, options, engine)
    result.attrs["engine_note"] = engine_note
    return result


def _runs_per_chunk(cost: memory.RunCost, outcomes: tuple[Outcome, ...], n_times: int, n: int,
                    n_inputs: int, *, cap: int, budget: int, processes: int) -> int:
    """Runs per chunk, at most `cap`, so that `processes` chunks and the whole sweep fit `budget`.

    The sweep keeps each run's inputs (the samples and their chunk's copy)
    and outcomes (each chunk's, then the assembled result), 8 bytes a value;
    a chunk's run costs `cost` a run besides (:func:`flywheel.chunked.scenario_cost`).
    """
    values = sum(n_times if o.is_series else 1 for o in outcomes)
    kept = 8 * 2 * (values + n_inputs) + 1  # + the status byte
    return min(cap, memory.chunk_size(n, processes * (cost.running + 8 * values), budget=budget,
                                      kept=kept, what="keep fewer outcomes (a value such "
                                      "as NAME@2035 instead of a series) or raise max_memory"))


def _interrupted(model: Model, kept: Checkpoint | None, fingerprint: dict, done: dict,
                 total: int) -> SweepInterrupted:
    """Keep the finished chunks (in a new folder when there is no checkpoint) and say so."""
    if kept is None:
        kept = Checkpoint(tempfile.mkdtemp(prefix=f"flywheel-sweep-{model.name}-"),
                          fingerprint, resume=False)
        for index, result in done.items():
            kept.save(index, result)
    return SweepInterrupted(
        f"interrupted after {len(done)} of {total} chunks; the finished ones are kept in "
        f"{str(kept.folder)!r}: run the same sweep with checkpoint={str(kept.folder)!r}, "
        f"resume=True (flywheel sweep ... --checkpoint {kept.folder} --resume) to finish it")


def _assemble(model: Model, design: Samples, names: list[str], outcomes: tuple[Outcome, ...],
              results: list, fixed: dict, options: dict, engine: object) -> xr.Dataset:
    times = results[0][0]
    variables = {
        o.text: xr.Variable(
            ("time", "scenario") if o.is_series else ("scenario",),
            np.concatenate([r[1][o.text] for r in results], axis=-1),
            {"units": o.units(model), "description": o.description()},
        )
        for o in outcomes
    }
    coords: dict[str, object] = {"scenario": ("scenario", np.arange(len(design)))}
    for i, name in enumerate(names):
        coords[name] = ("scenario", design.values[:, i], {"units": model.elements[name].units})
    if any(o.is_series for o in outcomes):
        coords["time"] = ("time", times, {"units": model.elements["INITIAL TIME"].units})
    status = np.concatenate([r[3] for r in results])
    coords["status"] = ("scenario", status, STATUS_ATTRS)
    failed = int(np.count_nonzero(status))
    if failed:
        warnings.warn(
            f"{failed} of {len(status)} runs failed: their outcomes are NaN, and status says "
            f"why ({int(np.sum(status == 1))} with a value that is not finite, "
            f"{int(np.sum(status == 2))} with a solver failure)", NonFiniteWarning, stacklevel=3)
    result = xr.Dataset(variables, coords=coords)
    problem = {**design.problem, "names": names}
    attrs = {
        "flywheel_version": __version__,
        "model": model.name,
        "model_file": str(model.path),
        "model_sha256": model.digest,
        "engine": "local" if is_local(engine) else "dask",
        "simulation_engine": options["engine"],
        "method": results[0][2],
        **{k: options[k] for k in ("initial_time", "final_time", "dt", "saveper")},
        "sampling": design.method,
        "n": list(design.n),
        "seed": design.seed,
        "second_order": int(design.second_order),
        "levels": design.levels,
        "problem": json.dumps(problem),
        "outcomes": json.dumps([o.text for o in outcomes]),
    }
    attrs.update({f"param: {name}": value for name, value in fixed.items()})
    result.attrs.update({k: v for k, v in attrs.items() if v is not None})
    return result
