"""Figures of experiments: sweeps, sensitivity indices and the Jevons threshold.

Every function takes ``ax=None``, draws on a new figure when none is given,
and returns the Axes it drew on.
"""

from __future__ import annotations

import json

import numpy as np
import xarray as xr

from flywheel.plots.style import year_axis

__all__ = ["plot_indices", "plot_phase_diagram", "plot_sweep", "plot_threshold_1d"]


def _axes(ax, size=(5.5, 3.6)):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def _label(array: xr.DataArray, name: str) -> str:
    units = array.attrs.get("units", "")
    return f"{name} [{units}]" if units else name


def _style(ax, title: str | None = None) -> None:
    if title:
        ax.set_title(title, fontsize="small", wrap=True)
    ax.tick_params(labelsize="x-small")
    ax.grid(True, alpha=0.3)


def plot_sweep(result: xr.Dataset, outcome: str | None = None, *, x: str | None = None,
               ax=None):
    """An outcome of a sweep against one of its inputs.

    A scalar outcome is drawn against `x` (a line for a one-input sweep, else
    points coloured by the next input); a series outcome as one line per run
    over time, coloured by `x`.

    Parameters
    ----------
    result : xarray.Dataset
        What :func:`flywheel.sweep` returned.
    outcome : str, optional
        One of the sweep's outcomes (default: the first).
    x : str, optional
        An input of the sweep (default: the first).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import flywheel
    >>> from flywheel.plots import plot_sweep
    >>> result = flywheel.sweep("flywheel_minimal",
    ...     {"Price Elasticity of Demand": [0.5, 1.0, 1.5]},
    ...     outcomes=["Total Compute Spend@2035/2025"], progress=False)
    >>> plot_sweep(result).get_xlabel()
    'Price Elasticity of Demand [Dmnl]'
    """
    import matplotlib as mpl

    ax = _axes(ax)
    names = json.loads(result.attrs["problem"])["names"]
    outcome = outcome or json.loads(result.attrs["outcomes"])[0]
    x = x or names[0]
    data, inputs = result[outcome], result[x].values
    others = [n for n in names if n != x]
    if "time" in data.dims:
        norm = mpl.colors.Normalize(inputs.min(), inputs.max())
        cmap = mpl.colormaps["viridis"]
        for i in np.argsort(inputs):
            ax.plot(result["time"], data[:, i], color=cmap(norm(inputs[i])), lw=0.8, alpha=0.7)
        ax.figure.colorbar(mpl.cm.ScalarMappable(norm, cmap), ax=ax, label=_label(result[x], x))
        ax.set_xlabel(_label(result["time"], "time"), fontsize="small")
        year_axis(ax)
    elif not others:
        order = np.argsort(inputs)
        ax.plot(inputs[order], data.values[order], marker=".", lw=1.4)
        ax.set_xlabel(_label(result[x], x), fontsize="small")
    else:
        points = ax.scatter(inputs, data.values, c=result[others[0]].values, s=6, cmap="viridis")
        ax.figure.colorbar(points, ax=ax, label=_label(result[others[0]], others[0]))
        ax.set_xlabel(_label(result[x], x), fontsize="small")
    ax.set_ylabel(_label(data, outcome), fontsize="small")
    _style(ax, f"{result.attrs.get('model', '')}: {data.attrs.get('description', outcome)}")
    return ax


