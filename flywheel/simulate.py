"""Run a model: one entry point for every engine, returning an xarray Dataset.

Examples
--------
>>> import flywheel
>>> run = flywheel.simulate("flywheel_minimal", params={"Learning Rate": 0.2})
>>> run["Unit Inference Cost"].attrs["units"]
'USD/million tokens'
>>> sweep = flywheel.simulate(
...     "flywheel_minimal", params={"Price Elasticity of Demand": [0.5, 1.0, 1.5]}
... )
>>> dict(sweep.sizes)["scenario"]
3
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from flywheel import __version__
from flywheel.errors import (
    EngineFallbackWarning,
    NonFiniteWarning,
    ParameterValueError,
    SimulationError,
    UnsupportedConstructError,
)
from flywheel.model import Model, load
from flywheel.params import RunTimes, ScenarioParams, scenario_params
from flywheel.results import STATUS, STATUS_ATTRS, Trajectories, find_non_finite
from flywheel.subscripts import stack_subscripted

if TYPE_CHECKING:  # xarray is imported by the first run (cheap start-up)
    import xarray as xr

__all__ = ["ENGINES", "Solver", "random_seed", "resolve_engine", "simulate", "to_dataset"]


@dataclass(frozen=True)
class Solver:
    """How to integrate: what :func:`simulate` passes to an engine besides the model.

    Attributes
    ----------
    method : str or None
        A name from :data:`flywheel.integrators.METHODS`; None for the engine's default.
    rtol, atol : float or None
        Tolerances of the adaptive methods; None for the engine's default.
    jit : bool or None
        The compiled kernel: None where it can run, True always, False never.
    seed : int
        The random functions' stream (checked by :func:`random_seed`).
    """

    method: str | None = None
    rtol: float | None = None
    atol: float | None = None
    jit: bool | None = None
    seed: int = 0


def random_seed(seed: int | None) -> int:
    """`seed` checked, or a fresh one from the operating system's entropy when None.

    Examples
    --------
    >>> random_seed(42)
    42
    >>> 0 <= random_seed(None) < 2**53
    True
    """
    if seed is None:
        return int(np.random.SeedSequence().entropy % 2**53)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not (
            0 <= seed < 2**53):
        raise ParameterValueError(f"seed must be an integer from 0 to 2**53 - 1, not {seed!r}")
    return int(seed)


def _run_compiled(
    model: Model, params: ScenarioParams, times: RunTimes, solver: Solver,
    return_columns: list[str] | None,
) -> Trajectories:
    from flywheel.engine import run_compiled

    tolerances = {k: v for k, v in (("rtol", solver.rtol), ("atol", solver.atol)) if v is not None}
    return run_compiled(
        model.compiled, params, times, method=solver.method or DEFAULT_METHOD,
        return_columns=return_columns, jit=solver.jit, seed=solver.seed, **tolerances,
    )


def _run_pysd(
    model: Model, params: ScenarioParams, times: RunTimes, solver: Solver,
    return_columns: list[str] | None,
) -> Trajectories:
    from flywheel.reference import pysd_run

    problem = _pysd_solver_problem(solver)
    if problem:
        raise ParameterValueError(f"engine 'pysd' {problem}; use engine='compiled' for them")
    return pysd_run(model, params, times, return_columns=return_columns)


def _pysd_solver_problem(solver: Solver) -> str:
    """What of `solver` PySD's run cannot honour ('' when nothing)."""
    if solver.method not in (None, "euler") or solver.jit:
        return f"integrates with method 'euler' only (no jit), not {solver.method!r}"
    if solver.rtol is not None or solver.atol is not None:
        return "is fixed-step Euler: rtol and atol do not apply"
    return ""


#: The compiled engine's method when none is given.
DEFAULT_METHOD = "RK45"

#: Engine name to the function that runs a model with it: "compiled" is
#: flywheel's vectorised numpy engine, "pysd" is PySD's own run, the reference.
ENGINES: dict[str, Callable[..., Trajectories]] = {
    "compiled": _run_compiled,
    "pysd": _run_pysd,
}


