"""Back-test: fit the observations up to a cutoff, then measure the error on the later ones.

:func:`backtest` fits the constants (by default those the model's uncertainty
sidecar marks ``calibrated``) to the observations at or before `cutoff` with
:func:`flywheel.calibration.calibrate`, runs the fitted model on, and reports
each later observation's error in the sense of its series' transform
(``mapping.toml``):

* ``level``: ``log(model / observed)``;
* ``trend``: the same, with the model times the share fitted on the series'
  points before the cutoff (NaN when it has none: its growth cannot be tested);
* ``lower_bound`` / ``upper_bound``: the log violation, 0 while the bound holds
  (``log_ratio`` still says by how much the model clears it).

It also runs a projection ensemble (:func:`flywheel.project`) around the fit,
with the fitted constants sampled over their back-test 95% intervals (the
sidecar's interval where the fit gives none) and the other uncertain
constants over the sidecar's, and counts the later observations its 5-95%
band covers (a lower bound is covered when the band reaches above it, an
upper bound when it reaches below). A series whose ``prior_from`` (the year
of the data a prior behind it was built from) is after the cutoff is named:
its error is not an out-of-sample test.

Examples
--------
>>> import flywheel
>>> from flywheel.calibration.backtest import backtest
>>> result = backtest(flywheel.load("flywheel"), cutoff=2024.99, n=500, seed=1)
>>> result.to_frame().columns[:5].tolist()
['series', 'variable', 'transform', 'weight', 'time']
>>> bool((result.to_frame()["time"] > 2024.99).all())
True
>>> 0 <= result.covered <= len(result.points)
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from flywheel.calibration.data import (
    CalibrationData,
    DataFileError,
    SeriesMapping,
    observations_for,
)
from flywheel.calibration.fit import bound_violations, calibrate, compare
from flywheel.calibration.result import CalibrationResult
from flywheel.errors import ParameterValueError
from flywheel.model import Model, load
from flywheel.params import finite_number

__all__ = ["BacktestResult", "backtest"]

#: Columns of :meth:`BacktestResult.to_frame`.
COLUMNS = ["series", "variable", "transform", "weight", "time", "observed", "share", "model",
           "log_ratio", "error", "band_low", "band_high", "covered", "prior_from",
           "prior_after_cutoff"]


@dataclass(frozen=True)
class BacktestResult:
    """What :func:`backtest` found.

    Attributes
    ----------
    model : str
    cutoff : float
        Observations at or before it were fitted; the later ones are the test set.
    fit : CalibrationResult
        The fit to the observations up to the cutoff.
    points : pandas.DataFrame
        One row per later observation (:data:`COLUMNS`): observed and model
        (times ``share``: 1, or for a trend the share fitted before the
        cutoff) in the variable's units,
        ``log_ratio`` = log(model/observed), ``error`` in the transform's
        sense, the projection's 5% and 95% at that time (``band_low``,
        ``band_high``, in the observation's terms), ``covered``, and the
        series' ``prior_from`` with whether it is after the cutoff.
    run : xarray.Dataset
        The fitted model's run (the mapped variables).
    bands : xarray.Dataset
        The projection around the fit (:func:`flywheel.project`).
    """

    model: str
    cutoff: float
    fit: CalibrationResult
    points: pd.DataFrame
    run: xr.Dataset
    bands: xr.Dataset

    def to_frame(self) -> pd.DataFrame:
        """The table of later observations (a copy of :attr:`points`)."""
        return self.points.copy()

    to_df = to_frame

    @property
    def covered(self) -> int:
        """How many later observations the projection's 5-95% band covers."""
        return int(self.points["covered"].sum())

    @property
    def named_priors(self) -> list[str]:
        """Series tested here whose prior was built from data after the cutoff."""
        return sorted(set(self.points.loc[self.points["prior_after_cutoff"], "series"]))

    def table(self) -> str:
        """The later observations and their errors as plain text."""
        from flywheel.cli.common import format_table

        rows = [[row.series + (" *" if row.prior_after_cutoff else ""), row.transform,
                 f"{row.time:g}", f"{row.observed:.4g}", f"{row.model:.4g}",
                 f"{row.log_ratio:+.3f}", f"{row.error:+.3f}",
                 f"[{row.band_low:.3g}, {row.band_high:.3g}]", "yes" if row.covered else "no"]
                for row in self.points.itertuples()]
        return format_table(rows, ["series", "transform", "time", "observed", "model",
                                   "log ratio", "error", "5-95% band", "covered"],
                            [29, 11, 7, 9, 9, 9, 7, 21, 7])

    def report(self) -> str:
        """The fit, then the errors after the cutoff and the bands' coverage."""
        errors = self.points["error"].to_numpy()
        finite = errors[np.isfinite(errors)]
        lines = [
            f"Back-test of {self.model}: fitted {len(self.fit.comparison.points)} observations "
            f"up to {self.cutoff:g}, tested on {len(self.points)} after it",
            "", self.fit.report(), "",
            f"After {self.cutoff:g}: mean absolute error {np.abs(finite).mean():.3f} "
            f"(natural log; {len(finite)} observations with an error), worst factor "
            f"{np.exp(np.abs(finite).max()):.2f}; the 5-95% band of "
            f"{self.bands.attrs['members']} members covers {self.covered} of "
            f"{len(self.points)}" if finite.size else
            f"After {self.cutoff:g}: no observation with a defined error",
            "", self.table()]
        if self.named_priors:
            lines += ["", "* a prior behind this series was built from data after the cutoff "
                      f"(prior_from in mapping.toml): {', '.join(self.named_priors)}; its error "
                      "is not out of sample"]
        return "\n".join(lines)

    def plot(self, axes=None):
        """Each tested series: the fit, its band, the fitted and the later observations.

        See :func:`flywheel.plots.calibration.plot_backtest`.
        """
        from flywheel.plots.calibration import plot_backtest

        return plot_backtest(self, axes=axes)


