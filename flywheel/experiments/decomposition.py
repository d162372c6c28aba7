"""The Jevons decomposition: how much of the change in spend is the price fall, how much the rest.

A price-only test of "cheaper tokens raise total spend". From a base year
``t0`` on, four runs of the model differ only in what is frozen:

* **base** ``S``: nothing frozen;
* **price frozen** ``S_p``: the price path held at its base-year value;
* **non-price frozen** ``S_n``: adoption, capability, reasoning and the
  training race held at their base-year values;
* **both frozen** ``S_pn``.

The change of spend ``S(t) - S(t0)`` splits, exactly, into

* ``price = S_n - S_pn``: the price fall's effect with the non-price drivers frozen;
* ``non-price = S_p - S_pn``: the non-price drivers' effect at the frozen price;
* ``interaction = S - S_p - S_n + S_pn``: what the two do together beyond their sum;
* ``frozen = S_pn - S(t0)``: what still moves with both frozen (stocks catching up).

How the model freezes each is the model's own business: the ``[jevons]``
table of its uncertainty file (:mod:`flywheel.experiments.uncertainty`)
names a base-time constant, the switches each counterfactual sets, and the
constants that hold a variable's base-run value at the base time. The
counterfactuals run in one vectorised call, after the base run that gives
the held values; all four must agree up to the base time.

Examples
--------
>>> from pathlib import Path
>>> import flywheel
>>> tests = Path(flywheel.__file__).parents[1] / "tests"
>>> model = flywheel.load(tests / "models" / "jevons_parts.mdl")
>>> parts = jevons_decomposition(model, 2025)
>>> parts["part"].values.tolist()
['price', 'non-price', 'interaction', 'frozen', 'total']
>>> total = parts["Spend"].sel(part="total")
>>> bool(abs(parts["Spend"].sel(part=PARTS).sum("part") - total).max() <= 1e-12 * abs(total).max())
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import xarray as xr

from flywheel.errors import DataFileError, ParameterValueError
from flywheel.experiments.uncertainty import Counterfactual, load_uncertainty
from flywheel.model import Model, load
from flywheel.params import RunTimes, finite_number
from flywheel.simulate import simulate

__all__ = ["PARTS", "RUNS", "jevons_decomposition"]

#: The parts that add up to the total change.
PARTS = ["price", "non-price", "interaction", "frozen"]
#: The four runs, in the order of the ``run`` dimension.
RUNS = ["base", "price frozen", "non-price frozen", "both frozen"]
#: Largest relative difference allowed between the runs up to the base time:
#: they must be the same run there (only rounding may differ).
SAME_BEFORE = 1e-9


def _counterfactual_params(model: Model, cases: Sequence[Counterfactual | None],
                           held: Mapping[str, float], base: Mapping[str, object]):
    """Per-scenario values of every switch and held constant (the model's value elsewhere)."""
    names = list(dict.fromkeys(k for case in cases if case for k in (*case.set, *case.hold)))
    columns = {}
    for name in names:
        default = float(base.get(name, model.constants[name]))
        values = []
        for case in cases:
            chosen = [case.set[name]] if case and name in case.set else []
            chosen += [held[name]] if case and name in case.hold else []
            values.append(chosen[0] if chosen else default)
        columns[name] = np.array(values, dtype=float)
    return columns


def jevons_decomposition(
    model: Model | str | Path,
    base_year: float = 2025.0,
    *,
    outputs: Sequence[str] | None = None,
    params: Mapping[str, float] | None = None,
    method: str = "euler",
    final_time: float | None = None,
    uncertainty: str | Path | None = None,
) -> xr.Dataset:
    """Split the change in spend after `base_year` into price, non-price, interaction, frozen.

    Parameters
    ----------
    model : Model, str or path
    base_year : float
        When the freezes start; the changes are measured from the base run's
        value at this time.
    outputs : sequence of str, optional
        The variables to decompose (default: the ``[jevons]`` table's
        ``outputs``, total and inference compute spend).
    params : mapping, optional
        Constants set in all four runs.
    method : str
        Integration method (default Euler at the model's TIME STEP).
    final_time : float, optional
        Override the model's FINAL TIME.
    uncertainty : path, optional
        The model's uncertainty file (default beside the model).

    Returns
    -------
    xarray.Dataset
        Per output, a variable over ``part`` (:data:`PARTS` then ``"total"``)
        and ``time`` (from `base_year` on): the parts add up to the total,
        ``S(t) - S(base_year)``, up to rounding. Per output also
        ``"<name> (runs)"`` over ``run`` (:data:`RUNS`) and ``time``. Attrs:
        base_year, the held values, the switches.

    Raises
    ------
    DataFileError
        No uncertainty file or no ``[jevons]`` table in it.
    ParameterValueError
        A base year outside the run, or switches that change the run before
        the base time (the runs must agree up to it).

    Examples
    --------
    >>> import flywheel
    >>> flywheel.experiments.decomposition.jevons_decomposition("flywheel_minimal")
    Traceback (most recent call last):
    ...
    flywheel.errors.DataFileError: ...flywheel_minimal.uncertainty.toml: no uncertainty file ...
    """
    model = model if isinstance(model, Model) else load(model)
    spec = load_uncertainty(model, uncertainty)
    jevons = spec.jevons
    if jevons is None:
        raise DataFileError(f"{spec.path}: no [jevons] table: the decomposition needs the "
                            "constants that freeze the price path and the non-price drivers "
                            "(see flywheel.experiments.uncertainty)")
    base_year = finite_number(base_year, "base_year")
    span = RunTimes(model, final_time=final_time)
    if not span.initial_time <= base_year < span.final_time:
        raise ParameterValueError(f"base_year {base_year:g} must lie in the run "
                                  f"[{span.initial_time:g}, {span.final_time:g})")
    outputs = list(outputs) if outputs is not None else list(jevons.outputs)
    base = {**dict(params or {}), jevons.base_time: base_year}
    holds = {**jevons.price.hold, **jevons.non_price.hold}
    run = simulate(model, params=base, method=method, final_time=final_time,
                   return_columns=list(dict.fromkeys([*outputs, *holds.values()])))
    times = run["time"].to_numpy()
    held = {constant: float(np.interp(base_year, times, run[variable].to_numpy()))
            for constant, variable in holds.items()}
    both = Counterfactual({**jevons.price.set, **jevons.non_price.set}, holds)
    cases = [jevons.price, jevons.non_price, both]
    frozen = simulate(model, params={**base, **_counterfactual_params(model, cases, held, base)},
                      method=method, final_time=final_time, return_columns=outputs)
    after = times >= base_year
    result = xr.Dataset(coords={"part": [*PARTS, "total"], "time": times[after],
                                "run": RUNS})
    for name in outputs:
        s = run[name].to_numpy()
        s_p, s_n, s_pn = frozen[name].transpose("scenario", "time").to_numpy()
        runs = np.vstack([s, s_p, s_n, s_pn])
        before = ~after | (times == base_year)
        scale = np.maximum(np.abs(s[before]), 1e-300)
        worst = float(np.max(np.abs(runs[1:, before] - s[before]) / scale))
        if worst > SAME_BEFORE:
            raise ParameterValueError(
                f"the frozen runs differ from the base run by {worst:.2g} (relative) in "
                f"{name!r} before {base_year:g}: the switches of the [jevons] table in "
                f"{spec.path} must act only from the base time ({jevons.base_time!r}) on")
        start = float(np.interp(base_year, times, s))
        s, s_p, s_n, s_pn = (r[after] for r in runs)
        parts = [s_n - s_pn, s_p - s_pn, s - s_p - s_n + s_pn, s_pn - start, s - start]
        result[name] = (("part", "time"), np.vstack(parts), dict(run[name].attrs))
        result[f"{name} (runs)"] = (("run", "time"), runs[:, after], dict(run[name].attrs))
    result["time"].attrs = dict(run["time"].attrs)
    result.attrs = {"model": model.name, "base_year": base_year, "method": method,
                    "held": str(held), "price switches": str(jevons.price.set),
                    "non-price switches": str(jevons.non_price.set)}
    return result
