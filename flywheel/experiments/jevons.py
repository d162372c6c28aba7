"""The Jevons threshold: where cheaper inference starts raising total spend.

:func:`jevons_threshold` sweeps a full grid over two feedback strengths (by
default price elasticity of demand x learning rate; or one) and keeps two
outcomes of every run:

* ``spend ratio``: total compute spend at the end year over the start year
  (``Total Compute Spend@2035/2025``); above 1, spend rose;
* ``growth vs decline``: ``ln(S1/S0) / ln(c0/c1)``, the log growth of spend
  per log decline of unit inference cost; for constant-elasticity demand it
  is elasticity - 1, positive on the Jevons side.

The ``threshold`` is, for each value of the second strength, the value of the
first where the spend ratio crosses 1, found by linear interpolation of
``ln(spend ratio)`` between grid points (exact when spend is a power of unit
cost, as with constant-elasticity demand); the lowest crossing when there are
several, NaN when there is none.

Examples
--------
>>> import flywheel
>>> result = flywheel.jevons_threshold("flywheel_minimal", y=None, n=5,
...                                    bounds=[[0.5, 1.5]], progress=False)
>>> result["spend ratio"].dims
('Price Elasticity of Demand',)
>>> bool(0.5 < float(result["threshold"]) < 1.5)
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import xarray as xr

from flywheel.experiments.problem import define_problem
from flywheel.experiments.sampling import sample
from flywheel.experiments.sweep import sweep
from flywheel.model import Model, load

__all__ = ["crossing", "jevons_threshold"]


def crossing(x: np.ndarray, f: np.ndarray) -> float:
    """The lowest `x` where `f` (sampled at increasing `x`) crosses zero, interpolated.

    NaN when `f` does not change sign (NaN values are skipped).

    Examples
    --------
    >>> crossing(np.array([0.0, 1.0, 2.0]), np.array([-1.0, -0.5, 0.5]))
    1.5
    >>> crossing(np.array([0.0, 1.0]), np.array([1.0, 2.0]))
    nan
    """
    keep = np.isfinite(f)
    x, f = x[keep], f[keep]
    change = np.flatnonzero(np.sign(f[:-1]) * np.sign(f[1:]) <= 0)
    if not change.size:
        return float("nan")
    i = int(change[0])
    if f[i] == 0:
        return float(x[i])
    return float(x[i] - f[i] * (x[i + 1] - x[i]) / (f[i + 1] - f[i]))


def jevons_threshold(
    model: Model | str | Path,
    x: str = "Price Elasticity of Demand",
    y: str | None = "Learning Rate",
    *,
    n: int | Sequence[int] = (41, 21),
    bounds: Sequence[Sequence[float]] | None = None,
    spend: str = "Total Compute Spend",
    cost: str = "Unit Inference Cost",
    years: tuple[float, float] = (2025, 2035),
    params: Mapping[str, float] | None = None,
    engine: object = "local",
    workers: int = 1,
    progress: bool = True,
) -> xr.Dataset:
    """Sweep two strengths (or one) on a grid and find where spend flips.

    Parameters
    ----------
    model : Model, str or path
        The model (a bundled name, a path or a loaded model).
    x : str
        The strength on the horizontal axis, where the threshold is sought.
    y : str or None
        The second strength; None sweeps `x` alone.
    n : int or sequence of int
        Grid points: one count for every axis or one per axis.
    bounds : sequence of [min, max], optional
        One per axis; default: the constants' declared ranges.
    spend, cost : str
        The total spend and unit cost variables.
    years : (float, float)
        Start and end years of the ratio.
    params : mapping of str to float, optional
        Other constants held fixed at these values.
    engine, workers, progress
        As for :func:`flywheel.sweep`.

    Returns
    -------
    xarray.Dataset
        ``spend ratio`` and ``growth vs decline`` over the grid (dims named
        by the strengths), ``threshold`` over `y` (a scalar without `y`), in
        units of `x`. Attrs name `x`, `y`, the outcome specs and the model's
        default of each strength.

    Raises
    ------
    UnknownParameterError, ParameterValueError
        As :func:`flywheel.sweep` raises them (unknown names, years outside
        the run, reversed bounds).
    """
    model = model if isinstance(model, Model) else load(model)
    problem = define_problem(model, [x] if y is None else [x, y], bounds=bounds)
    names = problem["names"]
    grid = sample(problem, n, method="grid")
    start, end = (f"{float(t):g}" for t in years)
    specs = {
        "spend ratio": f"{spend}@{end}/{start}",
        "growth vs decline": f"growth_vs_decline:{spend},{cost}@{end}/{start}",
    }
    result = sweep(model, grid, outcomes=list(specs.values()), params=params, engine=engine,
                   workers=workers, progress=progress)
    outcomes = list(result.data_vars)
    axes = {name: np.linspace(lo, hi, k) for name, (lo, hi), k in
            zip(names, problem["bounds"], grid.n)}
    data = {}
    for label, spec in zip(specs, outcomes):
        data[label] = (names, result[spec].values.reshape(grid.n), {
            "units": "Dmnl", "description": result[spec].attrs["description"],
            "outcome": spec})
    log_ratio = np.log(data["spend ratio"][1])
    threshold = (
        ((), crossing(axes[names[0]], log_ratio)) if y is None
        else ((names[1],), [crossing(axes[names[0]], column) for column in log_ratio.T])
    )
    data["threshold"] = (*threshold, {
        "units": model.elements[names[0]].units,
        "description": f"{names[0]} where the spend ratio crosses 1",
    })
    coords = {name: (name, axes[name], {"units": model.elements[name].units}) for name in names}
    found = xr.Dataset(data, coords=coords)
    found.attrs.update(
        model=model.name,
        x=names[0],
        **({"y": names[1]} if y is not None else {}),
        spend=spend,
        cost=cost,
        years=[float(t) for t in years],
        **{f"default: {name}": model.constants[name] for name in names},
    )
    return found