def _as_levels(data: CalibrationData) -> CalibrationData:
    """Every point as a ``level``: :func:`compare` then gives raw log ratios."""
    mapping = {name: SeriesMapping(entry.series, entry.variable, "level", entry.weight,
                                   entry.proxy, entry.rationale, entry.unit, entry.prior_from)
               for name, entry in data.mapping.items()}
    return CalibrationData(data.points.assign(transform="level"), data.skipped, mapping)


def _calibrated(model: Model, uncertainty) -> list[str]:
    from flywheel.experiments.uncertainty import load_uncertainty

    names = [p.name for p in load_uncertainty(model, uncertainty).parameters if p.calibrated]
    if not names:
        raise ParameterValueError(f"no constant of model {model.name!r} is marked calibrated in "
                                  "its uncertainty file: give params")
    return names


def _ranges(fit: CalibrationResult) -> dict[str, tuple[float, float]]:
    """The fitted constants' 95% intervals, cut at their bounds; none where undetermined."""
    ranges = {}
    for name, row in fit.parameters.iterrows():
        low, high = max(row["lower"], row["min"]), min(row["upper"], row["max"])
        if np.isfinite(low) and np.isfinite(high) and low < row["fitted"] < high:
            ranges[name] = (float(low), float(high))
    return ranges


def _log_interp(time: float, times: np.ndarray, values: np.ndarray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.exp(np.interp(time, times, np.log(values))))


