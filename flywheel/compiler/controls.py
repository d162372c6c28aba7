"""Control variables given by expressions of the model's variables, for the compiled engine.

The compiled engine computes INITIAL TIME, FINAL TIME, TIME STEP and SAVEPER
before the run, from one another only. A control variable whose equation
reads other elements (``FINAL TIME = INITIAL TIME + Horizon``) or Time is
evaluated once, by PySD, at the initial time with the model's defaults
(:attr:`flywheel.Model.control`, the values both engines run with), and the
compiled engine takes that number in place of its equation. Changing such a
constant with ``params`` therefore leaves the run's times as they are; pass
``final_time=``, ``dt=`` ... to :func:`flywheel.simulate` to change them.

Examples
--------
>>> import flywheel
>>> model = flywheel.load("tests/models/control_expr.mdl")
>>> model.compiled.control["final_time"], model.compiled.control["time_step"]
(2020.0, 0.25)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from pysd.translators.structures import abstract_expressions as ae

from flywheel.compiler.naming import control_name

__all__ = ["with_control_values"]


def with_control_values(abstract_model, control: Mapping[str, float] | None):
    """`abstract_model` with each control variable that reads more than the others a number.

    Parameters
    ----------
    abstract_model : pysd AbstractModel
        Not changed; returned as is when no control variable needs a number.
    control : mapping or None
        Control name (:data:`flywheel.compiler.naming.CONTROL_NAMES`) -> its
        value; None leaves the equations to the compiler (which refuses the
        ones it cannot compute).
    """
    main = abstract_model.sections[0]
    replaced = [_with_value(element, control) if control else element
                for element in main.elements]
    if all(new is old for new, old in zip(replaced, main.elements)):
        return abstract_model
    section = dataclasses.replace(main, elements=tuple(replaced))
    return dataclasses.replace(abstract_model, sections=(section, *abstract_model.sections[1:]))


def _with_value(element, control: Mapping[str, float]):
    name = control_name(element.name)
    if name is None or not _reads_model(element.components[0].ast):
        return element
    component = dataclasses.replace(element.components[0], ast=float(control[name]))
    return dataclasses.replace(element, components=[component])


def _reads_model(tree: object) -> bool:
    """Whether `tree` refers to Time or to an element that is not a control variable."""
    if isinstance(tree, ae.ReferenceStructure):
        return control_name(tree.reference) is None  # Time included
    if isinstance(tree, ae.CallStructure):  # the function's name is not a reference
        return _reads_model(tree.arguments)
    if dataclasses.is_dataclass(tree) and not isinstance(tree, type):
        return any(_reads_model(getattr(tree, f.name)) for f in dataclasses.fields(tree))
    if isinstance(tree, (list, tuple)):
        return any(_reads_model(item) for item in tree)
    return False
