"""Integration methods: fixed-step Euler and RK4, and scipy's adaptive solvers.

Every method integrates ``dy/dt = rhs(t, y)`` over a state of shape
(n_stocks, n_scenarios) and returns the state at the save times. The save
times follow PySD's rule (see :func:`time_grid`), so all methods report the
same times.

Examples
--------
>>> import numpy as np
>>> grid = time_grid(0.0, 1.0, 0.25, 0.5)
>>> grid.save_times.tolist()
[0.0, 0.5, 1.0]
>>> sol = METHODS["euler"](lambda t, y: -y, np.ones((1, 1)), grid)
>>> float(sol.states[-1, 0, 0])  # (1 - 0.25) ** 4
0.31640625
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from flywheel.errors import FlywheelError, SimulationError

__all__ = ["MAX_STALLED_STEPS", "METHODS", "Solution", "StateFailure", "TimeGrid", "time_grid"]

Rhs = Callable[[float, np.ndarray], np.ndarray]
_RPREC = 1e-5  # PySD's relative precision for the final and saving times


@dataclass(frozen=True)
class TimeGrid:
    """The fixed-step times of a run and which of them are saved.

    Attributes
    ----------
    steps : numpy.ndarray
        Times t_0, t_0 + dt, ... accumulated by repeated addition as PySD does;
        the last one is the end of the run.
    saved : numpy.ndarray of int
        Indices into `steps` of the saved times.
    dt : float
        The time step.
    """

    steps: np.ndarray
    saved: np.ndarray
    dt: float

    @property
    def save_times(self) -> np.ndarray:
        """The saved times, rounded as PySD reports them."""
        decimals = -int(np.log10(self.dt * _RPREC))
        return np.round(self.steps[self.saved], decimals)


@functools.lru_cache(maxsize=64)
def time_grid(t0: float, tf: float, dt: float, saveper: float) -> TimeGrid:
    """PySD's time grid: steps of `dt` from `t0` while ``t < tf``; save every `saveper`.

    A time is saved when it lies within ``dt * 1e-5`` of ``t0 + k * saveper``;
    a save period that is not a multiple of `dt` saves only the times that are.
    Grids are cached: treat their arrays as read-only.
    """
    prec = dt * _RPREC
    steps = [t0]
    t = t0
    while t + prec < tf:
        t = t + dt
        steps.append(t)
    times = np.array(steps)
    offset = times - t0
    saved = np.flatnonzero((offset % saveper < prec) | (-offset % saveper < prec))
    return TimeGrid(times, saved, dt)


@dataclass(frozen=True)
class StateFailure:
    """Where one scenario's state or rates first stopped being finite.

    Attributes
    ----------
    time : float
        The time of the first non-finite state (or of non-finite rates that
        made an adaptive solver fail).
    state : numpy.ndarray
        The state then, shape (n_stocks,).
    before : tuple of (float, numpy.ndarray) or None
        The time and state of the last finite state (None when the initial
        state is not finite): the rates there produced the failure.
    """

    time: float
    state: np.ndarray
    before: tuple[float, np.ndarray] | None


@dataclass
class Solution:
    """The states at the save times, and what it took to compute them.

    Attributes
    ----------
    states : numpy.ndarray
        Shape (n_saved, n_stocks, n_scenarios). A failed scenario's states
        mean nothing from its failure on.
    stats : dict
        ``nfev`` (right-hand side calls) and, for scipy methods, ``njev``
        (Jacobian evaluations) and ``nlu`` (LU decompositions).
    failures : dict of int to StateFailure
        Scenario index to where its state stopped being finite. The other
        scenarios' states are those of a run without the failed ones.
    """

    states: np.ndarray
    stats: dict = field(default_factory=dict)
    failures: dict[int, StateFailure] = field(default_factory=dict)


def _record(failures: dict[int, StateFailure], columns: np.ndarray, bad: np.ndarray, t: float,
            y: np.ndarray, before: tuple[float, np.ndarray] | None) -> np.ndarray:
    """Add a failure at `t` for the `columns` flagged in `bad` not yet failed; return them."""
    new = [i for i in np.flatnonzero(bad) if int(columns[i]) not in failures]
    for i in new:
        previous = None if before is None else (before[0], before[1][:, i].copy())
        failures[int(columns[i])] = StateFailure(float(t), y[:, i].copy(), previous)
    return columns[new]


def _not_finite(y: np.ndarray) -> np.ndarray:
    return ~np.isfinite(y).all(axis=0)


def _fixed(step: Callable[[Rhs, float, np.ndarray, float], np.ndarray], calls: int):
    def integrate(rhs: Rhs, y0: np.ndarray, grid: TimeGrid, **_options) -> Solution:
        states = np.full((len(grid.saved),) + y0.shape, np.nan)
        save = np.zeros(len(grid.steps), bool)
        save[grid.saved] = True
        columns = np.arange(y0.shape[1])
        failures: dict[int, StateFailure] = {}
        _record(failures, columns, _not_finite(y0), grid.steps[0], y0, None)
        y, dt, j, k = y0, grid.dt, 0, 0
        for k, t in enumerate(grid.steps):
            if save[k]:
                states[j] = y
                j += 1
            if k + 1 == len(grid.steps) or len(failures) == len(columns):
                break
            new = step(rhs, t, y, dt)
            if not np.isfinite(new).all():  # every step: an IF or MIN can hide it by the save
                _record(failures, columns, _not_finite(new), grid.steps[k + 1], new, (t, y))
            y = new
        return Solution(states, {"nfev": calls * k}, failures)
    return integrate


def _euler_step(rhs: Rhs, t: float, y: np.ndarray, dt: float) -> np.ndarray:
    return y + rhs(t, y) * dt


def _rk4_step(rhs: Rhs, t: float, y: np.ndarray, dt: float) -> np.ndarray:
    k1 = rhs(t, y)
    k2 = rhs(t + dt / 2, y + k1 * (dt / 2))
    k3 = rhs(t + dt / 2, y + k2 * (dt / 2))
    k4 = rhs(t + dt, y + k3 * dt)
    return y + (k1 + 2 * k2 + 2 * k3 + k4) * (dt / 6)


#: Steps in a row that an adaptive solver may take without advancing time before
#: the run stops (a solution that blows up drives LSODA's step to nothing).
MAX_STALLED_STEPS = 10_000

#: What a solver's step may raise besides flywheel's errors (BDF: "Factor is exactly singular").
_SOLVER_ERRORS = (ArithmeticError, ValueError, RuntimeError)

_SOLVERS = ("RK45", "RK23", "DOP853", "LSODA", "Radau", "BDF")  # scipy.integrate's classes


def _scipy(method: str):
    def integrate(rhs: Rhs, y0: np.ndarray, grid: TimeGrid, *, rtol: float = 1e-6,
                  atol: float = 1e-6, max_step: float = np.inf) -> Solution:
        t_span = (grid.steps[0], grid.steps[-1])
        t_eval = np.minimum(grid.steps[grid.saved], t_span[1])
        states = np.full((len(t_eval),) + y0.shape, np.nan)
        stats = {"nfev": 0, "njev": 0, "nlu": 0}
        failures: dict[int, StateFailure] = {}
        columns = np.arange(y0.shape[1])
        active = np.setdiff1d(columns, _record(failures, columns, _not_finite(y0), t_span[0], y0,
                                               None))
        options = {"rtol": rtol, "atol": atol, "max_step": max_step}
        while active.size:  # again without the scenarios that failed: the others are
            failed = _attempt(method, rhs, y0, active, t_span, t_eval, grid.dt * _RPREC,
                              states, stats, failures, options)  # a batch without them
            if not failed.size:
                break
            active = np.setdiff1d(active, failed)
        return Solution(states, stats, failures)
    return integrate


def _attempt(method: str, rhs: Rhs, y0: np.ndarray, active: np.ndarray,
             t_span: tuple[float, float], t_eval: np.ndarray, tiny: float, states: np.ndarray,
             stats: dict, failures: dict, options: dict) -> np.ndarray:
    """Integrate the `active` scenarios into `states`; return the ones that failed.

    A scenario fails when its state is not finite after a step, or when the
    solver fails and its rates are not finite at the last state, then, `tiny`
    later or at the end of the step it tried. A solver failure no scenario
    explains raises SimulationError.
    """
    n, size = y0.shape[0], active.size
    full = y0.copy()  # the scenarios left out keep a finite state, and their rates are dropped
    every = size == y0.shape[1]

    def fun(t, flat):  # scenario-major: flat[j * n + i] is stock i of scenario j
        if every:
            return rhs(t, flat.reshape(size, n).T).T.ravel()
        full[:, active] = flat.reshape(size, n).T
        return rhs(t, full)[:, active].T.ravel()

    import scipy.integrate  # imported by the first run that needs it (cheap start-up)
    import scipy.sparse

    if method in ("Radau", "BDF"):
        options = dict(options, jac_sparsity=scipy.sparse.kron(
            scipy.sparse.identity(size, format="csr"), np.ones((n, n)), format="csr"))
    solver = getattr(scipy.integrate, method)(fun, t_span[0], y0[:, active].T.ravel(),
                                              t_span[1], **options)
    saved, stalled, reason = 0, 0, None
    while solver.status == "running" and reason is None:
        t_old, y_old = solver.t, solver.y.reshape(size, n).T.copy()
        try:
            reason = solver.step()
        except FlywheelError:
            raise
        except _SOLVER_ERRORS as error:
            reason = str(error)
        stalled = stalled + 1 if solver.t == t_old else 0
        if stalled > MAX_STALLED_STEPS:
            reason = f"no progress in {MAX_STALLED_STEPS} steps (the solution may blow up here)"
        y = solver.y.reshape(size, n).T
        if not np.isfinite(y).all():
            reason = None
            break
        upto = np.searchsorted(t_eval, solver.t, side="right")
        if upto > saved and reason is None:
            values = solver.dense_output()(t_eval[saved:upto])
            states[saved:upto][:, :, active] = values.T.reshape(upto - saved, size, n
                                                                ).transpose(0, 2, 1)
            saved = upto
    for name in ("nfev", "njev", "nlu"):
        stats[name] += int(getattr(solver, name))
    if solver.status == "finished" and reason is None:
        return np.array([], dtype=int)
    y = solver.y.reshape(size, n).T
    if reason is None:  # a state that is not finite
        return _record(failures, active, _not_finite(y), solver.t, y, (t_old, y_old))
    full[:, active] = y_old
    tried = t_old + getattr(solver, "h_abs", 0.0)  # the step that failed
    for probe in (t_old, t_old + tiny, tried):  # at once, within PySD's "same time", there
        probe = min(probe, t_span[1])
        try:
            rates = rhs(probe, full)[:, active]
        except _SOLVER_ERRORS:
            break
        bad = _record(failures, active, _not_finite(rates), probe, y_old, (t_old, y_old))
        if bad.size:
            return bad
    raise SimulationError(f"{method} integration failed at time {float(solver.t):.6g}: {reason}")


#: Method name -> integrator ``(rhs, y0, grid, *, rtol, atol, max_step) -> Solution``.
#: "euler" and "rk4" step by the grid's dt (the model's TIME STEP unless
#: overridden) and ignore rtol/atol; the others are scipy's solvers
#: (:mod:`scipy.integrate`). Every method checks the state after every step and
#: stops a scenario whose state is no longer finite (:attr:`Solution.failures`).
METHODS: dict[str, Callable[..., Solution]] = {
    "euler": _fixed(_euler_step, 1),
    "rk4": _fixed(_rk4_step, 4),
    **{name: _scipy(name) for name in _SOLVERS},
}
