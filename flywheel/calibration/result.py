"""What a fit reports: the model against each series, and the fitted parameters.

Error statistics, per series, on natural-log errors ``e = log(model) -
log(observed)`` (for a ``trend`` series measured about the series' mean, so
a constant share does not count):

* **mean absolute log error** (MALE): mean of ``|e|``; 0.1 is about 10% off;
* **worst factor**: ``exp(max |e|)``, the largest ratio between model and
  observation (1 is a perfect fit, 2 is off by a factor two).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

__all__ = ["CalibrationResult", "Comparison"]


@dataclass(frozen=True)
class Comparison:
    """A model run against the observations it is mapped to.

    Attributes
    ----------
    points : pandas.DataFrame
        One row per observation: series, variable, transform, weight, time,
        observed, model (at the observation's time, times the series' fitted
        share for a trend series), log_error.
    run : xarray.Dataset
        The run compared (the mapped variables only).
    shares : dict of str to float
        For each trend series, the factor the model is multiplied by: the
        share of the model variable that the series covers, as fitted.
    """

    points: pd.DataFrame
    run: xr.Dataset
    shares: dict[str, float]

    @property
    def series_errors(self) -> pd.DataFrame:
        """Per series: variable, transform, weight, n, mean_abs_log_error, worst_factor."""
        rows = []
        for series, group in self.points.groupby("series", sort=False):
            errors = np.abs(group["log_error"].to_numpy())
            rows.append({"series": series, "variable": group["variable"].iloc[0],
                         "transform": group["transform"].iloc[0],
                         "weight": group["weight"].iloc[0], "n": len(group),
                         "mean_abs_log_error": float(errors.mean()),
                         "worst_factor": float(np.exp(errors.max()))})
        return pd.DataFrame(rows).set_index("series")

    @property
    def weighted_mean_abs_log_error(self) -> float:
        """Mean of ``|log error|`` over all observations, weighted by the series' weights."""
        weights = self.points["weight"].to_numpy()
        return float(np.sum(weights * np.abs(self.points["log_error"])) / np.sum(weights))

    def table(self) -> str:
        """The per-series errors as plain text."""
        from flywheel.cli.common import format_table

        errors = self.series_errors
        rows = [[name, row["variable"], row["transform"], f"{row['weight']:g}", row["n"],
                 f"{row['mean_abs_log_error']:.3f}", f"{row['worst_factor']:.2f}"]
                for name, row in errors.iterrows()]
        return format_table(rows, ["series", "variable", "transform", "weight", "n", "MALE",
                                   "worst x"], [29, 28, 11, 6, 2, 6, 7])

    def plot(self, axes=None):
        """Each series against the model: see :func:`flywheel.plots.plot_calibration`."""
        from flywheel.plots.calibration import plot_calibration

        return plot_calibration(self, axes=axes)


@dataclass(frozen=True)
class CalibrationResult:
    """The result of :func:`flywheel.calibrate`.

    Attributes
    ----------
    model : str
        The model's name.
    parameters : pandas.DataFrame
        Indexed by constant name: initial, fitted, lower and upper (the
        approximate 95% confidence interval), min and max (the bounds),
        space ("log" or "linear": where the fit moved it), at_bound.
    comparison : Comparison
        The fitted model against the data.
    before : Comparison
        The model with its initial values against the same data.
    cost : float
        Half the sum of squared weighted residuals at the fit.
    dof : int
        Residual degrees of freedom: observations less parameters less the
        shares profiled out of trend series.
    nfev : int
        Residual evaluations (each one simulation).
    success : bool
    message : str
        The optimiser's.
    """

    model: str
    parameters: pd.DataFrame
    comparison: Comparison
    before: Comparison
    cost: float
    dof: int
    nfev: int
    success: bool
    message: str

    @property
    def values(self) -> dict[str, float]:
        """Constant name to fitted value: pass it as ``params`` to :func:`flywheel.simulate`."""
        return {name: float(v) for name, v in self.parameters["fitted"].items()}

    @property
    def series_errors(self) -> pd.DataFrame:
        """Per-series errors of the fitted model (:attr:`Comparison.series_errors`)."""
        return self.comparison.series_errors

    def report(self) -> str:
        """The fit as readable text: parameters with intervals, then per-series errors."""
        from flywheel.cli.common import format_table

        rows = [[name, f"{row.initial:.4g}", f"{row.fitted:.4g}",
                 f"[{row.lower:.4g}, {row.upper:.4g}]", f"[{row['min']:g}, {row['max']:g}]",
                 row.space + (" at bound" if row.at_bound else "")]
                for name, row in self.parameters.iterrows()]
        parameters = format_table(rows, ["parameter", "initial", "fitted", "95% interval",
                                         "bounds", "space"], [32, 9, 9, 22, 16, 15])
        before = self.before.weighted_mean_abs_log_error
        after = self.comparison.weighted_mean_abs_log_error
        return "\n".join([
            f"Calibration of {self.model}: {len(self.comparison.points)} observations, "
            f"{len(self.parameters)} parameters, {self.dof} residual degrees of freedom; "
            f"{self.nfev} evaluations; {self.message}",
            f"weighted mean absolute log error {before:.3f} -> {after:.3f}", "",
            parameters, "", self.comparison.table()])

    def plot(self, axes=None):
        """Each series against the fitted model (:func:`flywheel.plots.plot_calibration`)."""
        return self.comparison.plot(axes=axes)
