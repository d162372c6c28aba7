"""Extreme conditions: zero or huge inputs keep the stocks meaningful (Sterman, ch. 21).

The battery is read off the model, not written per model:

* every feedback strength (:func:`flywheel.vocabulary.feedback_strengths`)
  at 0 and at the top of its range (loop knockout and the strongest loop);
  a model with none of the vocabulary's strengths gets every constant;
* every constant used only as a stock's INTEG initial value at 0 (zero
  initial capacity, no adopters, ...). A constant that other equations use
  too (e.g. the reference of an experience curve) is a parameter of those
  equations, not only an initial condition, and is left alone; so are
  prices, which the next rule takes near zero instead;
* every price or cost near zero: a constant whose name has the word
  "Price" or "Cost" and whose units are money (USD) per something, at a
  millionth of its default, plus any constants that
  ``flywheel/data/extremes.toml`` lists for the model under ``near_zero``.

All cases run in one vectorised Euler integration at the model's TIME STEP
(Vensim's method), one scenario each. A case passes when every stock stays
finite and every *physical* stock stays non-negative (to within 1e-9 of its
largest magnitude). The rule: a stock is physical unless its Vensim range
``[min,max]`` has a negative minimum.

Examples
--------
>>> import flywheel
>>> from flywheel.checks.extremes import extreme_battery, extreme_conditions
>>> model = flywheel.load("tests/models/teacup.mdl")
>>> [case.name for case in extreme_battery(model)]
['Characteristic Time = 0', 'Room Temperature = 0']
>>> for outcome in extreme_conditions(model):
...     print(outcome.case.name, outcome.passed, outcome.problems)
Characteristic Time = 0 False ('Teacup Temperature not finite from 0',)
Room Temperature = 0 True ()
"""

from __future__ import annotations

import importlib.resources
import re
import tomllib
import warnings
from dataclasses import dataclass, field

import numpy as np
from pysd.translators.structures import abstract_expressions as ast

from flywheel.checks.unitsystem import parse_units
from flywheel.compiler.naming import reference_key
from flywheel.errors import NonFiniteWarning, RangeWarning, SimulationError
from flywheel.simulate import simulate
from flywheel.vocabulary import FEEDBACK_STRENGTHS, feedback_strengths

__all__ = ["ExtremeCase", "ExtremeOutcome", "extreme_battery", "extreme_conditions",
           "physical_stocks"]

#: A near-zero price is the default times this.
NEAR_ZERO = 1e-6
#: A physical stock may dip below zero by this fraction of its largest magnitude.
NEGATIVE_TOLERANCE = 1e-9
_PRICE_WORD = re.compile(r"\b(price|cost)\b", re.IGNORECASE)


@dataclass(frozen=True)
class ExtremeCase:
    """One extreme setting.

    Attributes
    ----------
    name : str
        What is set, e.g. ``"Learning Rate = 0"``.
    params : dict of str to float
        The constants set (display names).
    reason : str
        Which rule of the battery made it.
    """

    name: str
    params: dict[str, float]
    reason: str


@dataclass(frozen=True)
class ExtremeOutcome:
    """How the model behaved in one extreme case.

    Attributes
    ----------
    case : ExtremeCase
    problems : tuple of str
        Each stock that became non-finite or negative, with when and how much.
    """

    case: ExtremeCase
    problems: tuple[str, ...] = field(default=())

    @property
    def passed(self) -> bool:
        """True when every stock stayed finite and every physical stock non-negative."""
        return not self.problems


def physical_stocks(model) -> list[str]:
    """The stocks that must stay non-negative: those whose range minimum is not negative.

    Examples
    --------
    >>> import flywheel
    >>> physical_stocks(flywheel.load("tests/models/teacup.mdl"))
    ['Teacup Temperature']
    """
    return [name for name in model.stocks
            if model.elements[name].range[0] is None or model.elements[name].range[0] >= 0]


def _references(node) -> list[str]:
    """PySD names referred to anywhere in an AST."""
    found = [node.reference] if isinstance(node, ast.ReferenceStructure) else []
    for value in getattr(node, "__dict__", {}).values():
        for child in value if isinstance(value, (tuple, list)) else (value,):
            if isinstance(child, ast.AbstractSyntax):
                found += _references(child)
    return found


