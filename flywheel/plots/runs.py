"""Figures of simulation results over time.

Every function takes ``ax=None`` (or ``axes=None``), draws on a new figure
when none is given, and returns what it drew on.
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr
from matplotlib.ticker import MaxNLocator, StrMethodFormatter

__all__ = ["plot_run", "plot_variable"]


def _wants_log(values: np.ndarray) -> bool:
    """A log axis for positive series that span two decades or more."""
    finite = values[np.isfinite(values)]
    return bool(finite.size and finite.min() > 0 and finite.max() / finite.min() >= 100)


def plot_variable(run: xr.Dataset, name: str, *, ax=None, log: bool | None = None):
    """Plot variable `name` of `run` over time, one line per scenario (or per run of a knockout).

    Parameters
    ----------
    run : xarray.Dataset
        A result of :func:`flywheel.simulate`.
    name : str
        A data variable of `run`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    log : bool, optional
        Log scale on y; by default when the series spans two decades or more.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import flywheel
    >>> from flywheel.plots import plot_variable
    >>> run = flywheel.simulate("flywheel_minimal")
    >>> plot_variable(run, "Tokens Served").get_yscale()
    'log'
    """
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(5, 3.2), layout="constrained")
    data = run[name]
    lines = [dim for dim in data.dims if dim != "time"]  # scenario, or a knockout's run
    if lines:
        dim = lines[0]
        labels = (_scenario_labels(run) if dim == "scenario"
                  else [str(value) for value in run[dim].values])
        for index, label in enumerate(labels):
            ax.plot(run["time"], data.isel({dim: index}), label=label, lw=1.2)
        if len(labels) <= 8:
            ax.legend(fontsize="x-small")
    else:
        ax.plot(run["time"], data, lw=1.6)
    if log if log is not None else _wants_log(data.values):
        ax.set_yscale("log")
    units = data.attrs.get("units", "")
    ax.set_title(f"{name}" + (f"\n[{units}]" if units else ""), fontsize="small")
    ax.set_xlabel(f"time [{run['time'].attrs.get('units', '')}]", fontsize="small")
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    ax.xaxis.set_major_formatter(StrMethodFormatter("{x:g}"))
    ax.tick_params(labelsize="x-small")
    ax.grid(True, alpha=0.3)
    return ax


def _scenario_labels(run: xr.Dataset) -> list[str]:
    varying = [c for c in run.coords if c not in ("time", "scenario")]
    return [
        ", ".join(f"{c}={float(run[c][i]):g}" for c in varying) or f"scenario {i}"
        for i in range(run.sizes["scenario"])
    ]


def plot_run(run: xr.Dataset, variables: list[str], *, axes=None, title: str | None = None):
    """Small multiples: one panel per variable of `run`.

    Parameters
    ----------
    run : xarray.Dataset
        A result of :func:`flywheel.simulate`.
    variables : list of str
        The data variables to show, in order.
    axes : array of matplotlib.axes.Axes, optional
        At least ``len(variables)`` axes; a new figure when None.
    title : str, optional
        A title over the whole figure.

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes
        The axes drawn on (unused panels of a new figure are hidden).
    """
    if axes is None:
        import matplotlib.pyplot as plt

        columns = min(4, len(variables))
        rows = math.ceil(len(variables) / columns)
        _, axes = plt.subplots(
            rows, columns, figsize=(3.6 * columns, 2.8 * rows), layout="constrained",
            squeeze=False,
        )
    flat = np.asarray(axes).ravel()
    for ax, name in zip(flat, variables):
        plot_variable(run, name, ax=ax)
    for ax in flat[len(variables):]:
        ax.set_visible(False)
    if title:
        flat[0].figure.suptitle(title)
    return flat[: len(variables)]
