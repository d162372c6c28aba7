"""Model-quality tests (Sterman, *Business Dynamics*, ch. 21), one module each.

* :mod:`~flywheel.checks.units`: dimensional consistency of every equation.
* :mod:`~flywheel.checks.parameters`: every constant has units, a range and a source.
* :mod:`~flywheel.checks.extremes`: extreme settings keep the stocks meaningful.
* :mod:`~flywheel.checks.integration`: results do not depend on the time step
  or the tolerance.
* :mod:`~flywheel.checks.report`: all of them, with the fit to data
  (behaviour reproduction), as one report: ``flywheel check MODEL``.
"""

from flywheel.checks.extremes import (
    ExtremeCase,
    ExtremeOutcome,
    extreme_battery,
    extreme_conditions,
    physical_stocks,
)
from flywheel.checks.integration import IntegrationChange, integration_error
from flywheel.checks.parameters import ParameterIssue, check_parameters
from flywheel.checks.report import CheckReport, CheckSection, check_model
from flywheel.checks.units import UnitMismatch, check_units

__all__ = [
    "CheckReport",
    "CheckSection",
    "ExtremeCase",
    "ExtremeOutcome",
    "IntegrationChange",
    "ParameterIssue",
    "UnitMismatch",
    "check_model",
    "check_parameters",
    "check_units",
    "extreme_battery",
    "extreme_conditions",
    "integration_error",
    "physical_stocks",
]
