"""The compiled engine: run a compiled model, one run or N scenarios in one integration.

:func:`flywheel.simulate` checks the user's input and calls :func:`run_compiled`
with ``engine="compiled"`` (the default).

Examples
--------
>>> import flywheel
>>> from flywheel.compiler import compile_model
>>> from flywheel.params import RunTimes, scenario_params
>>> model = flywheel.load("tests/models/teacup.mdl")
>>> params = scenario_params(model, {"Room Temperature": [60.0, 70.0]})
>>> result = run_compiled(compile_model(model.abstract), params, RunTimes(model),
...                       method="euler")
>>> result.values["Teacup Temperature"].shape
(241, 2)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from flywheel.compiler import CompiledModel
from flywheel.compiler.jit import available
from flywheel.compiler.kernels import KERNEL_METHODS
from flywheel.errors import ParameterValueError
from flywheel.integrators import METHODS, StateFailure, time_grid
from flywheel.params import RunTimes, ScenarioParams, finite_number
from flywheel.results import Failure, Trajectories

__all__ = ["run_compiled"]


def run_compiled(
    compiled: CompiledModel,
    params: ScenarioParams,
    times: RunTimes,
    *,
    method: str = "RK45",
    rtol: float = 1e-6,
    atol: float = 1e-6,
    return_columns: Sequence[str] | None = None,
    max_step: float | None = None,
    jit: bool | None = None,
    seed: int = 0,
) -> Trajectories:
    """Integrate `compiled` once for every scenario in `params`.

    Parameters
    ----------
    compiled : CompiledModel
        From :func:`flywheel.compiler.compile_model`.
    params : ScenarioParams
        Checked constants (:func:`flywheel.params.scenario_params`): scalars,
        or arrays of one length N whose N scenarios run in one vectorised
        integration. Constants that other constants or INITIALs depend on
        propagate.
    times : RunTimes
        Checked start, end, time step and save period. The save times follow
        PySD: every `saveper` from the initial time that falls on the `dt`
        grid. STEP and PULSE use `dt` as PySD does.
    method : str
        A name from :data:`flywheel.integrators.METHODS`: ``"euler"``,
        ``"rk4"`` (fixed step), ``"RK45"``, ``"RK23"``, ``"DOP853"``,
        ``"LSODA"``, ``"Radau"``, ``"BDF"`` (adaptive, `rtol`/`atol`).
    rtol, atol : float
        Tolerances of the adaptive methods.
    return_columns : sequence of str, optional
        Display names of the only variables to compute and keep (default: all
        of PySD's columns).
    max_step : float, optional
        Largest step of an adaptive method (default: unbounded).
    jit : bool or None
        Run ``"euler"``, ``"rk4"`` or ``"RK45"`` as one compiled kernel
        (:mod:`flywheel.compiler.kernels`: the same results up to rounding,
        and RK45's error controlled per scenario). None (default): whenever
        numba is installed and the method has a kernel; True: always (an
        error otherwise); False: never (the numpy path).
    seed : int
        The random functions' stream (RANDOM UNIFORM, RANDOM NORMAL): each
        scenario draws by the seed and its index in the whole batch
        (``params.first`` onwards), so the same numbers whatever its chunk.

    Raises
    ------
    ParameterValueError
        An unknown method (the message lists the valid ones), bad tolerances,
        ``jit=True`` with a method without a kernel or without numba, or a
        method other than ``"euler"`` for a model with SAMPLE IF TRUE, DELAY
        FIXED or a non-negative stock (``graph.euler_only``).
    SimulationError
        The integration failed (scipy's message and the time reached).
    """
    if method not in METHODS:
        raise ParameterValueError(
            f"unknown method {method!r}; valid methods are {', '.join(METHODS)}")
    if jit and method not in KERNEL_METHODS:
        raise ParameterValueError(
            f"jit=True runs methods {', '.join(KERNEL_METHODS)} only, not {method!r}")
    if jit and not available():
        raise ParameterValueError("jit=True needs numba: pip install numba")
    if method != "euler" and compiled.graph.euler_only:
        element, construct = compiled.graph.euler_only[0]
        raise ParameterValueError(
            f"element {element!r} uses {construct}, which holds its value from one Euler step "
            f"to the next as PySD does; run this model with method='euler', not {method!r}")
    if jit and compiled.kernel_refusal:
        raise ParameterValueError(f"jit=True: {compiled.kernel_refusal}")
    options = {"rtol": finite_number(rtol, "rtol"), "atol": finite_number(atol, "atol"),
               "max_step": np.inf if max_step is None else finite_number(max_step, "max_step")}
    control = (times.initial_time, times.final_time, times.dt, times.saveper)
    grid = time_grid(*control)
    n = params.n_scenarios or 1
    # numpy's warnings are off: every state and saved value is checked instead
    # (Solution.failures here, flywheel.results.find_non_finite in simulate).
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        if method in KERNEL_METHODS and not compiled.kernel_refusal and (
                jit or jit is None and available()):
            return _run_kernel(compiled, params, control, grid, method,
                               dict(options, seed=seed, first=params.first), return_columns)
        bound = compiled.bind(params.values, control, return_columns, seed, params.first)
        solution = METHODS[method](bound.rhs, bound.y0, grid, **options)
        out = _collect(compiled, bound, grid, solution.states, n)
        first = min(solution.failures, default=None)
        # the diagnosis looks at every variable
        every = (compiled.bind(params.values, control, None, seed, params.first)
                 if return_columns is not None and first is not None else bound)
        failures = {j: _diagnose(compiled, every, failure, j, full=j == first)
                    for j, failure in solution.failures.items()}
    return Trajectories(grid.save_times, out, solution.stats, failures)


def _diagnose(compiled, bound, failure: StateFailure, scenario: int, full: bool) -> Failure:
    """Name the variables that are not finite where `scenario`'s state failed.

    With `full`, the variables at the last finite state (the rates that
    produced the failure) come first, and when those are all finite, the ones
    at the failure (each a model evaluation); else the stocks at the failure.
    """
    moments = [m for m in (failure.before, (failure.time, failure.state)) if m is not None]
    for when, state in moments if full else ():
        y = np.repeat(state[:, None], bound.y0.shape[1], axis=1)
        found = [(name, float(np.broadcast_to(value, (y.shape[1],))[scenario]))
                 for name, value in zip(bound.columns, bound.outputs(when, y))]
        bad = [(name, value) for name, value in found if not np.isfinite(value)]
        if bad:
            return Failure(float(when), tuple(bad[:3]))
    stocks = zip(compiled.stock_names, failure.state)
    return Failure(failure.time, tuple((n, float(v)) for n, v in stocks if not np.isfinite(v))[:3])


def _run_kernel(compiled, params, control, grid, method, options, columns) -> Trajectories:
    """The run as one compiled kernel; its failures diagnosed as the numpy path's."""
    run = compiled.kernel().run(params.values, control, grid, method, columns=columns, **options)
    failures = {}
    if run.failures:
        bound = compiled.bind(params.values, control, None, options["seed"], options["first"])
        first = min(run.failures)
        failures = {j: _diagnose(compiled, bound, StateFailure(*failure), j, full=j == first)
                    for j, failure in run.failures.items()}
    return Trajectories(grid.save_times, run.values, run.stats, failures)


def _collect(compiled, bound, grid, states, n) -> dict[str, np.ndarray]:
    n_times = len(states)
    if bound.blocks is not None:
        return _collect_blocks(compiled, bound, grid, states, n)
    out: dict[str, np.ndarray] = {}
    for k, (t, y) in enumerate(zip(grid.steps[grid.saved], states)):
        for name, value in zip(bound.columns, bound.outputs(t, y)):
            if name in compiled.static_names:
                if k == 0:
                    out[name] = np.broadcast_to(np.asarray(value, float), (n_times, n))
                continue
            if k == 0:
                out[name] = np.empty((n_times, n))
            out[name][k] = value
    return out


def _collect_blocks(compiled, bound, grid, states, n) -> dict[str, np.ndarray]:
    """As :func:`_collect`, a subscripted variable stored as one block per saved time."""
    n_times = len(states)
    blocks: dict[tuple[str, ...], np.ndarray] = {}
    for k, (t, y) in enumerate(zip(grid.steps[grid.saved], states)):
        for rows, value in zip(bound.block_columns, bound.blocks(t, y)):
            value = np.reshape(np.asarray(value, float), (len(rows), -1))
            if rows[0] in compiled.static_names:
                if k == 0:
                    blocks[rows] = np.broadcast_to(value, (n_times, len(rows), n))
                continue
            if k == 0:
                blocks[rows] = np.empty((n_times, len(rows), n))
            blocks[rows][k] = value
    return {row: block[:, j] for rows, block in blocks.items() for j, row in enumerate(rows)}