def backtest(
    model: Model | str | Path,
    cutoff: float = 2024.99,
    params: Sequence[str] | None = None,
    *,
    data: CalibrationData | pd.DataFrame | str | Path | None = None,
    mapping: Mapping[str, SeriesMapping] | str | Path | None = None,
    bounds: Mapping[str, tuple[float, float]] | None = None,
    n: int = 500,
    seed: int = 0,
    method: str = "euler",
    uncertainty: str | Path | None = None,
    max_nfev: int = 100,
) -> BacktestResult:
    """Fit the observations up to `cutoff`; report each later observation's error.

    Parameters
    ----------
    model : Model, str or path
    cutoff : float
        The last time that is fitted (default 2024.99: the 2025 observations
        are the test set).
    params : sequence of str, optional
        The constants to fit; default: those marked ``calibrated`` in the
        model's uncertainty file.
    data, mapping, bounds, method, max_nfev
        As in :func:`flywheel.calibrate`.
    n, seed
        Members and seed of the projection ensemble (:func:`flywheel.project`).
    uncertainty : path, optional
        The model's uncertainty file (default beside the model).

    Returns
    -------
    BacktestResult

    Raises
    ------
    DataFileError
        No observation after the cutoff, or none up to it, or bad data.
    ParameterValueError
        A bad cutoff, no constants to fit, or too few observations for them.
    """
    from flywheel.experiments.projection import project

    model = model if isinstance(model, Model) else load(model)
    cutoff = finite_number(cutoff, "cutoff")
    names = list(params) if params else _calibrated(model, uncertainty)
    everything = data if isinstance(data, CalibrationData) else observations_for(model, data,
                                                                                 mapping)
    before = (everything.points["time"] <= cutoff).to_numpy()
    if before.all() or not before.any():
        raise DataFileError(f"cutoff {cutoff:g}: the fitted observations run from "
                            f"{everything.points['time'].min():g} to "
                            f"{everything.points['time'].max():g}; a back-test needs some "
                            "on each side")
    train = CalibrationData(everything.points[before].reset_index(drop=True),
                            everything.skipped, everything.mapping)
    fit = calibrate(model, train, names, bounds=bounds, method=method, max_nfev=max_nfev)
    raw = compare(model, _as_levels(everything), params=fit.values, method=method)
    points = everything.points.assign(log_ratio=raw.points["log_error"].to_numpy())
    # A trend series is tested against the share fitted on its points before the cutoff.
    offsets = points[before & (points["transform"] == "trend").to_numpy()].groupby(
        "series")["log_ratio"].mean()
    trend = (points["transform"] == "trend").to_numpy()
    shift = np.where(trend, points["series"].map(offsets).to_numpy(dtype=float), 0.0)
    test = points[~before].copy()
    test["log_ratio"] = test["log_ratio"] - shift[~before]
    test["model"] = test["observed"] * np.exp(test["log_ratio"])
    test["share"] = np.exp(-shift[~before])  # observation terms = model terms x share
    test["error"] = bound_violations(test["log_ratio"].to_numpy(),
                                     (test["transform"] == "lower_bound").to_numpy(),
                                     (test["transform"] == "upper_bound").to_numpy())
    bands = project(model, n=n, seed=seed, params=fit.values, ranges=_ranges(fit),
                    outputs=list(dict.fromkeys(test["variable"])), method=method,
                    uncertainty=uncertainty)
    times = bands["time"].to_numpy()
    share = test["share"].to_numpy()
    low = [_log_interp(t, times, bands[v].sel(quantile=0.05).to_numpy()) * s
           for v, t, s in zip(test["variable"], test["time"], share)]
    high = [_log_interp(t, times, bands[v].sel(quantile=0.95).to_numpy()) * s
            for v, t, s in zip(test["variable"], test["time"], share)]
    test["band_low"], test["band_high"] = low, high
    observed = test["observed"].to_numpy()
    kind = test["transform"].to_numpy()
    test["covered"] = np.where(kind == "lower_bound", test["band_high"] >= observed,
                               np.where(kind == "upper_bound", test["band_low"] <= observed,
                                        (test["band_low"] <= observed)
                                        & (observed <= test["band_high"])))
    prior = test["series"].map(lambda s: everything.mapping[s].prior_from)
    test["prior_from"] = prior.astype(float)
    test["prior_after_cutoff"] = (test["prior_from"] > cutoff).to_numpy()
    return BacktestResult(model.name, cutoff, fit, test[COLUMNS].reset_index(drop=True),
                          raw.run, bands)
