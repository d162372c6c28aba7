"""Several labelled runs on the same axes, with observations and the end of history.

The figure behind the workshop page's "download PNG": the current run, the
defaults and the pinned scenarios, one panel per output.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
import xarray as xr

from flywheel.plots.style import year_axis

__all__ = ["plot_scenarios"]

#: Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
COLOURS = ("#000000", "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00",
           "#f0e442")


def plot_scenarios(runs: Mapping[str, xr.Dataset], variables: list[str], *,
                   observations: pd.DataFrame | None = None, history_end: float | None = None,
                   axes=None):
    """One panel per variable, one line per labelled run, a legend on every panel.

    Parameters
    ----------
    runs : mapping of str to xarray.Dataset
        Label to a single-scenario result of :func:`flywheel.simulate`; a
        label ``"defaults"`` is drawn as a thick grey line behind the others.
    variables : list of str
    observations : pandas.DataFrame, optional
        Columns ``variable``, ``time``, ``observed`` (model units), drawn as dots.
    history_end : float, optional
        A dotted vertical line where history ends and the projection starts.
    axes : array of matplotlib.axes.Axes, optional
        At least ``len(variables)`` axes; a new figure when None.

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes

    Examples
    --------
    >>> import flywheel
    >>> from flywheel.plots import plot_scenarios
    >>> base = flywheel.simulate("flywheel_minimal")
    >>> low = flywheel.simulate("flywheel_minimal", params={"Learning Rate": 0.1})
    >>> axes = plot_scenarios({"defaults": base, "learning 0.1": low}, ["Tokens Served"])
    >>> [t.get_text() for t in axes[0].get_legend().get_texts()]
    ['defaults', 'learning 0.1']
    """
    from flywheel.plots.runs import _wants_log

    if axes is None:
        import matplotlib.pyplot as plt

        columns = min(4, len(variables))
        rows = math.ceil(len(variables) / columns)
        _, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.2 * rows),
                               layout="constrained", squeeze=False)
    flat = np.asarray(axes).ravel()
    colours = iter(COLOURS)
    styles = {label: ({"color": "0.7", "lw": 3.5, "zorder": 1} if label == "defaults"
                      else {"color": next(colours), "lw": 1.6, "zorder": 2})
              for label in runs}
    for ax, name in zip(flat, variables):
        for label, run in runs.items():
            ax.plot(run["time"], run[name], label=label, **styles[label])
        if observations is not None:
            points = observations[observations["variable"] == name]
            if len(points):
                ax.plot(points["time"], points["observed"], "o", color="#d55e00", ms=4,
                        label="observed", zorder=3)
        if history_end is not None:
            ax.axvline(history_end, color="0.35", ls=":", lw=1.2, label="history ends")
        values = np.concatenate([np.ravel(run[name].values) for run in runs.values()])
        if _wants_log(values):
            ax.set_yscale("log")
        units = next(iter(runs.values()))[name].attrs.get("units", "")
        ax.set_title(name, fontsize="small", wrap=True)
        ax.set_ylabel(units, fontsize="x-small")
        year_axis(ax)
        ax.tick_params(labelsize="x-small")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="xx-small")
    for ax in flat[len(variables):]:
        ax.set_visible(False)
    return flat[: len(variables)]
