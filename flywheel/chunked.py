"""A batch run in chunks that fit ``max_memory``: gathered in memory, or streamed to disk.

:func:`flywheel.simulate` asks :func:`scenarios_per_call` how many scenarios
one engine call may run (:mod:`flywheel.memory`). When that is fewer than the
batch, :func:`run_in_chunks` runs the chunks one after another into one
result (the result must fit: it is what ``simulate`` returns), or
:func:`stream_to_netcdf` writes each chunk's Dataset to a netCDF file as it
finishes (:class:`flywheel.netcdf3.NetCDFWriter`, atomically through
:func:`flywheel.outputs.write_atomic`), so only one chunk is ever in memory.
The scenarios of a fixed-step method, and of the kernel's RK45 (its error
controlled per scenario), do not depend on their chunk-mates: chunked results
equal one call's exactly (``tests/test_memory.py``).

Examples
--------
>>> import flywheel, numpy as np
>>> from flywheel.params import RunTimes, scenario_params
>>> model = flywheel.load("tests/models/teacup.mdl")
>>> params = scenario_params(model, {"Room Temperature": np.linspace(60, 80, 1000)})
>>> scenarios_per_call(model, "compiled", params, RunTimes(model), None, budget=2**30)
1000
>>> scenarios_per_call(model, "compiled", params, RunTimes(model), None, budget=2**22,
...                    streaming=True)  # 4 MB: 268 scenarios at a time, each chunk to disk
268
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

from flywheel.integrators import time_grid
from flywheel.memory import RunCost, chunk_size, run_cost
from flywheel.model import Model
from flywheel.netcdf3 import NetCDFWriter
from flywheel.outputs import _netcdf_value, provenance, write_atomic
from flywheel.params import RunTimes, ScenarioParams
from flywheel.results import Failure, Trajectories

__all__ = ["run_in_chunks", "scenario_cost", "scenarios_per_call", "stream_to_netcdf"]

#: Engine statistics that are flags, not counts: taken from the first chunk, not summed.
_FLAGS = ("jit",)


def scenario_cost(model: Model, engine: str, times: RunTimes,
                  columns: list[str] | None) -> RunCost:
    """What one scenario of `model` on `engine` keeping `columns` (None: all) costs.

    Counted on the compiled model for ``"compiled"``, on the model's elements
    for PySD's engine.
    """
    grid = time_grid(times.initial_time, times.final_time, times.dt, times.saveper)
    if engine == "compiled":
        compiled = model.compiled
        names, constants = compiled.variable_names, len(compiled.constants)
        states = len(compiled.stock_names)
    else:  # PySD's engine: the model's elements
        names, constants, states = tuple(model.elements), len(model.constants), len(model.stocks)
    values = len(names) if columns is None else sum(
        1 for name in names for c in columns if name == c or name.startswith(f"{c}["))
    return run_cost(len(grid.saved), values, constants=constants, variables=len(names),
                    states=states)


def scenarios_per_call(model: Model, engine: str, params: ScenarioParams, times: RunTimes,
                       columns: list[str] | None, *, budget: int, streaming: bool = False) -> int:
    """How many scenarios of `params` one engine call may run within `budget` bytes.

    The whole batch when it fits with the engine's working set; else chunks
    beside the result they fill (or, `streaming`, beside nothing: each chunk
    goes to disk).

    Raises
    ------
    ParameterValueError
        A result that does not fit in `budget` even in chunks (without
        `streaming`), naming the sizes and what to do.
    """
    n = params.n_scenarios or 1
    cost = scenario_cost(model, engine, times, columns)
    if n * cost.running <= budget:
        return n
    return chunk_size(n, cost.running, budget=budget, kept=0 if streaming else cost.kept, what=(
        "keep fewer variables (return_columns=[...]), stream the result to disk "
        "(out='run.nc'), or raise max_memory"))


def _part(params: ScenarioParams, start: int, stop: int) -> ScenarioParams:
    """Scenarios `start` to `stop` of `params`."""
    if params.n_scenarios is None:
        return params
    return ScenarioParams({k: v[start:stop] if isinstance(v, np.ndarray) else v
                           for k, v in params.values.items()}, stop - start,
                          params.first + start)


def _starts(params: ScenarioParams, size: int) -> range:
    return range(0, params.n_scenarios or 1, size)


def _add_stats(total: dict[str, int], stats: Mapping[str, int]) -> None:
    for key, value in stats.items():
        total[key] = total.get(key, value) if key in _FLAGS else total.get(key, 0) + value


def run_in_chunks(run: Callable[[ScenarioParams], Trajectories], params: ScenarioParams,
                  size: int) -> Trajectories:
    """``run(params)`` as ``run`` of `size` scenarios at a time, gathered into one result.

    Statistics are summed over the chunks (flags such as ``jit`` taken from
    the first); failures keep their scenario's position in `params`.
    """
    n = params.n_scenarios
    values: dict[str, np.ndarray] = {}
    stats: dict[str, int] = {}
    failures: dict[int, Failure] = {}
    times = None
    for start in _starts(params, size):
        part = run(_part(params, start, min(n, start + size)))
        times = part.times
        for name, value in part.values.items():
            if name not in values:
                values[name] = np.empty((value.shape[0], n))
            values[name][:, start:start + value.shape[1]] = value
        _add_stats(stats, part.stats)
        failures.update({start + j: failure for j, failure in part.failures.items()})
    return Trajectories(times, values, stats, failures)


def stream_to_netcdf(path: str | Path, params: ScenarioParams, size: int,
                     chunk: Callable[[ScenarioParams], tuple[object, Trajectories]],
                     attrs: Callable[[Mapping[str, int]], Mapping[str, object]],
                     ) -> tuple[dict[int, Failure], list[str]]:
    """Write the Dataset of every chunk of `size` scenarios to the netCDF file `path`.

    Parameters
    ----------
    path : path
        The file, replaced whole at the end (:func:`flywheel.outputs.write_atomic`).
    params : ScenarioParams
        Every scenario.
    size : int
        Scenarios per chunk.
    chunk : callable
        ``chunk(part) -> (dataset, trajectories)``: one chunk's Dataset and
        the result it was made of (whose failures and statistics are gathered).
    attrs : callable
        ``attrs(stats)``: the attributes the run's statistics give, added to
        the first chunk's Dataset attributes.

    Returns
    -------
    tuple
        Every failure by scenario position, and the names of the
        coordinates (stored as variables: read the file back with
        ``xarray.open_dataset(path, engine="scipy").set_coords(names)``).
    """
    n = params.n_scenarios or 1
    failures: dict[int, Failure] = {}
    stats: dict[str, int] = {}
    coords: list[str] = []

    def ready(dataset, run_stats) -> dict:
        every = {**provenance(), **dataset.attrs, **attrs(run_stats)}
        return {k: _netcdf_value(v) for k, v in every.items() if v is not None}

    def write(temporary: Path) -> None:
        writer = first = None
        with open(temporary, "w+b") as file:
            for start in _starts(params, size):
                part = _part(params, start, min(n, start + size))
                dataset, result = chunk(part)
                if "scenario" in dataset.dims:
                    dataset = dataset.assign_coords(scenario=dataset["scenario"].values + start)
                failures.update({start + j: f for j, f in result.failures.items()})
                _add_stats(stats, result.stats)
                if writer is None:
                    first = dataset
                    coords.extend(str(c) for c in dataset.coords if c not in dataset.dims)
                    writer = NetCDFWriter(file, dataset, n, ready(dataset, stats))
                writer.write(dataset, start)
            writer.close(ready(first, stats))

    write_atomic(path, write)
    return failures, coords