def resolve_engine(model: Model, engine: str, *, stacklevel: int = 2) -> tuple[str, str]:
    """The name in :data:`ENGINES` that runs `model` for `engine`, and why ('' unless auto).

    ``"auto"`` is ``"compiled"`` when the model compiles, else ``"pysd"``, with
    one :class:`~flywheel.errors.EngineFallbackWarning` naming the element and
    the construct the compiled engine lacks (`stacklevel` as for
    :func:`warnings.warn`, counted from the caller); a construct PySD does not
    run either raises the compiler's :class:`~flywheel.errors.UnsupportedConstructError`.

    Examples
    --------
    >>> import flywheel
    >>> resolve_engine(flywheel.load("tests/models/teacup.mdl"), "auto")
    ('compiled', 'auto: compiled (the model compiles)')
    >>> resolve_engine(flywheel.load("tests/models/teacup.mdl"), "pysd")
    ('pysd', '')
    """
    if engine != "auto" and engine not in ENGINES:
        raise ParameterValueError(
            f"unknown engine {engine!r}; valid engines: {', '.join(['auto', *sorted(ENGINES)])}"
        )
    if engine != "auto":
        return engine, ""
    try:
        model.compiled  # noqa: B018 -- compiling is the test
    except UnsupportedConstructError as error:
        if not error.pysd_runs:  # PySD's run would fail too
            raise
        note = f"auto: pysd ({error})"
        warnings.warn(f"{model.name!r} runs on PySD's engine (Euler only), not the compiled "
                      f"one: {error}", EngineFallbackWarning, stacklevel=stacklevel + 1)
        return "pysd", note
    return "compiled", "auto: compiled (the model compiles)"


