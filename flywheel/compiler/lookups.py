"""Lookup tables held between their points, as exact linear tables.

PySD's lookups and data either interpolate linearly or hold a value between
points: ``hold_backward`` keeps the last value at or before x (XMILE's
``discrete`` graphical functions, Vensim's ``:HOLD BACKWARD:`` data) and
``look_forward`` takes the next (``:LOOK FORWARD:`` data); every kind holds the
first and last values outside the table. The compiled engine interpolates
every table linearly (``np.interp``); a held table is given to it as the
linear table of :func:`step_table`, whose two points at each step are one
float apart, so that it interpolates to the held value at every representable
x. A named XMILE ``extrapolate`` table (linear beyond its ends, along its
end segments) becomes a linear table, and each call of it ``T(x)`` the
expression PySD computes: ``IF THEN ELSE(x < x0, y0 + k0 * (x - x0), IF
THEN ELSE(x > xn, yn + kn * (x - xn), T(x)))``, with the end segments' slopes
``k0`` and ``kn``; the argument is written three times, so this is done only
when it keeps no state and draws nothing at random (else the compiled engine
refuses the table). A held or extrapolated table given inline (an XMILE
graphical function with an equation) is left to PySD: its run interpolates
those linearly whatever their type, so the compiled engine refuses them
rather than choose between PySD and XMILE.

Examples
--------
>>> step_table([0.0, 2.0], [1.0, 5.0], "hold_backward")
((0.0, 1.9999999999999998, 2.0), (1.0, 1.0, 5.0))
>>> step_table([0.0, 2.0], [1.0, 5.0], "look_forward")
((0.0, 5e-324, 2.0), (1.0, 5.0, 5.0))
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
from pysd.translators.structures import abstract_expressions as ae

from flywheel.compiler.macros import rebuild
from flywheel.compiler.naming import reference_key
from flywheel.translation import ast_nodes

__all__ = ["HELD", "step_table", "with_linear_lookups"]

#: The kinds of table :func:`step_table` turns into linear ones.
HELD = ("hold_backward", "look_forward")


def step_table(x: Sequence[float], y: Sequence[float], keyword: str
               ) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """(x, y) of the linear table that interpolates (`x`, `y`) as `keyword` says.

    ``"interpolate"`` is the table itself. ``"hold_backward"`` adds, before
    each x after the first, the float just below it with the previous value;
    ``"look_forward"`` adds, after each x before the last, the float just
    above it with the next value. No other float lies between those two
    points, so the linear table is the step exactly.
    """
    x = [float(v) for v in x]
    y = [float(v) for v in y]
    if keyword == "interpolate":
        return tuple(x), tuple(y)
    xs, ys = [x[0]], [y[0]]
    for k in range(1, len(x)):
        if keyword == "hold_backward":
            xs += [float(np.nextafter(x[k], -np.inf)), x[k]]
            ys += [y[k - 1], y[k]]
        else:  # look_forward (HELD)
            xs += [float(np.nextafter(x[k - 1], np.inf)), x[k]]
            ys += [y[k], y[k]]
    return tuple(xs), tuple(ys)


def linear(table: ae.LookupsStructure) -> ae.LookupsStructure:
    """`table` as an ``interpolate`` table (itself unless its type is in :data:`HELD`)."""
    if table.type not in HELD:
        return table
    order = np.argsort(np.asarray(table.x, dtype=float), kind="stable")
    x, y = step_table(np.asarray(table.x, dtype=float)[order],
                      np.asarray(table.y, dtype=float)[order], table.type)
    return dataclasses.replace(table, x=x, y=y, type="interpolate")


def with_linear_lookups(abstract_model):
    """`abstract_model` with its held and extrapolated named tables made linear.

    See the module's description; the model is returned as is when it has none.
    """
    main = abstract_model.sections[0]
    tables = {reference_key(element.name): c.ast for element in main.elements
              for c in element.components if isinstance(c.ast, ae.LookupsStructure)}
    calls = [node for element in main.elements for c in element.components
             for node in ast_nodes(c.ast) if _called(node) in tables]
    extrapolated = {key for key, table in tables.items() if table.type == "extrapolate"} - {
        _called(node) for node in calls if not _pure(node.arguments)}
    if not extrapolated and not any(t.type in HELD for t in tables.values()):
        return abstract_model

    def visit(node: object) -> object:
        return _extrapolated(tables[_called(node)], node) if _called(node) in extrapolated \
            else node

    elements = [dataclasses.replace(element, components=[
        dataclasses.replace(c, ast=_linear_table(c.ast, extrapolated, element.name))
        if isinstance(c.ast, ae.LookupsStructure)
        else dataclasses.replace(c, ast=rebuild(c.ast, visit))
        if any(_called(node) in extrapolated for node in ast_nodes(c.ast)) else c
        for c in element.components]) for element in main.elements]
    section = dataclasses.replace(main, elements=tuple(elements))
    return dataclasses.replace(abstract_model, sections=(section, *abstract_model.sections[1:]))


def _linear_table(table: ae.LookupsStructure, extrapolated: set, name: str):
    if reference_key(name) in extrapolated:
        return dataclasses.replace(table, type="interpolate")
    return linear(table)


def _called(node: object) -> str | None:
    """The reference key `node` calls, if it is a call of a name."""
    if isinstance(node, ae.CallStructure) and isinstance(node.function, ae.ReferenceStructure):
        return node.function.reference
    return None


def _extrapolated(table: ae.LookupsStructure, call: ae.CallStructure) -> ae.CallStructure:
    """`call` of the extrapolated `table` as PySD computes it (see the module's description)."""
    x = [float(v) for v in table.x]
    y = [float(v) for v in table.y]
    [argument] = call.arguments
    k0, kn = (y[1] - y[0]) / (x[1] - x[0]), (y[-1] - y[-2]) / (x[-1] - x[-2])

    def along(y_end: float, slope: float, x_end: float) -> ae.ArithmeticStructure:
        return ae.ArithmeticStructure(["+", "*"], (
            y_end, slope, ae.ArithmeticStructure(["-"], (argument, x_end))))

    def if_then_else(condition, then, otherwise) -> ae.CallStructure:
        return ae.CallStructure(ae.ReferenceStructure("if_then_else"),
                                (condition, then, otherwise))

    above = if_then_else(ae.LogicStructure([">"], (argument, x[-1])),
                         along(y[-1], kn, x[-1]), call)
    return if_then_else(ae.LogicStructure(["<"], (argument, x[0])), along(y[0], k0, x[0]),
                        above)


#: AST nodes whose value depends on their arguments only (no state, no draws).
_PURE = (ae.ArithmeticStructure, ae.LogicStructure, ae.ReferenceStructure,
         ae.SubscriptsReferenceStructure, ae.CallStructure, ae.InlineLookupsStructure,
         ae.LookupsStructure)


def _pure(tree: object) -> bool:
    """Whether `tree` may be evaluated more than once for the same value."""
    return all(isinstance(node, _PURE) and not (_called(node) or "").startswith("random")
               for node in ast_nodes(tree))
