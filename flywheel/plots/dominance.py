"""Loop dominance over time: relative loop scores, stacked.

Examples
--------
>>> import flywheel
>>> from flywheel.plots import plot_loop_dominance
>>> ax = plot_loop_dominance(flywheel.loop_dominance("flywheel_minimal"))
>>> ax.get_ylabel()
'relative loop score'
"""

from __future__ import annotations

import numpy as np

from flywheel.plots.style import year_axis
import xarray as xr

__all__ = ["plot_loop_dominance"]

_WARM = ("#c0392b", "#e67e22", "#f1c40f", "#d35400", "#e74c3c", "#a04000", "#f5b041",
         "#922b21")
_MIXED = ("#8e7cc3", "#6aa84f", "#b45f06", "#3d85c6", "#c27ba0", "#45818e", "#bf9000",
          "#674ea7")
_COOL = ("#2471a3", "#17a589", "#7d3c98", "#2e86c1", "#1abc9c", "#5b2c6f", "#48c9b0",
         "#1f618d")


def plot_loop_dominance(dominance: xr.Dataset, *, partition: int | None = None,
                        scenario: int | None = None, top: int = 8, ax=None):
    """Stacked relative loop scores of one cycle partition over time.

    Reinforcing loops (warm colours) stack upwards from zero and balancing
    loops (cool colours) downwards, so the height of each band is the
    loop's share of the partition's behaviour at that time.

    Parameters
    ----------
    dominance : xarray.Dataset
        A result of :func:`flywheel.loop_dominance`, or of
        :func:`flywheel.loop_families` (then the bands are the families' relative
        scores; families of mixed polarity get muted colours, "other" grey).
    partition : int, optional
        The cycle partition to show (default: the one whose loops score most).
    scenario : int, optional
        Which scenario of a run with scenarios (default: the first).
    top : int
        Show the `top` loops with the largest mean |relative score| by name;
        the others are drawn as one grey band per sign ("other loops").
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        A partition or scenario the result does not have.
    """
    kind = "family" if "relative_family_score" in dominance else "loop"
    rel = dominance[f"relative_{kind}_score"]
    if "scenario" in rel.dims:
        rel = rel.isel(scenario=scenario or 0)
    elif scenario not in (None, 0):
        raise ValueError(f"the result has no scenarios; got scenario={scenario}")
    partitions = dominance["partition"].values
    if partition is None:
        weight = {p: float(np.nansum(np.abs(rel.values[:, partitions == p])))
                  for p in np.unique(partitions)}
        partition = max(weight, key=weight.get) if weight else 0
    members = np.flatnonzero(partitions == partition)
    if members.size == 0:
        raise ValueError(f"no cycle partition {partition}; the result has partitions "
                         f"{sorted(set(partitions.tolist()))}")
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(9, 4.8), layout="constrained")
    times = dominance["time"].values
    values = np.nan_to_num(rel.values[:, members])
    strength = np.abs(values).mean(axis=0)
    order = np.argsort(-strength, kind="stable")
    shown, rest = order[:top], order[top:]
    ids = dominance[kind].values[members]
    names = dominance[f"{kind}_name"].values[members]
    polarity = dominance[f"{kind}_polarity"].values[members]
    up, down = np.zeros(times.size), np.zeros(times.size)
    warm, cool, mixed = iter(_WARM * 4), iter(_COOL * 4), iter(_MIXED * 4)
    for j in shown:
        series = values[:, j]
        color = (next(warm) if polarity[j] == "reinforcing" else next(cool)
                 if polarity[j] == "balancing" else "#bfc9ca" if str(ids[j]).startswith("other")
                 else next(mixed))
        label = f"{ids[j]} {names[j]}".strip()
        positive, negative = np.clip(series, 0, None), np.clip(series, None, 0)
        ax.fill_between(times, up, up + positive, color=color, alpha=0.85, lw=0, label=label,
                        step=None)
        ax.fill_between(times, down, down + negative, color=color, alpha=0.85, lw=0)
        up, down = up + positive, down + negative
    if rest.size:
        other = values[:, rest]
        positive, negative = np.clip(other, 0, None).sum(1), np.clip(other, None, 0).sum(1)
        ax.fill_between(times, up, up + positive, color="#bfc9ca", lw=0,
                        label=f"{rest.size} other " + (
                            kind if rest.size == 1 else {"loop": "loops", "family": "families"}[kind]))
        ax.fill_between(times, down, down + negative, color="#bfc9ca", lw=0)
    ax.axhline(0, color="black", lw=0.8)
    ax.set_ylim(-1.02, 1.02)
    ax.set_xlim(times[0], times[-1])
    year_axis(ax)
    ax.set_ylabel(f"relative {kind} score")
    units = dominance["time"].attrs.get("units", "")
    ax.set_xlabel(f"time [{units}]" if units else "time")
    title = f"{dominance.attrs.get('model', '')}: loop dominance" + (
        " by family" if kind == "family" else "")
    if len(np.unique(partitions)) > 1:
        title += f" (partition {partition})"
    ax.set_title(title, wrap=True)
    ax.text(0.005, 0.98, "reinforcing \u2191", transform=ax.transAxes, va="top",
            fontsize="small", color=_WARM[0])
    ax.text(0.005, 0.02, "balancing \u2193", transform=ax.transAxes, va="bottom",
            fontsize="small", color=_COOL[0])
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize="small", frameon=False)
    ax.grid(True, alpha=0.3)
    return ax