def simulate(
    model: Model | str | Path,
    *,
    params: Mapping[str, float | Sequence[float] | np.ndarray] | None = None,
    engine: str = "auto",
    method: str | None = None,
    dt: float | None = None,
    saveper: float | None = None,
    initial_time: float | None = None,
    final_time: float | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    return_columns: Sequence[str] | None = None,
    jit: bool | None = None,
    strict: bool = False,
    seed: int | None = None,
    max_memory: int | str | None = None,
    out: str | Path | None = None,
) -> xr.Dataset:
    """Simulate `model` and return its trajectories as an xarray Dataset.

    The model is never changed: two runs with different `params` are
    independent whatever ran before.

    Parameters
    ----------
    model : Model, str or path
        A loaded model, a bundled model's name or a model file's path.
    params : mapping, optional
        Constant name to value. A value may be a 1-D array; all arrays must
        share one length N, and the N scenarios run in one call.
    engine : {"auto", "compiled", "pysd"}
        ``"auto"`` (default): ``"compiled"`` when the model compiles, else
        ``"pysd"`` (:func:`resolve_engine`). Or a name from :data:`ENGINES`:
        ``"compiled"`` is flywheel's vectorised engine (a model it cannot
        compile raises), ``"pysd"`` is PySD's own run (Euler only), the reference.
    method : str, optional
        The compiled engine's integration method, a name from
        :data:`flywheel.integrators.METHODS`: fixed-step ``"euler"`` and
        ``"rk4"``, or scipy's ``"RK45"`` (the default), ``"RK23"``,
        ``"DOP853"``, ``"LSODA"``, ``"Radau"`` and ``"BDF"``. A model with
        SAMPLE IF TRUE, DELAY FIXED or a non-negative stock runs with
        ``"euler"`` only (its default), as PySD holds their values between
        Euler steps.
    dt, saveper, initial_time, final_time : float, optional
        Override the model's TIME STEP, SAVEPER, INITIAL TIME and FINAL TIME.
        Fixed-step methods step by `dt`; every method saves the same times.
    rtol, atol : float, optional
        Tolerances of the adaptive methods (default 1e-6 each).
    return_columns : sequence of str, optional
        Only compute and keep these variables (default: every variable PySD
        reports).
    jit : bool or None
        Run the compiled engine's ``"euler"``, ``"rk4"`` and ``"RK45"`` as
        one compiled kernel (numba, :mod:`flywheel.compiler.kernels`). None
        (default): whenever numba is installed; False: the numpy path; True:
        the kernel or an error.

    strict : bool
        Refuse a value outside a constant's documented range (default: warn).
    seed : int, optional
        The compiled engine's random numbers (RANDOM UNIFORM, RANDOM NORMAL,
        RANDOM 0 1): each scenario draws from its own stream, a function of
        the seed, its index and the time step only, so the same seed gives
        the same numbers whatever the batch, method or kernel. None (default):
        a fresh seed, kept in the Dataset's ``seed`` attr when the model draws
        (an integer from 0 to 2**53 - 1). PySD's run draws from numpy's
        global stream instead (seed it with :func:`numpy.random.seed`); the
        two agree in distribution, not draw by draw. Vensim's own seed
        argument of these functions is ignored, as PySD ignores it.
    max_memory : int or str, optional
        Bytes the run's arrays may take (default 2 GiB,
        :data:`flywheel.memory.DEFAULT_MAX_MEMORY`; text such as ``"512MB"``).
        A batch whose result fits but whose run does not runs in chunks
        (:mod:`flywheel.chunked`; results equal one call's with the
        fixed-step methods and the kernel's RK45); a result that does not fit
        needs fewer `return_columns` or `out`.
    out : path, optional
        Stream the result to this netCDF file chunk by chunk, each chunk
        within `max_memory`, and return the Dataset read from it (lazily:
        ``xarray.open_dataset(out, engine="scipy")``). The file carries the
        run's attributes and provenance; it replaces `out` only when whole.

    Returns
    -------
    xarray.Dataset
        Dimension ``time`` (and ``scenario`` when `params` holds arrays, with
        each array parameter as a coordinate instead of a data variable); one
        data variable per model element, named by its display name, with
        ``units`` and ``description`` attrs. A batch has a ``status``
        coordinate along ``scenario``: 0 where the run is good, 1 where a value
        stopped being finite (see :data:`flywheel.results.STATUS`); such a
        scenario's values are NaN from that time on, the others' are those of
        a batch without it.

    Raises
    ------
    UnknownParameterError, ParameterValueError
        Unknown names or bad values; a method other than Euler (or jit, rtol,
        atol) for a model that runs on PySD's engine; a result larger than
        `max_memory` without `out` (the message names the sizes).
    UnsupportedConstructError
        ``engine="compiled"`` for a model the compiled engine does not support.
    SimulationError
        A failed integration, or a single run in which a state (checked at
        every step of every method) or a saved value stops being finite: the
        message names the variable, the time and the value.

    Warns
    -----
    EngineFallbackWarning
        Once, when ``engine="auto"`` runs the model on PySD's engine; the
        reason is the Dataset's ``engine_note`` attr too.
    NonFiniteWarning
        Once, when scenarios of a batch failed, with their count.
    RangeWarning
        A value outside a constant's documented range (an error with `strict`).
    TimeSettingsWarning
        A SAVEPER adjusted to the time step or the run (:class:`flywheel.params.RunTimes`).
    """
    model = model if isinstance(model, Model) else load(model)
    engine, note = resolve_engine(model, engine)
    if method is None and engine == "compiled" and model.compiled.graph.euler_only:
        method = "euler"  # SAMPLE IF TRUE, DELAY FIXED, non-negative stocks: PySD's Euler
    solver = Solver(method=method, rtol=rtol, atol=atol, jit=jit, seed=random_seed(seed))
    if engine == "pysd" and note and _pysd_solver_problem(solver):
        raise ParameterValueError(f"{model.name!r} runs on PySD's engine, which "
                                  f"{_pysd_solver_problem(solver)} ({note})")
    checked = scenario_params(model, params, strict=strict)
    times = RunTimes(
        model, initial_time=initial_time, final_time=final_time, dt=dt, saveper=saveper
    )
    columns = None if return_columns is None else [model.resolve(c) for c in return_columns]
    draws = engine == "compiled" and model.compiled.graph.random_sites > 0  # the seed matters

    def run(part: ScenarioParams) -> Trajectories:
        return find_non_finite(ENGINES[engine](model, part, times, solver, columns))

    def attrs(stats: Mapping[str, int]) -> dict[str, object]:
        used = method or (DEFAULT_METHOD if engine == "compiled" else "euler")
        every = {"engine": engine, "method": used + (" (jit)" if jit else ""),
                 "engine_note": note or None, "seed": solver.seed if draws else None,
                 "initial_time": times.initial_time,
                 "final_time": times.final_time, "dt": times.dt, "saveper": times.saveper}
        if used not in ("euler", "rk4"):
            every.update(rtol=1e-6 if rtol is None else rtol, atol=1e-6 if atol is None else atol)
        every.update({f"stats: {k}": int(v) for k, v in stats.items()})
        return {k: v for k, v in every.items() if v is not None}

    from flywheel.chunked import run_in_chunks, scenarios_per_call, stream_to_netcdf
    from flywheel.memory import as_bytes

    size = scenarios_per_call(model, engine, checked, times, columns,
                              budget=as_bytes(max_memory), streaming=out is not None)
    if out is not None:
        import xarray as xr

        from flywheel.outputs import check_outputs

        check_outputs([out], inputs=[model.path])

        def chunk(part: ScenarioParams) -> tuple[xr.Dataset, Trajectories]:
            result = _masked(model, run(part), part)
            return to_dataset(model, result, part), result

        failures, coords = stream_to_netcdf(out, checked, size, chunk, attrs)
        _warn_failed(failures, checked.n_scenarios)
        return xr.open_dataset(out, engine="scipy").set_coords(coords)
    result = run(checked) if size >= (checked.n_scenarios or 1) else run_in_chunks(
        run, checked, size)
    _warn_failed(result.failures, checked.n_scenarios)
    dataset = to_dataset(model, _masked(model, result, checked), checked)
    dataset.attrs.update(attrs(result.stats))
    return dataset


