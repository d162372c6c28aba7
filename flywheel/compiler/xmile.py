"""XMILE's PULSE and two-argument RAMP, written as the Vensim functions the compiler has.

PySD reads XMILE's ``pulse(magnitude, start[, interval])`` and
``ramp(slope, start)`` as its own ``Xpulse``, ``Xpulse_train`` and ``Xramp``
calls, and computes them with the Vensim functions (``pysd.py_backend.
functions.pulse`` and ``ramp``): a pulse of ``magnitude / TIME STEP`` lasting
half a time step, repeated every ``interval`` (once when it is 0), and a ramp
without an end. The compiled engine takes them as the same expressions:

* ``Xpulse(start, magnitude)`` -> ``magnitude / TIME STEP * PULSE(start, 0.5 * TIME STEP)``
* ``Xpulse_train(start, interval, magnitude)`` -> ``magnitude / TIME STEP *
  PULSE TRAIN(start, 0.5 * TIME STEP, interval, inf)``
* ``Xramp(slope, start)`` -> ``RAMP(slope, start, inf)``

Examples
--------
>>> from pysd.translators.structures import abstract_expressions as ae
>>> call = ae.CallStructure(ae.ReferenceStructure("Xramp"), (2.0, 1.0))
>>> vensim_form(call).arguments
(2.0, 1.0, inf)
"""

from __future__ import annotations

import dataclasses

from pysd.translators.structures import abstract_expressions as ae

from flywheel.compiler.macros import rebuild
from flywheel.translation import ast_nodes

__all__ = ["vensim_form", "with_vensim_forms"]

_XMILE = ("Xpulse", "Xpulse_train", "Xramp")
_DT = ae.ReferenceStructure("time_step")
_HALF_DT = ae.ArithmeticStructure(["*"], (0.5, _DT))


def _call(function: str, arguments: tuple) -> ae.CallStructure:
    return ae.CallStructure(ae.ReferenceStructure(function), arguments)


def _xmile(node: object) -> bool:
    return (isinstance(node, ae.CallStructure) and isinstance(node.function, ae.ReferenceStructure)
            and node.function.reference in _XMILE)


def vensim_form(node: object) -> object:
    """`node` as the Vensim expression PySD computes, if it is an XMILE pulse or ramp."""
    if not _xmile(node):
        return node
    function, arguments = node.function.reference, node.arguments
    if function == "Xramp":
        return _call("ramp", (*arguments, float("inf")))
    if function == "Xpulse":
        start, magnitude = arguments
        pulse = _call("pulse", (start, _HALF_DT))
    else:
        start, interval, magnitude = arguments
        pulse = _call("pulse_train", (start, interval, _HALF_DT, float("inf")))
    return ae.ArithmeticStructure(["/", "*"], (magnitude, _DT, pulse))


def with_vensim_forms(abstract_model):
    """`abstract_model` with every XMILE pulse and two-argument ramp in Vensim's form."""
    if not any(_xmile(node) for section in abstract_model.sections
               for element in section.elements for c in element.components
               for node in ast_nodes(c.ast)):
        return abstract_model
    sections = tuple(dataclasses.replace(section, elements=tuple(
        dataclasses.replace(element, components=[
            dataclasses.replace(c, ast=rebuild(c.ast, vensim_form)) for c in element.components])
        for element in section.elements)) for section in abstract_model.sections)
    return dataclasses.replace(abstract_model, sections=sections)
