"""Figures of a fit: each observed series against the model."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["plot_calibration"]


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
    if axes is None:
        import matplotlib.pyplot as plt

        columns = min(3, len(series))
        rows = math.ceil(len(series) / columns)
        _, grid = plt.subplots(rows, columns, figsize=(4.2 * columns, 2.9 * rows),
                               layout="constrained", squeeze=False)
        axes = grid.ravel()
        for ax in axes[len(series):]:
            ax.set_visible(False)
    axes = np.asarray(axes, dtype=object).ravel()
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