def _masked(model: Model, result: Trajectories, params: ScenarioParams) -> Trajectories:
    """`result` with its failed scenarios masked; a single run's failure raises."""
    if result.failures and params.n_scenarios is None:
        raise SimulationError(f"the run of {model.name!r} failed: {result.failures[0]} "
                              "(a value that is not finite; Vensim stops here too)")
    return result.masked()


def _warn_failed(failures: Mapping[int, object], n_scenarios: int | None) -> None:
    """One NonFiniteWarning for the failed scenarios of a batch (at simulate's caller)."""
    if failures and n_scenarios is not None:
        first = min(failures)
        warnings.warn(
            f"{len(failures)} of {n_scenarios} scenarios failed: their values "
            "are NaN from the first non-finite one on, and status = "
            f"{STATUS['non-finite']} marks them (the first: scenario {first}, "
            f"{failures[first]})", NonFiniteWarning, stacklevel=3)


def to_dataset(model: Model, result: Trajectories, params: ScenarioParams) -> xr.Dataset:
    """Wrap an engine's `result` as a Dataset with units and documentation.

    A run without array parameters has no ``scenario`` dimension.
    """
    import xarray as xr

    from flywheel.datasets import fast_dataset

    single = params.n_scenarios is None
    dims = ("time",) if single else ("time", "scenario")
    variables = {}
    stacked = stack_subscripted(model, result.values)  # PySD's X[a,b] columns, by element
    series = [(name, (), values) for name, values in result.values.items()
              if name not in stacked.columns]
    series += [(name, ranges, values) for name, (ranges, values) in stacked.arrays.items()]
    varying = params.varying
    for name, ranges, values in series:
        if name in varying:
            continue  # a coordinate along scenario, not a time series
        element = model.elements.get(name)
        attrs = (
            {"units": element.units, "description": element.documentation}
            if element
            else {"units": "", "description": "hidden stock of a delay or smoothing function"}
        )
        # fastpath: plain numpy arrays (xarray would import dask to check for its arrays)
        variables[name] = xr.Variable(dims[:1] + ranges + dims[1:],
                                      np.asarray(values[..., 0] if single else values), attrs,
                                      fastpath=True)
    coords: dict[str, object] = {
        "time": ("time", result.times, {"units": model.elements["INITIAL TIME"].units})}
    coords.update({name: (name, list(items)) for name, items in stacked.coords.items()})
    if not single:
        coords["scenario"] = ("scenario", np.arange(params.n_scenarios))
        status = np.zeros(params.n_scenarios, np.int8)
        status[list(result.failures)] = STATUS["non-finite"]
        coords["status"] = ("scenario", status, STATUS_ATTRS)
        for name, values in varying.items():
            coords[name] = ("scenario", values)
    dataset = fast_dataset(variables, coords)  # xr.Dataset's checks cost 0.1 ms a variable
    dataset.attrs.update(flywheel_version=__version__, model=model.name,
                         model_file=str(model.path), model_sha256=model.digest)
    for name, value in params.values.items():
        if np.ndim(value) == 0:  # arrays: scenario coordinates or subscripted values
            dataset.attrs[f"param: {name}"] = value
    return dataset
