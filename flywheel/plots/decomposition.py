"""Figure of a Jevons decomposition: the parts of the change in spend, stacked over time."""

from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.ticker import MaxNLocator, StrMethodFormatter

__all__ = ["plot_jevons_decomposition"]

#: Colour of each part.
_COLOURS = {"price": "C0", "non-price": "C2", "interaction": "C4", "frozen": "0.6"}


def plot_jevons_decomposition(parts: xr.Dataset, output: str | None = None, *, ax=None):
    """The parts of the change in `output` since the base year, stacked, with the total.

    Positive parts stack upwards from zero and negative parts downwards, so
    the height of the coloured area above zero less the one below it is the
    total change (the black line).

    Parameters
    ----------
    parts : xarray.Dataset
        A result of :func:`flywheel.jevons_decomposition`.
    output : str, optional
        The decomposed variable (default: the first).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from pathlib import Path
    >>> import flywheel
    >>> from flywheel.experiments.decomposition import jevons_decomposition
    >>> path = Path(flywheel.__file__).parents[1] / "tests" / "models" / "jevons_parts.mdl"
    >>> ax = plot_jevons_decomposition(jevons_decomposition(flywheel.load(path)))
    >>> [label for label in ax.get_legend_handles_labels()[1]]
    ['price', 'non-price', 'interaction', 'frozen', 'total change']
    """
    if output is None:
        output = next(name for name in parts.data_vars if "part" in parts[name].dims)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(5.5, 3.4), layout="constrained")
    time = parts["time"].to_numpy()
    data = parts[output]
    up, down = np.zeros_like(time, dtype=float), np.zeros_like(time, dtype=float)
    for part in [p for p in data["part"].values if p != "total"]:
        values = data.sel(part=part).to_numpy()
        positive, negative = np.maximum(values, 0.0), np.minimum(values, 0.0)
        colour = _COLOURS.get(str(part))
        ax.fill_between(time, up, up + positive, color=colour, alpha=0.75, lw=0, label=str(part))
        ax.fill_between(time, down, down + negative, color=colour, alpha=0.75, lw=0)
        up, down = up + positive, down + negative
    ax.plot(time, data.sel(part="total"), color="black", lw=1.5, label="total change")
    ax.axhline(0.0, color="0.3", lw=0.6)
    units = data.attrs.get("units", "")
    ax.set_title(f"Change in {output} since {parts.attrs.get('base_year', time[0]):g}"
                 + (f"\n[{units}]" if units else ""), fontsize="small")
    ax.set_xlabel(f"time [{parts['time'].attrs.get('units', '')}]", fontsize="small")
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    ax.xaxis.set_major_formatter(StrMethodFormatter("{x:g}"))
    ax.tick_params(labelsize="x-small")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="x-small", loc="upper left")
    return ax
