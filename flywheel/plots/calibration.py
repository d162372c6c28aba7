"""Figures of a fit: each observed series against the model; a back-test's later observations."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["plot_backtest", "plot_calibration"]


def plot_calibration(comparison, *, axes=None):
    """One panel per observed series: the model's trajectory and the observations.

    A ``trend`` series is compared with the model times the series' fitted
    share (the panel's title says so). Axes are logarithmic.

    Parameters
    ----------
    comparison : flywheel.calibration.result.Comparison
        From :func:`flywheel.calibration.compare`, or a result's
        ``comparison`` (:func:`flywheel.calibrate`).
    axes : sequence of matplotlib.axes.Axes, optional
        One per series; a new figure when None.

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes
        The panels, series in the mapping's order (unused panels hidden).

    Examples
    --------
    >>> import flywheel
    >>> from flywheel.calibration import compare
    >>> axes = plot_calibration(compare(flywheel.load("flywheel")))
    >>> axes[0].get_title()
    'big_six_capex: Capex'
    """
    points = comparison.points
    series = list(dict.fromkeys(points["series"]))
    axes = _grid(len(series)) if axes is None else np.asarray(axes, dtype=object).ravel()
    run = comparison.run
    for ax, name in zip(axes, series):
        group = points[points["series"] == name]
        variable = group["variable"].iloc[0]
        share = comparison.shares.get(name, 1.0)
        ax.plot(run["time"], run[variable] * share, lw=1.4, label="model")
        ax.plot(group["time"], group["observed"], "o", ms=5, label="observed")
        units = run[variable].attrs.get("units", "")
        title = f"{name}: {variable}" + (f" x {share:.3g}" if name in comparison.shares else "")
        ax.set_title(title, fontsize="small")
        ax.set_ylabel(units, fontsize="x-small")
        ax.set_yscale("log")
        low, high = group["time"].min(), group["time"].max()
        ax.set_xlim(min(low - 1, float(run["time"][0])), high + 1)
        ax.tick_params(labelsize="x-small")
    if len(series):
        axes[0].legend(fontsize="x-small")
    return axes


def plot_backtest(result, *, axes=None):
    """One panel per series tested by a back-test: fit, band, fitted and later observations.

    The fitted run (times the share fitted before the cutoff, for a trend
    series) with the projection's 5-95% band, the observations that were
    fitted (hollow) and the later ones (filled; triangles for bounds), and a
    dashed line at the cutoff. Axes are logarithmic.

    Parameters
    ----------
    result : flywheel.calibration.backtest.BacktestResult
    axes : sequence of matplotlib.axes.Axes, optional
        One per tested series; a new figure when None.

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes

    Examples
    --------
    >>> import flywheel
    >>> from flywheel.calibration.backtest import backtest
    >>> result = backtest(flywheel.load("flywheel"), n=500, seed=1)
    >>> axes = plot_backtest(result)
    >>> axes[0].get_title().split(":")[0] == result.points["series"].iloc[0]
    True
    """
    test = result.points
    series = list(dict.fromkeys(test["series"]))
    axes = _grid(len(series)) if axes is None else np.asarray(axes, dtype=object).ravel()
    fitted = result.fit.comparison.points
    run, bands = result.run, result.bands
    markers = {"lower_bound": "^", "upper_bound": "v"}
    for ax, name in zip(axes, series):
        group = test[test["series"] == name]
        variable, share = group["variable"].iloc[0], float(group["share"].iloc[0])
        ax.fill_between(bands["time"], bands[variable].sel(quantile=0.05) * share,
                        bands[variable].sel(quantile=0.95) * share, alpha=0.25, lw=0,
                        label="5-95% band")
        ax.plot(run["time"], run[variable] * share, lw=1.4, label="fit")
        before = fitted[fitted["series"] == name]
        ax.plot(before["time"], before["observed"], "o", ms=5, mfc="white", color="C1",
                label="fitted")
        ax.plot(group["time"], group["observed"], markers.get(group["transform"].iloc[0], "o"),
                ms=6, color="C3", label="after the cutoff")
        ax.axvline(result.cutoff, color="0.35", ls="--", lw=0.9)
        ax.set_title(f"{name}: {variable}" + (" x share" if share != 1.0 else ""),
                     fontsize="small")
        ax.set_ylabel(run[variable].attrs.get("units", ""), fontsize="x-small")
        ax.set_yscale("log")
        low = min(before["time"].min() if len(before) else result.cutoff, result.cutoff) - 1
        ax.set_xlim(low, group["time"].max() + 1)
        ax.tick_params(labelsize="x-small")
    if len(series):
        axes[0].legend(fontsize="x-small")
    return axes


def _grid(count: int) -> np.ndarray:
    """A new figure of `count` panels, three a row (unused ones hidden)."""
    import matplotlib.pyplot as plt

    columns = max(1, min(3, count))
    rows = max(1, math.ceil(count / columns))
    _, grid = plt.subplots(rows, columns, figsize=(4.2 * columns, 2.9 * rows),
                           layout="constrained", squeeze=False)
    axes = grid.ravel()
    for ax in axes[count:]:
        ax.set_visible(False)
    return axes
