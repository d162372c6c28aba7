"""What the page lets a user set: the sliders by sector, and values read from a URL.

No web framework here: the rules are plain functions, tested on their own.

* :func:`sectors` reads the Vensim groups of a model file (``.Demand``,
  ``.Capacity``, ...): PySD's translator drops them, so the file is read again.
* :func:`slider_specs` gives each feedback strength its sector, units, range,
  default and documentation (the slider's tooltip).
* :func:`parse_settings` turns query-string (or search-box) text into numbers
  held to each constant's range; control variables (INITIAL TIME, FINAL TIME,
  TIME STEP, SAVEPER) and unknown names are refused with a message naming them.

Examples
--------
>>> import flywheel
>>> model = flywheel.load("flywheel")
>>> spec = slider_specs(model)[0]
>>> spec.name, spec.sector, spec.units
('Price Elasticity of Demand', 'Demand', 'Dmnl')
>>> values, problems = parse_settings(model, {"Learning Rate": "9", "FINAL TIME": "2100"})
>>> values
{'Learning Rate': 0.35}
>>> for problem in problems: print(problem)
Learning Rate: 9 is outside its range [0, 0.35]; held to 0.35
FINAL TIME is a control variable: it cannot be set from the page
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from flywheel.errors import UnknownParameterError
from flywheel.model import Model
from flywheel.vocabulary import feedback_strengths

__all__ = ["SliderSpec", "parse_settings", "query_string", "sectors", "slider_specs"]

#: A Vensim group header: a line of stars, ``.Name``, a line of stars.
_GROUP = re.compile(r"^\*{3,}\s*\n\s*\.(?P<name>[^\n]+?)\s*\n\*{3,}", re.MULTILINE)
#: The sector of elements that come before any group (or of a file without groups).
UNGROUPED = "Model"


@dataclass(frozen=True)
class SliderSpec:
    """One slider of the page.

    Attributes
    ----------
    name, sector, units, documentation : str
    low, high, default : float
    """

    name: str
    sector: str
    units: str
    documentation: str
    low: float
    high: float
    default: float

    @property
    def step(self) -> float:
        """A round step that puts the default (and both ends) on the slider's grid.

        The largest of 1, 2, 2.5 or 5 times a power of ten that gives 50 or more
        positions; a default that no such step reaches gets a hundredth of the range.

        Examples
        --------
        >>> SliderSpec("x", "", "", "", 0.0, 2.5, 1.16).step
        0.01
        """
        span = self.high - self.low
        for exponent in range(3, -7, -1):
            for mantissa in (5, 2.5, 2, 1):
                step = mantissa * 10.0 ** exponent
                if span / step < 50 - 1e-9:
                    continue
                if all(abs(v / step - round(v / step)) < 1e-9
                       for v in (self.low, self.high, self.default)):
                    return step
        return span / 100

    @property
    def tooltip(self) -> str:
        """Units, range, default and documentation, as one text."""
        return (f"{self.documentation}\n\nunits: {self.units or 'none'}; range "
                f"{self.low:g} to {self.high:g}; default {self.default:g}").strip()


def sectors(model: Model) -> dict[str, str]:
    """Each element's sector: the Vensim group it is defined in (``"Model"`` outside any).

    Examples
    --------
    >>> import flywheel
    >>> groups = sectors(flywheel.load("flywheel"))
    >>> groups["Learning Rate"], groups["Adopters"]
    ('Cost', 'Demand')
    """
    text = model.path.read_text(encoding="utf-8", errors="replace")
    if model.path.suffix.lower() != ".mdl":
        return {name: UNGROUPED for name in model.elements}
    text = text.split("\\\\\\---///", 1)[0]  # the sketch follows the equations
    marks = [(m.start(), m.group("name").strip()) for m in _GROUP.finditer(text)]
    out: dict[str, str] = {}
    position = 0
    for chunk in text.split("|"):
        start, position = position, position + len(chunk) + 1
        head = chunk.lstrip()
        if not head or head.startswith("*") or head.startswith("~"):
            continue
        name = re.split(r"\s*(?:=|:|\(|~)", head, maxsplit=1)[0]
        name = " ".join(name.replace("{UTF-8}", "").split()).strip('"')
        group = next((g for at, g in reversed(marks) if at < start), UNGROUPED)
        try:
            out.setdefault(model.resolve(name), group)
        except UnknownParameterError:
            continue  # a macro, a subscript range or a comment: not an element
    return {name: out.get(name, UNGROUPED) for name in model.elements}


def slider_specs(model: Model, names: list[str] | None = None) -> list[SliderSpec]:
    """The sliders for `names` (default: the model's feedback strengths), in that order.

    A constant without a declared range gets 0 to twice its default (or -1 to
    1 for a default of 0), so every slider has two ends.
    """
    groups = sectors(model)
    specs = []
    for name in names or feedback_strengths(model):
        element = model.element(name)
        low, high = _range(model, element.name)
        specs.append(SliderSpec(element.name, groups[element.name], element.units,
                                element.documentation, low, high, float(element.value)))
    return specs


def _range(model: Model, name: str) -> tuple[float, float]:
    element = model.elements[name]
    default = float(element.value)
    low, high = element.range
    if low is None:
        low = min(0.0, 2 * default) if default else -1.0
    if high is None:
        high = max(0.0, 2 * default) if default else 1.0
    return float(low), float(high)


def parse_settings(model: Model, query: Mapping[str, object]) -> tuple[dict[str, float], list[str]]:
    """Numbers for the constants named in `query`, each held to its range.

    Parameters
    ----------
    model : Model
    query : mapping of str to str, bytes or a list of them
        A query string's arguments (the last value of a repeated name counts).

    Returns
    -------
    values : dict of str to float
        Constant (display name) to value, within its range.
    problems : list of str
        One message per name or value refused or changed: unknown names,
        control variables, text that is not a finite number, values held to
        the range.

    Examples
    --------
    >>> import flywheel
    >>> model = flywheel.load("flywheel_minimal")
    >>> parse_settings(model, {"learning_rate": [b"0.25"], "TIME STEP": "1", "x": "nan"})[1]
    ['TIME STEP is a control variable: it cannot be set from the page', "x: no such constant in model 'flywheel_minimal'"]
    """
    values: dict[str, float] = {}
    problems: list[str] = []
    for key, raw in query.items():
        if isinstance(raw, (list, tuple)):
            raw = raw[-1] if raw else ""
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        try:
            name = model.resolve(str(key))
        except UnknownParameterError:
            problems.append(f"{str(key)[:80]}: no such constant in model {model.name!r}")
            continue
        if model.elements[name].kind == "control":
            problems.append(f"{name} is a control variable: it cannot be set from the page")
            continue
        if name not in model.constants:
            problems.append(f"{name} is a {model.elements[name].kind}, not a constant")
            continue
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            problems.append(f"{name}: {text[:40]!r} is not a finite number; kept the default")
            continue
        low, high = _range(model, name) if None not in model.elements[name].range else (
            -math.inf, math.inf)
        held = min(max(number, low), high)
        if held != number:
            problems.append(f"{name}: {number:g} is outside its range [{low:g}, {high:g}]; "
                            f"held to {held:g}")
        values[name] = held
    return values, problems


def query_string(values: Mapping[str, float], defaults: Mapping[str, float]) -> str:
    """The query string of the settings that differ from `defaults` ('' when none do).

    Examples
    --------
    >>> query_string({"Learning Rate": 0.25, "Forecast Horizon": 1.0},
    ...              {"Learning Rate": 0.2, "Forecast Horizon": 1.0})
    '?Learning+Rate=0.25'
    """
    from urllib.parse import urlencode

    changed = {k: repr(float(v)) for k, v in values.items() if float(v) != float(defaults[k])}
    return f"?{urlencode(changed)}" if changed else ""