def plot_indices(indices, ax=None):
    """Sensitivity indices: Sobol S1 and ST bars, Morris μ* against σ, or lines over time.

    Over time, each input is one colour: ST (Sobol) or μ* (Morris) solid with
    its confidence band, S1 dashed.

    Parameters
    ----------
    indices : flywheel.experiments.Indices
        What :func:`flywheel.sensitivity` returned.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    data, names = indices.data, indices.names
    sobol = indices.method == "sobol"
    keys = ("S1", "ST") if sobol else ("mu_star",)
    if "time" in data.dims:
        times = data["time"].values
        main = keys[-1]
        for i, name in enumerate(names):
            colour = f"C{i % 10}"
            value, conf = data[main].values[:, i], data[f"{main}_conf"].values[:, i]
            ax.plot(times, value, color=colour, lw=1.4, label=f"{name} {main}")
            ax.fill_between(times, value - conf, value + conf, color=colour, alpha=0.12, lw=0)
            if sobol:
                ax.plot(times, data["S1"].values[:, i], "--", color=colour, lw=1,
                        label=f"{name} S1")
        ax.set_xlabel("time", fontsize="small")
        year_axis(ax)
        ax.set_ylabel("index" if sobol else "μ*", fontsize="small")
        ax.legend(fontsize="x-small", ncol=2 if sobol else 1)
    elif sobol:
        place = np.arange(len(names))
        for offset, key in zip((-0.2, 0.2), keys):
            ax.bar(place + offset, data[key].values, 0.4, yerr=data[f"{key}_conf"].values,
                   capsize=3, label=key)
        ax.set_xticks(place, names, rotation=30, ha="right", fontsize="x-small")
        ax.set_ylabel("Sobol index", fontsize="small")
        ax.legend(fontsize="x-small")
    else:
        ax.errorbar(data["mu_star"].values, data["sigma"].values,
                    xerr=data["mu_star_conf"].values, fmt="o", ms=4, capsize=3)
        for name, mu, sigma in zip(names, data["mu_star"].values, data["sigma"].values):
            ax.annotate(name, (mu, sigma), fontsize="x-small", xytext=(4, 4),
                        textcoords="offset points")
        ax.set_xlabel("μ* (mean |elementary effect|)", fontsize="small")
        ax.set_ylabel("σ (spread of effects)", fontsize="small")
    _style(ax, f"{indices.method.capitalize()} indices of {indices.outcome}")
    return ax


def plot_phase_diagram(result: xr.Dataset, ax=None):
    """The Jevons phase diagram: spend ratio over two strengths, and its threshold.

    Colour is log10 of the spend ratio, diverging at 1 (spend flat); the
    black contour is the threshold (ratio = 1); a star marks the model's
    default strengths.

    Parameters
    ----------
    result : xarray.Dataset
        A two-strength result of :func:`flywheel.jevons_threshold`.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib as mpl

    ax = _axes(ax, (6, 4.2))
    x, y = result.attrs["x"], result.attrs["y"]
    ratio = result["spend ratio"].transpose(y, x)
    with np.errstate(divide="ignore", invalid="ignore"):
        level = np.log10(ratio.values)
    finite = level[np.isfinite(level)]
    span = max(float(np.abs(finite).max()) if finite.size else 1.0, 1e-9)
    mesh = ax.pcolormesh(result[x], result[y], level, cmap="RdBu_r", shading="nearest",
                         norm=mpl.colors.Normalize(-span, span))
    start, end = (f"{t:g}" for t in result.attrs["years"])
    ax.figure.colorbar(mesh, ax=ax, label=f"log10 {result.attrs['spend']} {end}/{start}")
    if finite.size and finite.min() < 0 < finite.max():
        ax.contour(result[x], result[y], level, levels=[0.0], colors="black", linewidths=1.5)
    ax.plot(result["threshold"].values, result[y].values, "k.", ms=3,
            label="threshold (spend ratio = 1)")
    ax.plot(result.attrs[f"default: {x}"], result.attrs[f"default: {y}"], "*", color="gold",
            mec="black", ms=12, label="model defaults")
    ax.set_xlabel(_label(result[x], x), fontsize="small")
    ax.set_ylabel(_label(result[y], y), fontsize="small")
    ax.legend(fontsize="x-small", loc="upper right")
    _style(ax, f"{result.attrs['model']}: where cheaper inference raises "
               f"{result.attrs['spend']}")
    return ax


def plot_threshold_1d(result: xr.Dataset, *, y: float | None = None, ax=None):
    """The spend ratio against the first strength, with the threshold marked.

    Parameters
    ----------
    result : xarray.Dataset
        A result of :func:`flywheel.jevons_threshold`.
    y : float, optional
        For a two-strength result, the value of the second strength to show
        (the nearest grid line); default: the model's default.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import flywheel
    >>> from flywheel.plots import plot_threshold_1d
    >>> result = flywheel.jevons_threshold("flywheel_minimal", y=None, n=5, progress=False)
    >>> plot_threshold_1d(result).get_yscale()
    'log'
    """
    ax = _axes(ax)
    x = result.attrs["x"]
    ratio, threshold = result["spend ratio"], result["threshold"]
    title = result.attrs["model"]
    if "y" in result.attrs:
        second = result.attrs["y"]
        wanted = result.attrs[f"default: {second}"] if y is None else y
        ratio = ratio.sel({second: wanted}, method="nearest")
        threshold = threshold.sel({second: wanted}, method="nearest")
        title += f", {second} = {float(ratio[second]):g}"
    start, end = (f"{t:g}" for t in result.attrs["years"])
    ax.plot(result[x], ratio, marker=".", lw=1.5, label=f"spend ratio {end}/{start}")
    ax.set_yscale("log")
    ax.axhline(1.0, color="grey", ls="--", lw=1, label="ratio 1: spend flat")
    if np.isfinite(threshold):
        ax.axvline(float(threshold), color="black", lw=1, label="threshold")
        ax.annotate(f"threshold {float(threshold):.3g}", (float(threshold), 1.0),
                    xytext=(5, 8), textcoords="offset points", fontsize="x-small")
    ax.set_xlabel(_label(result[x], x), fontsize="small")
    ax.set_ylabel(f"{result.attrs['spend']} {end}/{start}", fontsize="small")
    ax.legend(fontsize="x-small")
    _style(ax, f"{title}: spend ratio against {x}")
    return ax
