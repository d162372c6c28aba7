"""Run a compiled model: one run or N scenarios in one integration.

Examples
--------
>>> from flywheel.compiler import compile_model  # doctest: +SKIP
>>> result = run_compiled(compile_model(model.abstract),
...                       {"Room Temperature": [60.0, 70.0]}, method="euler")  # doctest: +SKIP
>>> result.values["Teacup Temperature"].shape  # doctest: +SKIP
(241, 2)
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from flywheel.compiler import CompiledModel
from flywheel.compiler.jit import available
from flywheel.errors import ParameterValueError, UnknownParameterError
from flywheel.integrators import METHODS, time_grid

__all__ = ["RunResult", "run_compiled"]

_CONTROL_PARAMS = {"INITIAL TIME": "initial_time", "FINAL TIME": "final_time",
                   "TIME STEP": "dt", "SAVEPER": "saveper"}


@dataclass
class RunResult:
    """The trajectories of a compiled run.

    Attributes
    ----------
    times : numpy.ndarray
        Saved times, shape (n_times,).
    values : dict of str to numpy.ndarray
        Display name -> values of shape (n_times, n_scenarios). Constants are
        read-only broadcast views (no memory per time or scenario).
    n_scenarios : int
        Number of scenarios (1 when every parameter is a scalar).
    method : str
        The integration method.
    stats : dict
        Solver statistics: ``nfev`` (right-hand side calls), and ``njev``,
        ``nlu`` for scipy's methods.
    """

    times: np.ndarray
    values: dict[str, np.ndarray]
    n_scenarios: int
    method: str
    stats: dict = field(default_factory=dict)


def run_compiled(compiled: CompiledModel, params: Mapping[str, object] | None = None, *,
                 method: str = "RK45", dt: float | None = None, saveper: float | None = None,
                 initial_time: float | None = None, final_time: float | None = None,
                 rtol: float = 1e-6, atol: float = 1e-6,
                 return_columns: Sequence[str] | None = None,
                 max_step: float | None = None, jit: bool = False) -> RunResult:
    """Integrate `compiled` once for every scenario in `params`.

    Parameters
    ----------
    compiled : CompiledModel
        From :func:`flywheel.compiler.compile_model`.
    params : mapping, optional
        Constant name (display name, any case, or snake_case) -> number or
        1-D array. Arrays must share one length N; the N scenarios then run in
        one vectorised integration. Constants other constants or INITIALs
        depend on propagate. Control variables (e.g. ``"FINAL TIME"``) act as
        the keyword of the same meaning.
    method : str
        A name from :data:`flywheel.integrators.METHODS`: ``"euler"``,
        ``"rk4"`` (fixed step), ``"RK45"``, ``"RK23"``, ``"DOP853"``,
        ``"LSODA"``, ``"Radau"``, ``"BDF"`` (adaptive, `rtol`/`atol`).
    dt, saveper, initial_time, final_time : float, optional
        Override TIME STEP, SAVEPER, INITIAL TIME and FINAL TIME. The save
        times follow PySD: every `saveper` from the initial time that falls on
        the `dt` grid. STEP and PULSE use `dt` as PySD does.
    rtol, atol : float
        Tolerances of the adaptive methods.
    return_columns : sequence of str, optional
        Only compute and keep these variables (default: all of PySD's columns).
    max_step : float, optional
        Largest step of an adaptive method (default: unbounded).
    jit : bool
        Run Euler as one numba-compiled loop (:mod:`flywheel.compiler.jit`;
        needs numba, method="euler" only). Same results, far less overhead
        per step; the first call per model and parameter set compiles.

    Raises
    ------
    UnknownParameterError
        A parameter or column name the model does not have (with close names).
    ParameterValueError
        NaN or infinite values, arrays of unequal length or not 1-D, a
        non-positive time step or save period, a final time not after the
        initial time, or an unknown method (the message lists the valid ones).
    SimulationError
        The integration failed (scipy's message and the time reached).
    """
    if method not in METHODS:
        raise ParameterValueError(
            f"unknown method {method!r}; valid methods are {', '.join(METHODS)}")
    values, n, controls = _check_params(compiled, params or {})
    given = {"initial_time": initial_time, "final_time": final_time, "dt": dt,
             "saveper": saveper}
    for name, value in given.items():
        if value is not None:
            controls[name] = _finite(value, name)
    t0, tf, step, save = compiled.controls(controls.get("initial_time"),
                                           controls.get("final_time"),
                                           controls.get("dt"), controls.get("saveper"))
    _check_times(t0, tf, step, save)
    columns = _check_columns(compiled, return_columns)
    grid = time_grid(t0, tf, step, save)
    options = {"rtol": _finite(rtol, "rtol"), "atol": _finite(atol, "atol"),
               "max_step": np.inf if max_step is None else _finite(max_step, "max_step")}
    if jit and method != "euler":
        raise ParameterValueError(f"jit=True runs method 'euler' only, not {method!r}")
    if jit and not available():
        raise ParameterValueError("jit=True needs numba: pip install numba")
    with np.errstate(all="ignore"):
        bound = compiled.bind(values, (t0, tf, step, save), columns)
        if jit:
            return _run_kernel(compiled, bound, values, n, grid, (t0, tf, step, save))
        solution = METHODS[method](bound.rhs, bound.y0, grid, **options)
        out = _collect(compiled, bound, grid, solution.states, n)
    return RunResult(grid.save_times, out, n, method, solution.stats)


def _run_kernel(compiled, bound, values, n, grid, control) -> RunResult:
    names = list(values)
    kernel = compiled.kernel(bound.columns, names)
    table = np.empty((len(names), n))
    for row, name in zip(table, names):
        row[:] = values[name]
    slot = np.full(len(grid.steps), -1, dtype=np.int64)
    slot[grid.saved] = np.arange(len(grid.saved))
    out = np.empty((len(grid.saved), len(bound.columns), n))
    kernel(table, grid.steps, slot, *control, out)
    result = {name: out[:, c, :] for c, name in enumerate(bound.columns)}
    return RunResult(grid.save_times, result, n, "euler",
                     {"nfev": len(grid.steps) - 1, "jit": True})


def _collect(compiled, bound, grid, states, n) -> dict[str, np.ndarray]:
    n_times = len(states)
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


def _key(name: str) -> str:
    return re.sub(r"[\s_]+", " ", name.strip().lower())


def _resolve(name: str, candidates: Sequence[str], what: str) -> str:
    keys = {_key(c): c for c in candidates}
    if _key(str(name)) in keys:
        return keys[_key(str(name))]
    close = difflib.get_close_matches(_key(str(name)), list(keys), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(keys[c]) for c in close)}?" if close else ""
    raise UnknownParameterError(f"{name!r} is not {what} of the model{hint}")


def _finite(value: object, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ParameterValueError(f"{what} must be a finite number, got {value!r}") from None
    if not math.isfinite(number):
        raise ParameterValueError(f"{what} must be a finite number, got {value!r}")
    return number


def _check_params(compiled: CompiledModel, params: Mapping[str, object]):
    """Checked values by display name, the scenario count, control overrides."""
    values: dict[str, float | np.ndarray] = {}
    controls: dict[str, float] = {}
    lengths: dict[str, int] = {}
    candidates = list(compiled.constants) + list(_CONTROL_PARAMS)
    for name, value in params.items():
        display = _resolve(name, candidates, "a constant")
        if display in _CONTROL_PARAMS:
            controls[_CONTROL_PARAMS[display]] = _finite(value, display)
            continue
        try:
            array = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise ParameterValueError(
                f"parameter {display!r} must be a number or a 1-D array of numbers, "
                f"got {value!r}") from None
        if array.ndim > 1 or array.size == 0:
            raise ParameterValueError(
                f"parameter {display!r} must be a number or a non-empty 1-D array, "
                f"got shape {array.shape}")
        if not np.isfinite(array).all():
            raise ParameterValueError(f"parameter {display!r} must be finite, got {value!r}")
        if array.ndim == 1:
            lengths[display] = array.size
            values[display] = array
        else:
            values[display] = np.float64(array)
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"{k!r}: {v}" for k, v in lengths.items())
        raise ParameterValueError(f"array parameters must have one common length; got {listed}")
    return values, next(iter(lengths.values()), 1), controls


def _check_times(t0: float, tf: float, dt: float, saveper: float) -> None:
    if not dt > 0:
        raise ParameterValueError(f"the time step must be positive, got {dt!r}")
    if not saveper > 0:
        raise ParameterValueError(f"saveper must be positive, got {saveper!r}")
    if not tf > t0:
        raise ParameterValueError(
            f"the final time ({tf!r}) must be after the initial time ({t0!r})")


def _check_columns(compiled: CompiledModel, columns: Sequence[str] | None) -> list[str] | None:
    if columns is None:
        return None
    if isinstance(columns, str):
        columns = [columns]
    return list(dict.fromkeys(_resolve(c, compiled.variable_names, "a variable")
                              for c in columns))