def _initial_only_constants(model) -> list[str]:
    """The constants that appear only in stocks' INTEG initial values, in model order."""
    initial, elsewhere = [], set()
    for element in model.abstract.sections[0].elements:
        for component in element.components:
            node = component.ast
            if isinstance(node, ast.IntegStructure):
                initial += _references(node.initial)
                elsewhere.update(_references(node.flow))
            else:
                elsewhere.update(_references(node))
    by_key = {reference_key(name): name for name in model.constants}
    return [by_key[k] for k in dict.fromkeys(initial) if k in by_key and k not in elsewhere]


def _is_price(model, name: str) -> bool:
    units = model.elements[name].units
    return bool(_PRICE_WORD.search(name) and units.strip()
                and "[currency]" in str(parse_units(units).dimensionality))


def _sidecar(model) -> dict:
    text = importlib.resources.files("flywheel").joinpath("data", "extremes.toml").read_text()
    return tomllib.loads(text).get(model.name, {})


def extreme_battery(model) -> list[ExtremeCase]:
    """The extreme settings for `model`, derived from its structure (module docstring).

    Returns
    -------
    list of ExtremeCase
        Feedback strengths at 0 and at their maximum, initial-value constants
        at 0, prices and costs near zero; no setting twice.
    """
    cases: dict[str, ExtremeCase] = {}

    def add(name: str, value: float, reason: str) -> None:
        label = f"{name} = {value:g}"
        cases.setdefault(label, ExtremeCase(label, {name: value}, reason))

    strengths = feedback_strengths(model)
    kind = "feedback strength" if set(strengths) <= set(FEEDBACK_STRENGTHS) else "constant"
    for name in strengths:
        add(name, 0.0, f"{kind} at 0")
        high = model.elements[name].range[1]
        if high is not None:
            add(name, high, f"{kind} at the top of its range")
    prices = [n for n in model.constants if _is_price(model, n) and n not in strengths]
    for name in _initial_only_constants(model):
        if name not in prices:
            add(name, 0.0, "zero initial value of a stock")
    listed = [model.resolve(n) for n in _sidecar(model).get("near_zero", [])]
    for name in dict.fromkeys(prices + listed):
        add(name, model.constants[name] * NEAR_ZERO, "price or cost near zero")
    return list(cases.values())


def _problems(run, stocks: list[str], physical: set[str]) -> tuple[str, ...]:
    problems = []
    times = run["time"].values
    for name in stocks:
        values = run[name].values
        bad = ~np.isfinite(values)
        if bad.any():
            problems.append(f"{name} not finite from {times[np.argmax(bad)]:g}")
            continue
        scale = float(np.max(np.abs(values)))
        negative = values < -NEGATIVE_TOLERANCE * max(scale, 1e-300)
        if name in physical and negative.any():
            where = int(np.argmin(values))
            problems.append(f"{name} negative: {values[where]:.3g} at {times[where]:g}")
    return tuple(problems)


def extreme_conditions(model, cases: list[ExtremeCase] | None = None) -> list[ExtremeOutcome]:
    """Run every extreme case and report the stocks that misbehave.

    Parameters
    ----------
    model : flywheel.Model
    cases : list of ExtremeCase, optional
        Default: :func:`extreme_battery`.

    Returns
    -------
    list of ExtremeOutcome
        One per case, in the battery's order.
    """
    cases = extreme_battery(model) if cases is None else cases
    if not cases:
        return []
    names = list(dict.fromkeys(n for case in cases for n in case.params))
    params = {n: np.array([case.params.get(n, model.constants[n]) for case in cases])
              for n in names}
    stocks, physical = list(model.stocks), set(physical_stocks(model))
    try:
        with warnings.catch_warnings():  # extreme values leave the documented ranges on
            warnings.simplefilter("ignore", RangeWarning)  # purpose, and a failed case is a
            warnings.simplefilter("ignore", NonFiniteWarning)  # finding, reported as one
            runs = simulate(model, params=params, method="euler", return_columns=stocks)
    except SimulationError:  # find the case that breaks the run on its own
        return [_one(model, case, stocks, physical) for case in cases]
    return [ExtremeOutcome(case, _problems(runs.isel(scenario=i), stocks, physical))
            for i, case in enumerate(cases)]


def _one(model, case: ExtremeCase, stocks: list[str], physical: set[str]) -> ExtremeOutcome:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RangeWarning)
            run = simulate(model, params=case.params, method="euler", return_columns=stocks)
    except SimulationError as error:
        return ExtremeOutcome(case, (f"the run failed: {error}",))
    return ExtremeOutcome(case, _problems(run, stocks, physical))
