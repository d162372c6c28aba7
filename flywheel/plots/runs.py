"""Figures of simulation results over time.

Every function takes ``ax=None`` (or ``axes=None``), draws on a new figure
when none is given, and returns what it drew on. Each can draw the observed
data on the runs (``observations``: :func:`flywheel.experiments.projection.observed_points`)
and a dashed line where the fitted history ends (``history_end``).
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr
from matplotlib.ticker import MaxNLocator, StrMethodFormatter

__all__ = ["plot_bands", "plot_run", "plot_variable"]

#: Marker of an observation by its transform: levels and trends as dots, bounds as
#: triangles pointing the way the model may go.
_MARKERS = {"level": "o", "trend": "o", "lower_bound": "^", "upper_bound": "v"}


def _wants_log(values: np.ndarray) -> bool:
    """A log axis for positive series that span two decades or more."""
    finite = values[np.isfinite(values)]
    return bool(finite.size and finite.min() > 0 and finite.max() / finite.min() >= 100)


def _draw_data(ax, observations, name: str, history_end: float | None) -> None:
    """The observations of variable `name` as markers, and the end of the history."""
    if observations is not None and len(observations):
        rows = observations[observations["variable"] == name]
        for transform, group in rows.groupby("transform", sort=False):
            ax.plot(group["time"], group["value"], _MARKERS.get(transform, "o"), ms=4.5,
                    color="black", mfc="white" if transform == "trend" else "black",
                    label="observed" if transform in ("level", "trend") else
                    f"observed ({transform.replace('_', ' ')})", zorder=3)
    if history_end is not None and np.isfinite(history_end):
        ax.axvline(history_end, color="0.35", ls="--", lw=0.9, label="history ends")


def plot_variable(run: xr.Dataset, name: str, *, ax=None, log: bool | None = None,
                  observations=None, history_end: float | None = None):
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
    observations : pandas.DataFrame, optional
        Observed points (variable, transform, time, value) drawn as markers:
        dots for levels, hollow dots for trends (scaled by their share),
        triangles for bounds.
    history_end : float, optional
        Draw a dashed vertical line here.

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
    _draw_data(ax, observations, name, history_end)
    if log if log is not None else _wants_log(data.values):
        ax.set_yscale("log")
    _label(ax, run, name)
    return ax


def _label(ax, run: xr.Dataset, name: str) -> None:
    """Title with units, time axis, small ticks and a light grid."""
    data = run[name]
    units = data.attrs.get("units", "")
    ax.set_title(f"{name}" + (f"\n[{units}]" if units else ""), fontsize="small")
    ax.set_xlabel(f"time [{run['time'].attrs.get('units', '')}]", fontsize="small")
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    ax.xaxis.set_major_formatter(StrMethodFormatter("{x:g}"))
    ax.tick_params(labelsize="x-small")
    ax.grid(True, alpha=0.3)


def _scenario_labels(run: xr.Dataset) -> list[str]:
    """Each scenario's constants; the ``status`` coordinate (failed runs) is not one."""
    varying = [c for c in run.coords if c not in ("time", "scenario", "status")]
    return [
        ", ".join(f"{c}={float(run[c][i]):g}" for c in varying) or f"scenario {i}"
        for i in range(run.sizes["scenario"])
    ]


def _panels(count: int, axes):
    """`axes` flattened, or a new figure's grid of at least `count` panels (extra ones hidden)."""
    if axes is None:
        import matplotlib.pyplot as plt

        columns = min(4, count)
        rows = math.ceil(count / columns)
        _, axes = plt.subplots(
            rows, columns, figsize=(3.6 * columns, 2.8 * rows), layout="constrained",
            squeeze=False,
        )
    flat = np.asarray(axes).ravel()
    for ax in flat[count:]:
        ax.set_visible(False)
    return flat


def plot_run(run: xr.Dataset, variables: list[str], *, axes=None, title: str | None = None,
             observations=None, history_end: float | None = None):
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
    observations, history_end : optional
        Observed points and the end of the history, as in :func:`plot_variable`.

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes
        The axes drawn on (unused panels of a new figure are hidden).
    """
    flat = _panels(len(variables), axes)
    for ax, name in zip(flat, variables):
        plot_variable(run, name, ax=ax, observations=observations, history_end=history_end)
    _legend_once(flat[: len(variables)])
    if title:
        flat[0].figure.suptitle(title)
    return flat[: len(variables)]


def _legend_once(axes) -> None:
    """A legend on the first panel that shows observations or the history line."""
    for ax in axes:
        if any(not label.startswith("_") for label in ax.get_legend_handles_labels()[1]):
            if ax.get_legend() is None:
                ax.legend(fontsize="x-small")
            return


def plot_bands(bands: xr.Dataset, variables: list[str] | None = None, *, axes=None,
               observations=None, history_end: float | None = None,
               title: str | None = None):
    """Small multiples of a projection: the 5-95% band and the median of each variable.

    Parameters
    ----------
    bands : xarray.Dataset
        A result of :func:`flywheel.project` (variables over ``quantile`` and
        ``time``); the lowest and highest quantiles make the band, the one
        nearest 0.5 the line.
    variables : list of str, optional
        Default: every variable over ``quantile``.
    axes : array of matplotlib.axes.Axes, optional
        At least ``len(variables)`` axes; a new figure when None.
    observations : pandas.DataFrame, optional
        Observed points, as in :func:`plot_variable`.
    history_end : float, optional
        Default: ``bands.attrs["history_end"]``.
    title : str, optional

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes

    Examples
    --------
    >>> from flywheel.experiments.projection import project
    >>> bands = project("flywheel", n=500, seed=1, outputs=["Capex"])
    >>> ax = plot_bands(bands)[0]
    >>> ax.get_title().splitlines()[0], [line.get_xdata()[0] for line in ax.lines[1:]]
    ('Capex', [2025.5])
    """
    if variables is None:
        variables = [v for v in bands.data_vars if "quantile" in bands[v].dims]
    if history_end is None:
        history_end = bands.attrs.get("history_end")
    qs = np.asarray(bands["quantile"], dtype=float)
    low, high, middle = qs.min(), qs.max(), qs[np.argmin(np.abs(qs - 0.5))]
    flat = _panels(len(variables), axes)
    for ax, name in zip(flat, variables):
        data = bands[name]
        ax.fill_between(bands["time"], data.sel(quantile=low), data.sel(quantile=high),
                        alpha=0.3, lw=0, label=f"{low:.0%}-{high:.0%}")
        ax.plot(bands["time"], data.sel(quantile=middle), lw=1.5, label="median")
        _draw_data(ax, observations, name, history_end)
        if _wants_log(data.values):
            ax.set_yscale("log")
        _label(ax, bands, name)
    _legend_once(flat[: len(variables)])
    if title:
        flat[0].figure.suptitle(title)
    return flat[: len(variables)]
