"""Outcomes: what an experiment keeps of each run, written as short strings.

=====================================  =============================================
spec                                   value of each run
=====================================  =============================================
``Capex``                              the series over the saved times
``Capex@2030``                         the value at 2030
``Total Compute Spend@2035/2025``      the value at 2035 divided by that at 2025
``max:Utilization``                    the maximum over the run (``min:`` likewise)
``peak_time:Capex``                    the (first) time of the maximum
``growth_vs_decline:S,c@2035/2025``    ``ln(S(2035)/S(2025)) / ln(c(2025)/c(2035))``
=====================================  =============================================

Names are elements of the model (any spelling :meth:`flywheel.Model.resolve`
takes). A time between two saved times is interpolated linearly; a time
outside the saved span of the run is an error. ``growth_vs_decline`` is the
log growth of S per log decline of c: for spend S = c Q with constant-
elasticity demand Q ~ c^-e it equals e - 1, so it is positive exactly when
spend grows as unit cost falls (the Jevons side). Ratios and logs of zero or
negative values give inf or NaN rather than an error.

Examples
--------
>>> parse_outcome("Total Compute Spend@2035/2025")
Outcome(kind='ratio', variable='Total Compute Spend', other=None, times=(2035.0, 2025.0))
>>> parse_outcome("peak_time:Capex").text
'peak_time:Capex'
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from flywheel.errors import ParameterValueError
from flywheel.model import Model
from flywheel.params import RunTimes, finite_number

__all__ = ["Outcome", "parse_outcome", "resolve_outcomes", "saved_times"]

_REDUCERS = ("max", "min", "peak_time", "growth_vs_decline")
_DESCRIPTIONS = {
    "series": "{v} over time",
    "at": "{v} at {t0:g}",
    "ratio": "{v} at {t0:g} over its value at {t1:g}",
    "max": "maximum of {v} over the run",
    "min": "minimum of {v} over the run",
    "peak_time": "time of the maximum of {v}",
    "growth_vs_decline": "ln({v}({t0:g})/{v}({t1:g})) / ln({o}({t1:g})/{o}({t0:g})): "
                         "log growth of {v} per log decline of {o}",
}


@dataclass(frozen=True)
class Outcome:
    """One parsed outcome spec (see the module documentation).

    Attributes
    ----------
    kind : {"series", "at", "ratio", "max", "min", "peak_time", "growth_vs_decline"}
    variable : str
        The variable (S for ``growth_vs_decline``).
    other : str or None
        The second variable of ``growth_vs_decline`` (c), else None.
    times : tuple of float
        ``(t,)`` for ``at``, ``(t1, t0)`` for ``ratio`` and ``growth_vs_decline``.
    """

    kind: str
    variable: str
    other: str | None = None
    times: tuple[float, ...] = ()

    @property
    def text(self) -> str:
        """The canonical spec: the name of this outcome in a sweep's result."""
        names = self.variable if self.other is None else f"{self.variable},{self.other}"
        prefix = f"{self.kind}:" if self.kind in _REDUCERS else ""
        at = "/".join(f"{t:g}" for t in self.times)
        return f"{prefix}{names}" + (f"@{at}" if at else "")

    @property
    def variables(self) -> tuple[str, ...]:
        """The model variables this outcome reads."""
        return (self.variable,) if self.other is None else (self.variable, self.other)

    @property
    def is_series(self) -> bool:
        """True for a series over time, False for one number per run."""
        return self.kind == "series"

    def description(self) -> str:
        """What the outcome is, in words."""
        times = dict(zip(("t0", "t1"), self.times))
        return _DESCRIPTIONS[self.kind].format(v=self.variable, o=self.other, **times)

    def units(self, model: Model) -> str:
        """The outcome's units: the variable's, the time's, or ``Dmnl`` for ratios."""
        if self.kind in ("ratio", "growth_vs_decline"):
            return "Dmnl"
        if self.kind == "peak_time":
            return model.elements["INITIAL TIME"].units
        return model.elements[self.variable].units

    def evaluate(self, times: np.ndarray, series: Mapping[str, np.ndarray]) -> np.ndarray:
        """The outcome of each run.

        Parameters
        ----------
        times : numpy.ndarray
            The saved times, shape (n_times,).
        series : mapping of str to numpy.ndarray
            Each variable of :attr:`variables` to values of shape (n_times, n_runs).

        Returns
        -------
        numpy.ndarray
            Shape (n_runs,), or (n_times, n_runs) for a series.
        """
        values = np.asarray(series[self.variable], dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.kind == "series":
                return values
            if self.kind == "max":
                return values.max(axis=0)
            if self.kind == "min":
                return values.min(axis=0)
            if self.kind == "peak_time":
                return times[np.argmax(values, axis=0)]
            at = [_interpolate(times, values, t) for t in self.times]
            if self.kind == "at":
                return at[0]
            if self.kind == "ratio":
                return at[0] / at[1]
            other = np.asarray(series[self.other], dtype=float)
            cost = [_interpolate(times, other, t) for t in self.times]
            return np.log(at[0] / at[1]) / np.log(cost[1] / cost[0])


def _interpolate(times: np.ndarray, values: np.ndarray, t: float) -> np.ndarray:
    """`values` (n_times, n) at time `t`, linear between saved times."""
    i = int(np.searchsorted(times, t))
    if i < times.size and math.isclose(times[i], t, rel_tol=1e-12, abs_tol=1e-9):
        return values[i]
    if i > 0 and math.isclose(times[i - 1], t, rel_tol=1e-12, abs_tol=1e-9):
        return values[i - 1]
    i = min(max(i, 1), times.size - 1)
    weight = (t - times[i - 1]) / (times[i] - times[i - 1])
    return values[i - 1] * (1 - weight) + values[i] * weight


def parse_outcome(text: str) -> Outcome:
    """Parse an outcome spec (the module documentation gives the forms).

    Names are not checked against a model here: :func:`resolve_outcomes` does.

    Raises
    ------
    ParameterValueError
        A spec that matches none of the forms, or a time that is not a number.

    Examples
    --------
    >>> parse_outcome("growth_vs_decline:Total Compute Spend,Unit Inference Cost@2035/2025").kind
    'growth_vs_decline'
    >>> parse_outcome("max:Capex@2030")
    Traceback (most recent call last):
    ...
    flywheel.errors.ParameterValueError: outcome 'max:Capex@2030': max: takes the whole run, ...
    """
    spec = str(text).strip()
    head, colon, rest = spec.partition(":")
    kind = head.strip() if colon and head.strip() in _REDUCERS else None
    body, at, when = (rest if kind else spec).partition("@")
    names = [n.strip() for n in body.split(",")] if kind == "growth_vs_decline" else [body.strip()]
    times = tuple(finite_number(t.strip(), f"outcome {spec!r}: time {t.strip()!r}")
                  for t in when.split("/")) if at else ()

    def fail(why: str) -> ParameterValueError:
        return ParameterValueError(f"outcome {spec!r}: {why}")

    if not all(names):
        raise fail("a variable name is missing")
    if kind == "growth_vs_decline":
        if len(names) != 2 or len(times) != 2:
            raise fail("growth_vs_decline: takes two variables and two times, as "
                       "'growth_vs_decline:Total Compute Spend,Unit Inference Cost@2035/2025'")
        return Outcome(kind, names[0], names[1], times)
    if kind:
        if at:
            raise fail(f"{kind}: takes the whole run, no @time")
        return Outcome(kind, names[0])
    if len(times) > 2:
        raise fail("give one time (NAME@T) or two for a ratio (NAME@T1/T0)")
    return Outcome(("series", "at", "ratio")[len(times)], names[0], times=times)


def saved_times(times: RunTimes) -> tuple[float, float]:
    """The first and last time a run with `times` saves."""
    steps = math.floor((times.final_time - times.initial_time) / times.saveper + 1e-9)
    return times.initial_time, times.initial_time + steps * times.saveper


def resolve_outcomes(
    model: Model, specs: Sequence[str | Outcome], times: RunTimes
) -> tuple[Outcome, ...]:
    """Parse `specs` and check them against `model` and the run's `times`.

    Returns
    -------
    tuple of Outcome
        With display names; duplicates (after resolving names) dropped.

    Raises
    ------
    UnknownParameterError
        A variable `model` does not have (with the closest names).
    ParameterValueError
        A malformed spec, or a time outside the run (naming the run's span).
    """
    first, last = saved_times(times)
    resolved: dict[str, Outcome] = {}
    for spec in specs:
        outcome = spec if isinstance(spec, Outcome) else parse_outcome(spec)
        outcome = replace(
            outcome,
            variable=model.resolve(outcome.variable),
            other=None if outcome.other is None else model.resolve(outcome.other),
        )
        for t in outcome.times:
            if not first - 1e-9 <= t <= last + 1e-9:
                raise ParameterValueError(
                    f"outcome {outcome.text!r}: time {t:g} is outside the run, which "
                    f"saves from {first:g} to {last:g}"
                )
        resolved.setdefault(outcome.text, outcome)
    if not resolved:
        raise ParameterValueError("give at least one outcome")
    return tuple(resolved.values())
