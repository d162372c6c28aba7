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
import scipy.sparse
from scipy.integrate import solve_ivp

from flywheel.errors import SimulationError

__all__ = ["METHODS", "Solution", "TimeGrid", "time_grid"]

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


@dataclass
class Solution:
    """The states at the save times, and what it took to compute them.

    Attributes
    ----------
    states : numpy.ndarray
        Shape (n_saved, n_stocks, n_scenarios).
    stats : dict
        ``nfev`` (right-hand side calls) and, for scipy methods, ``njev``
        (Jacobian evaluations) and ``nlu`` (LU decompositions).
    """

    states: np.ndarray
    stats: dict = field(default_factory=dict)


def _fixed(step: Callable[[Rhs, float, np.ndarray, float], np.ndarray], calls: int):
    def integrate(rhs: Rhs, y0: np.ndarray, grid: TimeGrid, **_options) -> Solution:
        states = np.empty((len(grid.saved),) + y0.shape)
        save = np.zeros(len(grid.steps), bool)
        save[grid.saved] = True
        y, dt, j = y0, grid.dt, 0
        for k, t in enumerate(grid.steps):
            if save[k]:
                states[j] = y
                j += 1
            if k + 1 < len(grid.steps):
                y = step(rhs, t, y, dt)
        return Solution(states, {"nfev": calls * (len(grid.steps) - 1)})
    return integrate


def _euler_step(rhs: Rhs, t: float, y: np.ndarray, dt: float) -> np.ndarray:
    return y + rhs(t, y) * dt


def _rk4_step(rhs: Rhs, t: float, y: np.ndarray, dt: float) -> np.ndarray:
    k1 = rhs(t, y)
    k2 = rhs(t + dt / 2, y + k1 * (dt / 2))
    k3 = rhs(t + dt / 2, y + k2 * (dt / 2))
    k4 = rhs(t + dt, y + k3 * dt)
    return y + (k1 + 2 * k2 + 2 * k3 + k4) * (dt / 6)


def _scipy(method: str):
    def integrate(rhs: Rhs, y0: np.ndarray, grid: TimeGrid, *, rtol: float = 1e-6,
                  atol: float = 1e-6, max_step: float = np.inf) -> Solution:
        n, size = y0.shape
        reached = [grid.steps[0]]

        def fun(t, flat):  # scenario-major: flat[j * n + i] is stock i of scenario j
            reached[0] = t
            return rhs(t, flat.reshape(size, n).T).T.ravel()

        options = {}
        if method in ("Radau", "BDF"):
            options["jac_sparsity"] = scipy.sparse.kron(
                scipy.sparse.identity(size, format="csr"), np.ones((n, n)), format="csr")
        t_end = grid.steps[-1]
        t_eval = np.minimum(grid.steps[grid.saved], t_end)
        sol = solve_ivp(fun, (grid.steps[0], t_end), y0.T.ravel(), method=method,
                        t_eval=t_eval, rtol=rtol, atol=atol, max_step=max_step, **options)
        if sol.status != 0:
            raise SimulationError(
                f"{method} integration failed at time {float(reached[0]):.6g}: {sol.message}")
        states = sol.y.T.reshape(len(t_eval), size, n).transpose(0, 2, 1)
        stats = {"nfev": int(sol.nfev), "njev": int(sol.njev), "nlu": int(sol.nlu)}
        return Solution(np.ascontiguousarray(states), stats)
    return integrate


#: Method name -> integrator ``(rhs, y0, grid, *, rtol, atol, max_step) -> Solution``.
#: "euler" and "rk4" step by the grid's dt (the model's TIME STEP unless
#: overridden) and ignore rtol/atol; the others are :func:`scipy.integrate.solve_ivp`.
METHODS: dict[str, Callable[..., Solution]] = {
    "euler": _fixed(_euler_step, 1),
    "rk4": _fixed(_rk4_step, 4),
    **{name: _scipy(name) for name in ("RK45", "RK23", "DOP853", "LSODA", "Radau", "BDF")},
}
