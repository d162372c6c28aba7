"""Parameter assessment: every constant has units, a range and a source (Sterman, ch. 21).

A constant passes when its units string is not empty (``Dmnl`` counts), its
Vensim range ``[min,max]`` gives both bounds with the default inside them,
and its documentation cites a source (``Source: ...``, see
:attr:`flywheel.Element.source`).

Examples
--------
>>> import flywheel
>>> from flywheel.checks.parameters import check_parameters
>>> check_parameters(flywheel.load("tests/models/units_ok.mdl"))
[]
>>> for issue in check_parameters(flywheel.load("tests/models/teacup.mdl")):
...     print(issue)
Characteristic Time: no range [min,max]
Characteristic Time: no source in its documentation
Room Temperature: no range [min,max]
Room Temperature: no source in its documentation
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ParameterIssue", "check_parameters"]


@dataclass(frozen=True)
class ParameterIssue:
    """What a constant lacks.

    Attributes
    ----------
    name : str
        The constant's display name.
    problem : str
        What is missing or wrong, e.g. ``"no units"``.
    """

    name: str
    problem: str

    def __str__(self) -> str:
        return f"{self.name}: {self.problem}"


def check_parameters(model) -> list[ParameterIssue]:
    """The constants of `model` without units, a full range or a source.

    Parameters
    ----------
    model : flywheel.Model

    Returns
    -------
    list of ParameterIssue
        In the order of the model file; empty when every constant passes.
    """
    issues = []
    for name in model.constants:
        element = model.elements[name]
        low, high = element.range
        if not element.units.strip():
            issues.append(ParameterIssue(name, "no units"))
        if low is None or high is None:
            issues.append(ParameterIssue(name, "no range [min,max]"))
        elif not low <= element.value <= high:
            issues.append(ParameterIssue(
                name, f"default {element.value:g} outside its range [{low:g}, {high:g}]"))
        if not element.source:
            issues.append(ParameterIssue(name, "no source in its documentation"))
    return issues
