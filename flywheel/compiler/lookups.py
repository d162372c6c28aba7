"""Lookup tables held between their points, as exact linear tables.

PySD's lookups and data either interpolate linearly or hold a value between
points: ``hold_backward`` keeps the last value at or before x (XMILE's
``discrete`` graphical functions, Vensim's ``:HOLD BACKWARD:`` data) and
``look_forward`` takes the next (``:LOOK FORWARD:`` data); every kind holds the
first and last values outside the table. The compiled engine interpolates
every table linearly (``np.interp``); a held table is given to it as the
linear table of :func:`step_table`, whose two points at each step are one
float apart, so that it interpolates to the held value at every representable
x. XMILE's ``extrapolate`` tables (linear beyond the ends) are left to PySD,
and so is a held table given inline (an XMILE graphical function with an
equation): PySD's run interpolates those linearly whatever their type, so the
compiled engine refuses them rather than choose between PySD and XMILE.

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
    """`abstract_model` with every held named lookup table made linear (:func:`linear`).

    The model is returned as is when it has none.
    """
    main = abstract_model.sections[0]
    if not any(isinstance(c.ast, ae.LookupsStructure) and c.ast.type in HELD
               for element in main.elements for c in element.components):
        return abstract_model
    elements = [dataclasses.replace(element, components=[
        dataclasses.replace(c, ast=linear(c.ast)) if isinstance(c.ast, ae.LookupsStructure)
        else c for c in element.components]) for element in main.elements]
    section = dataclasses.replace(main, elements=tuple(elements))
    return dataclasses.replace(abstract_model, sections=(section, *abstract_model.sections[1:]))
