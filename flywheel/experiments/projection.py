"""Projections with uncertainty: a Latin-hypercube ensemble, summarised as quantile bands.

:func:`project` samples the uncertain constants of the model's sidecar
(``<model>.uncertainty.toml``, :mod:`flywheel.experiments.uncertainty`: the
calibrated intervals and the least-grounded assumptions) by Latin hypercube,
runs all members in **one** vectorised simulation (N scenarios), and returns
the 5/50/95% quantiles of the key outputs over the members at each time.

:func:`observed_points` gives the observations of the package data as levels
of the model variables they measure (a trend series divided by its fitted
share), for figures that draw data on the runs; :func:`history_end` says
where the fitted history ends.

Examples
--------
>>> bands = project("flywheel", n=500, seed=1, final_time=2030)
>>> bands["Tokens Served"].dims, bands.attrs["members"]
(('quantile', 'time'), 500)
>>> bool((bands["Capex"].sel(quantile=0.05) <= bands["Capex"].sel(quantile=0.95)).all())
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from flywheel.calibration.data import CalibrationData, observations_for
from flywheel.calibration.fit import compare
from flywheel.errors import DataFileError, ParameterValueError
from flywheel.experiments.problem import resolve_constant
from flywheel.experiments.sampling import sample
from flywheel.experiments.uncertainty import load_uncertainty, uncertainty_path
from flywheel.model import Model, load
from flywheel.simulate import simulate
from flywheel.vocabulary import key_outputs

__all__ = ["QUANTILES", "history_end", "observed_points", "project"]

#: The quantiles of a projection: the 90% band and the median.
QUANTILES = (0.05, 0.5, 0.95)


def _scales(model: Model, spec, names: Sequence[str]) -> dict[str, str]:
    declared = {p.name: p.scale for p in spec.parameters}
    return {n: declared.get(n, "linear") for n in names}


def project(
    model: Model | str | Path,
    *,
    n: int = 500,
    seed: int = 0,
    params: Mapping[str, float] | None = None,
    ranges: Mapping[str, tuple[float, float]] | None = None,
    outputs: Sequence[str] | None = None,
    quantiles: Sequence[float] = QUANTILES,
    members: bool = False,
    method: str = "euler",
    final_time: float | None = None,
    uncertainty: str | Path | None = None,
) -> xr.Dataset:
    """Quantile bands of `outputs` over a Latin-hypercube ensemble of `n` members.

    Parameters
    ----------
    model : Model, str or path
        A loaded model, a bundled model's name or a model file's path.
    n : int
        Members (at least 2; 500 by default, as issue 10 asks).
    seed : int
        Seed of the Latin hypercube: the same seed gives the same members.
    params : mapping, optional
        Constants set in every member (e.g. a fit's values); a sampled
        constant takes its sampled value instead.
    ranges : mapping of str to (float, float), optional
        Intervals that replace (or add to) the sidecar's, by constant name;
        a replaced constant keeps the sidecar's scale.
    outputs : sequence of str, optional
        Variables to summarise (default: :func:`flywheel.key_outputs`).
    quantiles : sequence of float
        In (0, 1); default 5%, 50%, 95%.
    members : bool
        Also return every member: variable ``"<name> (members)"`` over
        ``member`` and ``time``, with each sampled constant a coordinate.
    method : str
        Integration method (default Euler at the model's TIME STEP, as the
        calibration and PySD use).
    final_time : float, optional
        Override the model's FINAL TIME.
    uncertainty : path, optional
        The sidecar (default ``<model>.uncertainty.toml`` beside the model).

    Returns
    -------
    xarray.Dataset
        One variable per output over ``quantile`` and ``time`` (its units
        and documentation as attributes); attrs ``members``, ``seed``,
        ``method``, ``history_end`` (NaN when the sidecar does not say),
        ``sampled`` (the constants, in sampling order), ``non_finite``
        (members with a non-finite value, left out of the quantiles).

    Raises
    ------
    DataFileError
        No sidecar, or a bad one (:func:`load_uncertainty`), or nothing to sample.
    ParameterValueError
        Bad `n`, `quantiles` or ranges.
    UnknownParameterError
        A name the model does not have.
    """
    model = model if isinstance(model, Model) else load(model)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ParameterValueError(f"n must be an integer >= 2 (members), got {n!r}")
    qs = [float(q) for q in quantiles]
    if not qs or not all(0 < q < 1 for q in qs):
        raise ParameterValueError(f"quantiles must lie in (0, 1), got {list(quantiles)!r}")
    spec = load_uncertainty(model, uncertainty)
    bounds = dict(spec.ranges)
    bounds.update({resolve_constant(model, k): tuple(map(float, v))
                   for k, v in (ranges or {}).items()})
    if not bounds:
        raise DataFileError(f"{spec.path}: no [parameters] to sample")
    names = list(bounds)
    scales = _scales(model, spec, names)
    for name in names:
        low, high = bounds[name]
        if not (math.isfinite(low) and math.isfinite(high) and low < high) or (
                scales[name] == "log" and low <= 0):
            raise ParameterValueError(f"range of {name!r} must be finite and increasing"
                                      + (" and positive (log scale)" if scales[name] == "log"
                                         else "") + f", got ({low:g}, {high:g})")
    space = [[math.log(lo), math.log(hi)] if scales[k] == "log" else [lo, hi]
             for k, (lo, hi) in bounds.items()]
    draws = sample({"names": names, "bounds": space}, int(n), method="latin", seed=seed)
    columns = {k: np.exp(v) if scales[k] == "log" else v for k, v in draws.columns().items()}
    outputs = list(outputs) if outputs is not None else key_outputs(model)
    run = simulate(model, params={**dict(params or {}), **columns}, method=method,
                   final_time=final_time, return_columns=outputs)
    values = run[outputs]
    finite = np.ones(int(n), dtype=bool)
    for name in outputs:
        finite &= np.isfinite(values[name].to_numpy()).all(axis=0)
    bands = values.isel(scenario=np.flatnonzero(finite)).quantile(qs, dim="scenario")
    bands = bands.drop_vars([c for c in bands.coords if c not in ("quantile", "time")])
    for name in outputs:
        bands[name].attrs = dict(run[name].attrs)
    bands["time"].attrs = dict(run["time"].attrs)
    if members:
        ensemble = values.rename(scenario="member").assign_coords(
            member=np.arange(int(n))).transpose("member", "time")
        for name in outputs:
            bands[f"{name} (members)"] = ensemble[name]
    bands.attrs = {"model": model.name, "members": int(n), "seed": int(seed), "method": method,
                   "history_end": spec.history_end if spec.history_end is not None
                   else float("nan"),
                   "sampled": names, "non_finite": int((~finite).sum())}
    return bands


def history_end(model: Model) -> float | None:
    """Where `model`'s fitted history ends: the sidecar's ``[history] end``.

    Without a sidecar (or without that entry), the time of the latest
    observation fitted to the model; None when none is.

    Examples
    --------
    >>> import flywheel
    >>> history_end(flywheel.load("flywheel"))
    2025.5
    """
    if uncertainty_path(model).exists():
        end = load_uncertainty(model).history_end
        if end is not None:
            return end
    points = observations_for(model).points
    return None if points.empty else float(points["time"].max())


def observed_points(model: Model, run: xr.Dataset) -> pd.DataFrame:
    """The observations of the variables in `run`, as levels of those variables.

    Parameters
    ----------
    model : Model
    run : xarray.Dataset
        One run of `model` (one scenario): a trend series is divided by the
        share fitted on this run, so it sits on the variable's curve.

    Returns
    -------
    pandas.DataFrame
        series, variable, transform, time, value (in the variable's units);
        only observations within the run's times; empty when no fitted
        series measures a variable of `run` then.

    Examples
    --------
    >>> import flywheel
    >>> model = flywheel.load("flywheel")
    >>> points = observed_points(model, flywheel.simulate(model, method="euler"))
    >>> points.columns.tolist()
    ['series', 'variable', 'transform', 'time', 'value']
    """
    data = observations_for(model)
    times = run["time"].to_numpy()
    keep = data.points["variable"].isin(list(run.data_vars)) & data.points["time"].between(
        times[0], times[-1])
    columns = ["series", "variable", "transform", "time", "value"]
    if not keep.any():
        return pd.DataFrame(columns=columns)
    subset = CalibrationData(data.points[keep].reset_index(drop=True), data.skipped, data.mapping)
    comparison = compare(model, subset, run=run)
    points = comparison.points
    share = points["series"].map(comparison.shares).fillna(1.0)
    return points.assign(value=points["observed"] / share)[columns]
