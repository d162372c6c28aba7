"""Sensitivity indices of a sweep's outcome: Sobol and Morris, via SALib.

:func:`sensitivity` takes the Dataset :func:`flywheel.sweep` returned (it
carries the problem and how it was sampled) and one of its outcomes. A scalar
outcome gives one index per input; a series gives indices per saved time.

* ``"sobol"`` (samples from ``sample(..., method="sobol")``): first-order
  ``S1`` and total-order ``ST`` indices with bootstrap confidence intervals
  ``S1_conf``, ``ST_conf`` (half-widths at `conf_level`), and ``S2``/``S2_conf``
  when sampled for second order (Saltelli 2010 estimators, SALib).
* ``"morris"`` (samples from ``sample(..., method="morris")``): ``mu``,
  ``mu_star`` (mean absolute elementary effect: the ranking), ``sigma``
  (spread: interaction or non-linearity) and ``mu_star_conf``.

An outcome that does not vary at some time (every run equal, e.g. a stock at
the initial time) has undefined variance-based indices: they are NaN there.

Examples
--------
>>> import flywheel
>>> model = flywheel.load("flywheel_minimal")
>>> problem = flywheel.define_problem(model, ["Price Elasticity of Demand", "Learning Rate"])
>>> samples = flywheel.sample(problem, 2, method="morris", seed=3)
>>> result = flywheel.sweep(model, samples, outcomes=["Total Compute Spend@2035/2025"])
>>> indices = flywheel.sensitivity(result)
>>> list(indices.to_df().columns)
['mu', 'mu_star', 'sigma', 'mu_star_conf']
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from typing import TYPE_CHECKING

import numpy as np

from flywheel.errors import ParameterValueError
from flywheel.experiments.outcomes import parse_outcome

if TYPE_CHECKING:  # imported where used (cheap start-up)
    import pandas as pd
    import xarray as xr

__all__ = ["METHODS", "Indices", "sensitivity"]


@dataclass(frozen=True, eq=False)
class Indices:
    """Sensitivity indices of one outcome.

    Attributes
    ----------
    method : {"sobol", "morris"}
    outcome : str
        The outcome's spec.
    data : xarray.Dataset
        One variable per index (``S1``, ``S1_conf``, ``ST``, ``ST_conf`` and
        ``S2``, ``S2_conf`` over ``input`` x ``input_2``; or ``mu``,
        ``mu_star``, ``sigma``, ``mu_star_conf``), over ``input`` and, for a
        series outcome, ``time``.
    """

    method: str
    outcome: str
    data: xr.Dataset

    @property
    def names(self) -> list[str]:
        """The inputs, in the problem's order."""
        return [str(n) for n in self.data["input"].values]

    def to_df(self) -> pd.DataFrame:
        """A table: one row per input (per time for a series), one column per index.

        Second-order Sobol indices, a matrix, stay in ``data["S2"]``.
        """
        columns = [v for v in self.data.data_vars if "input_2" not in self.data[v].dims]
        order = [d for d in ("time", "input") if d in self.data.dims]
        return self.data[columns].to_dataframe(dim_order=order)[columns]

    def plot(self, ax=None):
        """Bars with confidence intervals (Sobol), μ* against σ (Morris), or lines over time.

        Returns
        -------
        matplotlib.axes.Axes
        """
        from flywheel.plots.experiments import plot_indices

        return plot_indices(self, ax=ax)


def _sobol(problem: dict, x: np.ndarray, y: np.ndarray, attrs: dict, options: dict) -> dict:
    from SALib.analyze import sobol

    second = bool(attrs.get("second_order", 1))
    found = sobol.analyze(dict(problem), y, calc_second_order=second, **options)
    keys = ["S1", "S1_conf", "ST", "ST_conf"] + (["S2", "S2_conf"] if second else [])
    return {k: np.asarray(found[k], dtype=float) for k in keys}


def _morris(problem: dict, x: np.ndarray, y: np.ndarray, attrs: dict, options: dict) -> dict:
    from SALib.analyze import morris

    found = morris.analyze(dict(problem), x, y, num_levels=int(attrs.get("levels", 4)), **options)
    keys = ("mu", "mu_star", "sigma", "mu_star_conf")
    return {k: np.asarray(found[k], dtype=float) for k in keys}


#: Analysis method to the SALib analysis it runs.
METHODS: dict[str, Callable[..., dict]] = {"sobol": _sobol, "morris": _morris}


