"""All model-quality checks as one report: what ``flywheel check MODEL`` prints.

Five checks, each passing or failing on a stated rule:

* ``units``: no equation whose units do not balance (:mod:`.units`);
* ``parameters``: every constant has units, a range and a source (:mod:`.parameters`);
* ``extremes``: every extreme case keeps the stocks finite and the physical
  stocks non-negative (:mod:`.extremes`);
* ``integration``: every key output within the stated bounds (:mod:`.integration`);
* ``behaviour``: the model with its defaults against the observed data
  (:func:`flywheel.calibration.compare`): within a factor two on average
  (weighted mean absolute log error at most ``ln 2``, :data:`MEAN_BOUND`)
  and no observation off by more than a factor five (:data:`WORST_BOUND`).
  The series are proxies whose own definitions differ by up to a factor
  two (Big Six versus global data-centre capex), so a model inside that
  spread reproduces the data as well as the data can tell.

Examples
--------
>>> import flywheel
>>> from flywheel.checks.report import check_model
>>> report = check_model(flywheel.load("tests/models/units_ok.mdl"),
...                      checks=("units", "parameters"))
>>> report.passed
True
>>> print(report)  # doctest: +ELLIPSIS
flywheel check: units_ok (.../units_ok.mdl)
PASS  units: 20 equations, 0 mismatches
PASS  parameters: 11 constants, 0 issues
all 2 checks passed
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from flywheel.checks.extremes import extreme_conditions
from flywheel.checks.integration import integration_error
from flywheel.checks.parameters import check_parameters
from flywheel.checks.units import check_units
from flywheel.errors import ParameterValueError
from flywheel.model import Model, load

__all__ = ["CHECKS", "CheckReport", "CheckSection", "MEAN_BOUND", "WORST_BOUND", "check_model"]

#: Largest weighted mean absolute log error of the defaults against the data.
MEAN_BOUND = math.log(2)
#: Largest factor between the model and any one observation.
WORST_BOUND = 5.0


@dataclass(frozen=True)
class CheckSection:
    """The outcome of one check.

    Attributes
    ----------
    name : str
    passed : bool
    summary : str
        One line: what was checked and how much failed.
    details : tuple of str
        One line per failure (or per row of a table).
    """

    name: str
    passed: bool
    summary: str
    details: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class CheckReport:
    """The checks of one model; ``str(report)`` is the readable report."""

    model: str
    path: str
    sections: tuple[CheckSection, ...]

    @property
    def passed(self) -> bool:
        """True when every check passed."""
        return all(section.passed for section in self.sections)

    def __str__(self) -> str:
        lines = [f"flywheel check: {self.model} ({self.path})"]
        for section in self.sections:
            lines.append(f"{'PASS' if section.passed else 'FAIL'}  {section.name}: "
                         f"{section.summary}")
            lines += [f"      {line}" for line in section.details]
        failed = [s.name for s in self.sections if not s.passed]
        lines.append(f"{len(failed)} of {len(self.sections)} checks failed: {', '.join(failed)}"
                     if failed else f"all {len(self.sections)} checks passed")
        return "\n".join(lines)


def _units(model) -> CheckSection:
    found = check_units(model)
    equations = sum(1 for el in model.elements.values() if el.kind not in ("lookup", "control"))
    return CheckSection("units", not found, f"{equations} equations, {len(found)} mismatches",
                        tuple(str(m) for m in found))


def _parameters(model) -> CheckSection:
    issues = check_parameters(model)
    return CheckSection("parameters", not issues,
                        f"{len(model.constants)} constants, {len(issues)} issues",
                        tuple(str(i) for i in issues))


def _extremes(model) -> CheckSection:
    outcomes = extreme_conditions(model)
    failed = [o for o in outcomes if not o.passed]
    return CheckSection(
        "extremes", not failed, f"{len(outcomes)} cases, {len(failed)} failed",
        tuple(f"{o.case.name} ({o.case.reason}): {'; '.join(o.problems)}" for o in failed))


def _integration(model) -> CheckSection:
    rows = integration_error(model)
    failed = [r for r in rows if not r.passed]
    bounds = ", ".join(dict.fromkeys(f"{r.comparison} < {r.bound:.1%}" for r in rows))
    return CheckSection(
        "integration", not failed, f"{len(rows)} comparisons ({bounds}), {len(failed)} over",
        tuple(f"{r.comparison}: {r.variable} changes {r.change:.2%} (at {r.time:g})"
              for r in failed))


def _behaviour(model) -> CheckSection:
    from flywheel.calibration import compare, observations_for

    data = observations_for(model)
    if data.points.empty:
        return CheckSection("behaviour", True, "no observed series maps to this model")
    comparison = compare(model, data)
    errors = comparison.series_errors
    mean = comparison.weighted_mean_abs_log_error
    worst = float(errors["worst_factor"].max())
    passed = mean <= MEAN_BOUND and worst <= WORST_BOUND
    summary = (f"{len(errors)} series, weighted mean absolute log error {mean:.3f} "
               f"(bound {MEAN_BOUND:.3f}), worst factor {worst:.2f} (bound {WORST_BOUND:g})")
    return CheckSection("behaviour", passed, summary, tuple(comparison.table().splitlines()))


#: Check name to the function that runs it, in the report's order.
CHECKS = {"units": _units, "parameters": _parameters, "extremes": _extremes,
          "integration": _integration, "behaviour": _behaviour}


def check_model(model, *, checks: Sequence[str] | None = None) -> CheckReport:
    """Run the model-quality checks on `model`.

    Parameters
    ----------
    model : Model, str or path
        A loaded model, a bundled model's name or a model file's path.
    checks : sequence of str, optional
        Names from :data:`CHECKS` (default: all, in that order).

    Returns
    -------
    CheckReport

    Raises
    ------
    ParameterValueError
        An unknown check name (the message lists the valid ones).
    """
    model = model if isinstance(model, Model) else load(model)
    names = list(CHECKS) if checks is None else list(checks)
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        raise ParameterValueError(f"unknown check(s) {', '.join(map(repr, unknown))}; "
                                  f"valid checks: {', '.join(CHECKS)}")
    return CheckReport(model.name, str(model.path), tuple(CHECKS[n](model) for n in names))
