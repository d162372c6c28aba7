"""Fit model constants to observations: least squares on weighted log errors.

Each observation gives one residual, ``weight x (log model - log observed)``,
with the log of the model interpolated linearly between saved times (exact
for exponential growth between them). A ``trend`` series' residuals are measured about their
mean: its unknown share of the model variable is profiled out, and it costs
one degree of freedom. A ``lower_bound`` (``upper_bound``) series' residual is
zero while the model is at or above (below) the observation, and the log
violation, times the weight, when it is not.

Parameters move in log space where their lower bound is positive, else in
linear space, within the bounds (default: the constants' Vensim ranges).
The optimiser is :func:`scipy.optimize.least_squares` (trust-region
reflective); its Jacobian is a forward difference computed in one vectorised
run of n + 1 scenarios. Approximate 95% intervals come from the Jacobian at
the fit: covariance ``s^2 (J^T J)^-1`` with ``s^2`` the residual variance,
a t quantile, mapped back from log space where the fit used it.

Runs use Euler at the model's TIME STEP, as PySD and Vensim do: a smooth
function of the parameters (apart from MIN/MAX kinks), so small forward
differences are accurate.

Examples
--------
>>> import flywheel
>>> from flywheel.calibration.fit import compare
>>> fit = compare(flywheel.load("flywheel"))
>>> fit.series_errors.index[:3].tolist()
['big_six_capex', 'hyperscaler_capex_4', 'global_datacenter_capex']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import optimize, stats

from flywheel.calibration.data import (
    CalibrationData,
    DataFileError,
    SeriesMapping,
    observations_for,
)
from flywheel.calibration.result import CalibrationResult, Comparison
from flywheel.errors import ParameterValueError
from flywheel.model import Model, load
from flywheel.params import finite_number
from flywheel.simulate import resolve_engine, simulate

__all__ = ["bound_violations", "calibrate", "compare"]

#: The log error given to a model value that is not positive and finite.
PENALTY = 50.0
#: Forward-difference step in the fit's coordinates (log or linear), relative.
STEP = 1e-6


class _Problem:
    """The model, the data and the parameters: parameter vectors to residuals."""

    def __init__(self, model, data: CalibrationData, method: str) -> None:
        self.model, self.data, self.method = model, data, method
        points = data.points
        if points.empty:
            raise DataFileError(f"no observed series maps to a variable of model "
                                f"{model.name!r}; left out: {sorted(set(data.skipped.series))}")
        self.variables = list(dict.fromkeys(points["variable"]))
        self.log_observed = np.log(points["observed"].to_numpy())
        self.weights = points["weight"].to_numpy()
        trend = points.loc[points["transform"] == "trend", "series"]
        self.trend = [np.flatnonzero(points["series"].to_numpy() == s)
                      for s in dict.fromkeys(trend)]
        self.lower = (points["transform"] == "lower_bound").to_numpy()
        self.upper = (points["transform"] == "upper_bound").to_numpy()

    @cached_property
    def engine(self) -> str:
        """The engine of every run of the fit, chosen once (one warning if it is PySD's)."""
        return resolve_engine(self.model, "auto", stacklevel=1)[0]

    def run(self, params: Mapping[str, object]):
        return simulate(self.model, params=params, method=self.method, engine=self.engine,
                        return_columns=self.variables)

    def log_errors(self, run) -> np.ndarray:
        """Log errors of every observation, shape (m,) or (m, n_scenarios).

        A bound's error is its violation: 0 while the bound holds.
        """
        return bound_violations(self.log_ratios(run), self.lower, self.upper)

    def log_ratios(self, run) -> np.ndarray:
        """``log model - log observed`` (about the series' mean for a trend series)."""
        points = self.data.points
        times = run["time"].to_numpy()
        logs = []
        for variable, time in zip(points["variable"], points["time"]):
            series = run[variable].to_numpy()
            with np.errstate(divide="ignore", invalid="ignore"):
                series = np.log(series if series.ndim == 2 else series[:, None])
            logs.append([np.interp(time, times, column) for column in series.T])
        logs = np.asarray(logs)
        errors = np.where(np.isfinite(logs), logs, -PENALTY) - self.log_observed[:, None]
        for group in self.trend:
            errors[group] -= errors[group].mean(axis=0)
        return errors if "scenario" in run.dims else errors[:, 0]

    def compare(self, run) -> Comparison:
        ratios = self.log_ratios(run)
        points = self.data.points.drop(columns=["unit", "value", "source"]).copy()
        points["model"] = np.exp(self.log_observed + ratios)
        points["log_error"] = bound_violations(ratios, self.lower, self.upper)
        shares = {}
        for group in self.trend:
            raw = np.interp(points["time"].iloc[group[0]], run["time"],
                            np.log(run[points["variable"].iloc[group[0]]]))
            shares[points["series"].iloc[group[0]]] = float(
                points["model"].iloc[group[0]] / np.exp(raw))
        return Comparison(points.reset_index(drop=True), run, shares)


def bound_violations(ratios: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Log ratios with each bound's ratio replaced by its violation (0 while it holds).

    Parameters
    ----------
    ratios : numpy.ndarray
        ``log model - log observed``, one row per observation.
    lower, upper : numpy.ndarray of bool
        The rows that are lower (upper) bounds on the model.

    Examples
    --------
    >>> ratios = np.array([0.5, -0.5, 0.5, -0.5, 0.5])
    >>> lower = np.array([True, True, False, False, False])
    >>> upper = np.array([False, False, True, True, False])
    >>> bound_violations(ratios, lower, upper).tolist()
    [0.0, -0.5, 0.5, 0.0, 0.5]
    """
    shape = (-1,) + (1,) * (np.ndim(ratios) - 1)
    lower, upper = np.reshape(lower, shape), np.reshape(upper, shape)
    return np.where(lower, np.minimum(ratios, 0.0),
                    np.where(upper, np.maximum(ratios, 0.0), ratios))


def _data(model, data, mapping) -> CalibrationData:
    if isinstance(data, CalibrationData):
        return data
    return observations_for(model, data, mapping)


def compare(model, data: CalibrationData | pd.DataFrame | str | Path | None = None, *,
            params: Mapping[str, float] | None = None,
            mapping: Mapping[str, SeriesMapping] | str | Path | None = None,
            method: str = "euler", run=None) -> Comparison:
    """The model (with `params` set, or a given run) against the observations, without fitting.

    Parameters
    ----------
    model : Model, str or path
        A loaded model, a bundled model's name or a model file's path.
    data : CalibrationData, DataFrame or path, optional
        Observations (default: the package's); a table or file is joined with
        `mapping` by :func:`flywheel.calibration.data.observations_for`.
    params : mapping, optional
        Constants to set for the run.
    mapping : dict or path, optional
        Default: the package's ``mapping.toml``.
    method : str
        Integration method (default Euler at the model's TIME STEP).
    run : xarray.Dataset, optional
        A run of `model` (one scenario, with every mapped variable) to compare
        instead of simulating; `params` and `method` are then unused.

    Returns
    -------
    Comparison

    Raises
    ------
    DataFileError
        Bad observations or mapping (see :func:`observations_for`), or no
        observed series that maps to a variable of the model.
    """
    model = model if isinstance(model, Model) else load(model)
    problem = _Problem(model, _data(model, data, mapping), method)
    return problem.compare(problem.run(dict(params or {})) if run is None
                           else run[problem.variables])


def _space(low: float, high: float) -> str:
    return "log" if low > 0 else "linear"


def calibrate(model, data: CalibrationData | pd.DataFrame | str | Path | None = None,
              params: Sequence[str] = (), *,
              bounds: Mapping[str, tuple[float, float]] | None = None,
              mapping: Mapping[str, SeriesMapping] | str | Path | None = None,
              method: str = "euler", max_nfev: int = 100) -> CalibrationResult:
    """Fit the constants `params` of `model` to the observations.

    Parameters
    ----------
    model : Model, str or path
        A loaded model, a bundled model's name or a model file's path.
    data : CalibrationData, DataFrame or path, optional
        As in :func:`compare` (default: the package's observations).
    params : sequence of str
        The constants to fit (any spelling :meth:`flywheel.Model.resolve` takes).
    bounds : mapping of str to (float, float), optional
        Bounds per constant; default its Vensim range ``[min,max]``.
    mapping : dict or path, optional
        Default: the package's ``mapping.toml``.
    method : str
        Integration method (default Euler at the model's TIME STEP).
    max_nfev : int
        Most Jacobian-free residual evaluations for the optimiser.

    Returns
    -------
    CalibrationResult

    Raises
    ------
    UnknownParameterError
        A name that is not a constant of the model.
    ParameterValueError
        No parameters, a constant without bounds, bounds that do not contain
        the default, or more parameters than observations.

    Examples
    --------
    >>> import flywheel
    >>> from flywheel.calibration.fit import calibrate
    >>> result = calibrate("flywheel", params=["Imitation Coefficient"])
    >>> result.success, result.parameters.loc["Imitation Coefficient", "space"]
    (True, 'linear')
    """
    model = model if isinstance(model, Model) else load(model)
    names = [model.resolve(n) for n in params]
    if not names:
        raise ParameterValueError("calibrate needs at least one constant in params")
    missing = [n for n in names if n not in model.constants]
    if missing:
        raise ParameterValueError(f"{', '.join(map(repr, missing))}: not constants of the model")
    limits = _bounds(model, names, bounds or {})
    problem = _Problem(model, _data(model, data, mapping), method)
    dof = len(problem.weights) - len(names) - len(problem.trend)
    if len(problem.weights) < len(names):
        raise ParameterValueError(f"{len(names)} parameters but only "
                                  f"{len(problem.weights)} observations to fit")
    log = np.array([_space(*limits[n]) == "log" for n in names])

    def to_x(values: np.ndarray) -> np.ndarray:
        out = np.array(values, dtype=float)
        out[..., log] = np.log(out[..., log])
        return out

    def to_value(x: np.ndarray) -> np.ndarray:
        out = np.array(x, dtype=float)
        with np.errstate(over="ignore"):  # an unbounded interval maps to inf
            out[..., log] = np.exp(out[..., log])
        return out

    lower = to_x(np.array([limits[n][0] for n in names]))
    upper = to_x(np.array([limits[n][1] for n in names]))
    x0 = np.clip(to_x(np.array([model.constants[n] for n in names])), lower, upper)

    def scenarios(points: np.ndarray) -> dict[str, np.ndarray]:
        values = to_value(points)
        return {n: values[:, i] for i, n in enumerate(names)}

    def residuals(x: np.ndarray) -> np.ndarray:
        params = {n: float(v) for n, v in zip(names, to_value(x))}
        return problem.weights * problem.log_errors(problem.run(params))

    def jacobian(x: np.ndarray) -> np.ndarray:
        steps = STEP * np.maximum(1.0, np.abs(x))
        steps = np.where(x + steps > upper, -steps, steps)
        points = np.vstack([x, x + np.diag(steps)])
        errors = problem.log_errors(problem.run(scenarios(points)))
        weighted = problem.weights[:, None] * errors
        return (weighted[:, 1:] - weighted[:, :1]) / steps

    before = problem.compare(problem.run({}))
    fit = optimize.least_squares(residuals, x0, jac=jacobian, bounds=(lower, upper),
                                 x_scale="jac", max_nfev=max_nfev, method="trf")
    low_ci, high_ci = _intervals(fit.x, fit.jac, fit.fun, dof)
    table = pd.DataFrame({
        "initial": [model.constants[n] for n in names], "fitted": to_value(fit.x),
        "lower": to_value(low_ci), "upper": to_value(high_ci),
        "min": [limits[n][0] for n in names], "max": [limits[n][1] for n in names],
        "space": np.where(log, "log", "linear"),
        "at_bound": np.minimum(fit.x - lower, upper - fit.x) <= 1e-4 * (upper - lower)},
        index=pd.Index(names, name="name"))
    comparison = problem.compare(problem.run({n: float(v) for n, v in
                                              zip(names, to_value(fit.x))}))
    return CalibrationResult(model.name, table, comparison, before, float(fit.cost), dof,
                             int(fit.nfev), bool(fit.success), fit.message)


def _bounds(model, names: list[str], given: Mapping[str, tuple[float, float]]):
    given = {model.resolve(n): b for n, b in given.items()}
    limits = {}
    for name in names:
        low, high = given.get(name, model.elements[name].range)
        if low is None or high is None:
            raise ParameterValueError(
                f"{name!r} has no range [min,max] in the model: give bounds={{{name!r}: (lo, hi)}}")
        low, high = finite_number(low, f"lower bound of {name!r}"), \
            finite_number(high, f"upper bound of {name!r}")
        if not low <= model.constants[name] <= high or low >= high:
            raise ParameterValueError(f"bounds ({low:g}, {high:g}) of {name!r} must be "
                                      f"increasing and contain its default "
                                      f"{model.constants[name]:g}")
        limits[name] = (low, high)
    return limits


def _intervals(x: np.ndarray, jac: np.ndarray, residuals: np.ndarray, dof: int):
    """Approximate 95% intervals in the fit's coordinates.

    NaN for a parameter the data do not determine (it has a component along
    a direction in which the residuals do not change), or when there are no
    residual degrees of freedom.
    """
    if dof <= 0:
        return np.full_like(x, np.nan), np.full_like(x, np.nan)
    _, singular, vt = np.linalg.svd(jac, full_matrices=False)
    keep = singular > singular[0] * max(jac.shape) * np.finfo(float).eps
    covariance = (vt[keep].T / singular[keep] ** 2) @ vt[keep]
    variance = np.sum(residuals**2) / dof
    spread = stats.t.ppf(0.975, dof) * np.sqrt(np.diag(covariance) * variance)
    unidentified = np.any(np.abs(vt[~keep]) > 1e-6, axis=0)  # moves along a null direction
    spread = np.where(unidentified, np.nan, spread)
    return x - spread, x + spread