def _outcome_name(result: xr.Dataset, outcome: str | None) -> str:
    specs = json.loads(result.attrs.get("outcomes", "[]"))
    if outcome is None:
        if len(specs) != 1:
            raise ParameterValueError(
                f"name the outcome to analyse; the sweep has {', '.join(map(repr, specs))}"
            )
        return specs[0]
    if outcome in result.data_vars:
        return outcome
    by_key = {s.lower(): s for s in specs}
    key = parse_outcome(outcome).text.lower()
    if key not in by_key:
        raise ParameterValueError(
            f"the sweep has no outcome {outcome!r}; it has {', '.join(map(repr, specs))}"
        )
    return by_key[key]


def _check_finite(name: str, values: np.ndarray, x: np.ndarray, names: list[str]) -> None:
    bad = ~np.isfinite(values)
    if bad.any():
        runs = np.flatnonzero(bad.any(axis=0) if values.ndim == 2 else bad)
        raise ParameterValueError(
            f"outcome {name!r} is not finite in {runs.size} of {x.shape[0]} runs "
            f"(first: run {runs[0]}, inputs {dict(zip(names, x[runs[0]]))}); "
            "indices need a finite outcome in every run"
        )


def _bootstrap_seed(base: int | None) -> int | None:
    """A seed for SALib's bootstrap derived from `base`: odd, as SALib ignores 0."""
    if base is None:
        return None
    return int(np.random.SeedSequence(int(base)).generate_state(1)[0]) | 1


def _nan_like(values: dict) -> dict:
    return {k: np.full_like(v, np.nan) for k, v in values.items()}


def sensitivity(
    result: xr.Dataset,
    outcome: str | None = None,
    *,
    method: str | None = None,
    conf_level: float = 0.95,
    num_resamples: int = 100,
    seed: int | None = None,
) -> Indices:
    """Sobol or Morris indices of `outcome` over the inputs of a sweep.

    Parameters
    ----------
    result : xarray.Dataset
        What :func:`flywheel.sweep` returned for Sobol or Morris samples.
    outcome : str, optional
        One of the sweep's outcome specs; may be omitted when it has one.
    method : {"sobol", "morris"}, optional
        Default: the sweep's sampling method.
    conf_level : float
        Confidence level of the intervals, in (0, 1).
    num_resamples : int
        Bootstrap resamples for the intervals.
    seed : int, optional
        Seed of the bootstrap; default: derived from the samples' seed, so the
        same sweep gives the same intervals.

    Returns
    -------
    Indices

    Raises
    ------
    ParameterValueError
        An unknown method, samples not drawn for it, an outcome the sweep
        lacks, or an outcome that is not finite in every run.
    """
    sampling = result.attrs.get("sampling")
    method = method or sampling
    if method not in METHODS:
        raise ParameterValueError(
            f"unknown sensitivity method {method!r}; valid methods: {', '.join(METHODS)}"
        )
    if sampling != method:
        raise ParameterValueError(
            f"{method} indices need samples from flywheel.sample(..., method={method!r}); "
            f"this sweep's samples are {sampling!r}"
        )
    if not 0 < conf_level < 1:
        raise ParameterValueError(f"conf_level must be in (0, 1), got {conf_level}")
    name = _outcome_name(result, outcome)
    problem = json.loads(result.attrs["problem"])
    x = np.column_stack([result[n].values for n in problem["names"]])
    values = result[name].values
    _check_finite(name, values, x, problem["names"])
    options = {"conf_level": conf_level, "num_resamples": num_resamples,
               "seed": _bootstrap_seed(seed if seed is not None else result.attrs.get("seed"))}
    rows = values[None, :] if values.ndim == 1 else values
    found = []
    for y in rows:
        if np.ptp(y) == 0:
            found.append(None)
        else:
            found.append(METHODS[method](problem, x, y, result.attrs, options))
    template = next((f for f in found if f is not None), None)
    if template is None:
        raise ParameterValueError(f"outcome {name!r} is the same in every run: nothing to analyse")
    found = [f if f is not None else _nan_like(template) for f in found]
    data = _to_dataset(found, problem["names"], result, values.ndim == 2)
    data.attrs.update(outcome=name, method=method, conf_level=conf_level)
    return Indices(method, name, data)


def _to_dataset(found: list[dict], names: list[str], result: xr.Dataset,
                over_time: bool) -> xr.Dataset:
    variables = {}
    for key, first in found[0].items():
        dims = ("input", "input_2") if first.ndim == 2 else ("input",)
        stacked = np.stack([f[key] for f in found])
        variables[key] = (("time", *dims), stacked) if over_time else (dims, stacked[0])
    coords = {"input": names}
    if "S2" in variables:
        coords["input_2"] = names
    if over_time:
        coords["time"] = result["time"].values
    import xarray as xr

    return xr.Dataset(variables, coords=coords)
