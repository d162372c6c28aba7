"""Dimensional consistency: every equation's units balance (Sterman, ch. 21).

The units come from the model file's units strings (Vensim's ``~ units ~``),
read with :func:`flywheel.checks.unitsystem.parse_units` (Vensim's
conventions: ``Dmnl``, time units, ``million``/``billion`` as numbers,
unknown words as base units). Only dimensions are compared: a bare number
converting ``million`` into ``billion`` passes, and the scale of such
conversions is not checked.

The rules, applied to each element's AST: ``+``, ``-``, comparisons,
MIN/MAX/MODULO and the two branches of IF THEN ELSE need equal units (a bare
number takes the other side's units); ``*`` and ``/`` multiply units; ``^``
needs a dimensionless exponent whose value is known from constants when the
base has units; EXP, LN, LOG and the trigonometric functions need a
dimensionless argument; a lookup returns the table's units; INTEG's flow
times the time unit is the stock's units; SMOOTH, DELAY, FORECAST, INITIAL
and SAMPLE IF TRUE return their input's units and their times must be times;
TREND is per time. An element without units matches anything.

Examples
--------
>>> import flywheel
>>> from flywheel.checks.units import check_units
>>> check_units(flywheel.load("tests/models/teacup.mdl"))
[]
>>> for mismatch in check_units(flywheel.load("tests/models/units_mismatch.mdl"))[:2]:
...     print(mismatch)
Stock A: Flow A: Widget vs Widget/Month (INTEG's flow x time needs the stock's units 'Widgets')
Stock A: Initial A: Gadget vs Widget (INTEG's initial value needs the stock's units 'Widgets')
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce

import numpy as np
import pint
from pysd.translators.structures import abstract_expressions as ast

from flywheel.checks.unitsystem import Literal as _Literal
from flywheel.checks.unitsystem import format_units as _show
from flywheel.checks.unitsystem import parse_units, unit_registry
from flywheel.compiler.naming import reference_key

__all__ = ["UnitMismatch", "check_units"]

@dataclass(frozen=True)
class UnitMismatch:
    """One place where an equation's units do not balance.

    Attributes
    ----------
    element : str
        The element whose equation it is.
    expression : str
        The sub-expression that does not balance (Vensim-like text).
    left, right : str
        The two units that should agree (e.g. the expression's computed
        units and the element's declared units).
    rule : str
        Which rule failed, e.g. ``"+ needs equal units"``.
    """

    element: str
    expression: str
    left: str
    right: str
    rule: str

    def __str__(self) -> str:
        return f"{self.element}: {self.expression}: {self.left} vs {self.right} ({self.rule})"


_SAME = ("min", "max", "modulo", "vmin", "vmax")
_DIMENSIONLESS_ARGS = ("exp", "ln", "log", "sin", "cos", "tan", "arcsin", "arccos",
                       "arctan", "sinh", "cosh", "tanh")
_PASS = ("abs", "integer", "quantum", "sum", "prod", "active_initial")
_OPS = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "^": np.power}


class _Walker:
    """Computes units of ASTs of one model and collects mismatches."""

    def __init__(self, model) -> None:
        self.registry = unit_registry()
        self.elements = {reference_key(name): el for name, el in model.elements.items()}
        self.time = self.units_of_text(model.elements["INITIAL TIME"].units)
        self.abstract = {reference_key(el.name): el
                         for el in model.abstract.sections[0].elements}
        self.element = ""
        self.declared: pint.Quantity | None = None  # the checked element's units
        self.found: list[UnitMismatch] = []

    def units_of_text(self, text: str) -> pint.Quantity | None:
        return parse_units(text, self.registry) if text.strip() else None

    def fail(self, node, left, right, rule: str) -> None:
        self.found.append(UnitMismatch(self.element, self.text(node), _show(left),
                                       _show(right), rule))

    def same(self, node, a, b, rule: str):
        """The common units of `a` and `b` (a number or unknown takes the other's)."""
        if a is None or isinstance(a, _Literal):
            return b
        if b is None or isinstance(b, _Literal):
            return a
        if a.dimensionality != b.dimensionality:
            self.fail(node, a, b, rule)
        return a

    def expect(self, node, units, wanted, rule: str) -> None:
        if units is None or wanted is None or isinstance(units, _Literal):
            return
        if units.dimensionality != wanted.dimensionality:
            self.fail(node, units, wanted, rule)

    def dimensionless(self, node, units, rule: str) -> None:
        self.expect(node, units, self.registry.Quantity(1), rule)

    # ------------------------------------------------------------- walking
    def units(self, node):
        if isinstance(node, (int, float, np.number)):
            return _Literal(float(node))
        method = getattr(self, f"_{type(node).__name__}", None)
        return method(node) if method else None

    def _ReferenceStructure(self, node):
        if node.reference == "time":
            return self.time
        element = self.elements.get(node.reference)
        return self.units_of_text(element.units) if element else None

    def _ArithmeticStructure(self, node):
        args = [self.units(a) for a in node.arguments]
        if node.operators == ["negative"]:
            return args[0]
        result = args[0]
        for op, arg, sub in zip(node.operators, args[1:], node.arguments[1:]):
            if op in ("+", "-"):
                result = self.same(node, result, arg, f"{op} needs equal units")
            elif op in ("*", "/"):
                result = _multiply(result, arg, op)
            elif op == "^":
                result = self.power(node, result, arg, sub)
        return result

    def power(self, node, base, exponent, exponent_node):
        before = len(self.found)
        self.dimensionless(exponent_node, exponent, "an exponent must be dimensionless")
        if len(self.found) > before:
            return None  # reported once; the result's units are unknown
        if base is None or isinstance(base, _Literal) or base.dimensionless:
            return base
        value = self.value(exponent_node)
        if value is None:
            self.fail(node, base, "a constant exponent", "^ of units needs a constant exponent")
            return None
        return base**value

    def value(self, node) -> float | None:
        """The number an expression of constants stands for, else None."""
        if isinstance(node, (int, float, np.number)):
            return float(node)
        if isinstance(node, ast.ReferenceStructure):
            element = self.elements.get(node.reference)
            source = self.abstract.get(node.reference)
            if element is not None and element.value is not None:
                return element.value
            if source is not None and len(source.components) == 1:
                return self.value(source.components[0].ast)
            return None
        if isinstance(node, ast.ArithmeticStructure):
            values = [self.value(a) for a in node.arguments]
            if None in values:
                return None
            if node.operators == ["negative"]:
                return -values[0]
            return float(reduce(lambda acc, pair: _OPS[pair[0]](acc, pair[1]),
                                zip(node.operators, values[1:]), values[0]))
        if isinstance(node, ast.CallStructure) and node.function.reference in ("ln", "exp"):
            inner = self.value(node.arguments[0])
            return None if inner is None else float(getattr(np, {"ln": "log"}.get(
                node.function.reference, "exp"))(inner))
        return None

    def _LogicStructure(self, node):
        args = [self.units(a) for a in node.arguments]
        if node.operators[0] not in (":AND:", ":OR:", ":NOT:"):
            reduce(lambda a, b: self.same(node, a, b, f"{node.operators[0]} needs equal units"),
                   args)
        return self.registry.Quantity(1)

    def _CallStructure(self, node):
        name = node.function.reference
        args = [self.units(a) for a in node.arguments]
        if name in self.elements and self.elements[name].kind == "lookup":
            return self.units_of_text(self.elements[name].units)
        if name == "if_then_else":
            return self.same(node, args[1], args[2], "IF THEN ELSE branches need equal units")
        if name in _SAME:
            return reduce(lambda a, b: self.same(node, a, b, f"{name.upper()} needs equal units"),
                          args)
        if name in _DIMENSIONLESS_ARGS:
            self.dimensionless(node.arguments[0], args[0],
                               f"{name.upper()} needs a dimensionless argument")
            return self.registry.Quantity(1)
        if name in _PASS:
            return args[0]
        if name in ("xidz", "zidz"):
            ratio = _multiply(args[0], args[1], "/")
            return ratio if name == "zidz" else self.same(node, ratio, args[2],
                                                          "XIDZ's fallback needs the ratio's units")
        if name in ("sqrt", "power"):
            exponent = _Literal(0.5) if name == "sqrt" else args[1]
            exponent_node = 0.5 if name == "sqrt" else node.arguments[1]
            return self.power(node, args[0], exponent, exponent_node)
        if name == "step":
            self.expect(node.arguments[1], args[1], self.time, "STEP's time must be a time")
            return args[0]
        if name == "ramp":
            for index in (1, 2)[: len(args) - 1]:
                self.expect(node.arguments[index], args[index], self.time,
                            "RAMP's times must be times")
            return args[0] if isinstance(args[0], _Literal) else _multiply(args[0], self.time, "*")
        if name in ("pulse", "pulse_train"):
            for sub, units in zip(node.arguments, args):
                self.expect(sub, units, self.time, f"{name.upper()}'s times must be times")
            return self.registry.Quantity(1)
        return None

    def _delayed(self, node, input_units, time_node, initial_node, what: str):
        self.expect(time_node, self.units(time_node), self.time, f"{what}'s time must be a time")
        if initial_node is not None:
            self.same(node, input_units, self.units(initial_node),
                      f"{what}'s initial value needs the input's units")
        return input_units

    def _SmoothStructure(self, node):
        return self._delayed(node, self.units(node.input), node.smooth_time, node.initial,
                             "SMOOTH")

    _SmoothNStructure = _SmoothStructure

    def _DelayStructure(self, node):
        return self._delayed(node, self.units(node.input), node.delay_time, node.initial,
                             "DELAY")

    _DelayNStructure = _DelayFixedStructure = _DelayStructure

    def _ForecastStructure(self, node):
        self.expect(node.horizon, self.units(node.horizon), self.time,
                    "FORECAST's horizon must be a time")
        return self._delayed(node, self.units(node.input), node.average_time, None, "FORECAST")

    def _TrendStructure(self, node):
        self._delayed(node, self.units(node.input), node.average_time, None, "TREND")
        return _multiply(self.registry.Quantity(1), self.time, "/")

    def _InitialStructure(self, node):
        return self.units(node.initial)

    def _SampleIfTrueStructure(self, node):
        self.units(node.condition)
        return self.same(node, self.units(node.input), self.units(node.initial),
                         "SAMPLE IF TRUE's initial value needs the input's units")

    def _InlineLookupsStructure(self, node):
        self.units(node.argument)
        return self.declared

    # ------------------------------------------------------------- elements
    def check(self, element) -> None:
        declared_element = self.elements[reference_key(element.name)]
        if declared_element.kind in ("lookup", "control"):
            return
        self.element = element.name
        self.declared = self.units_of_text(element.units or "")
        for component in element.components:
            node = component.ast
            if isinstance(node, ast.IntegStructure):
                flow = self.units(node.flow)
                stock_rate = None if self.declared is None else self.declared / self.time
                self.expect(node.flow, flow, stock_rate,
                            f"INTEG's flow x time needs the stock's units {element.units!r}")
                self.expect(node.initial, self.units(node.initial), self.declared,
                            f"INTEG's initial value needs the stock's units {element.units!r}")
                continue
            self.expect(node, self.units(node), self.declared,
                        f"equation vs declared units {element.units!r}")

    def text(self, node) -> str:
        return _text(node, {k: el.name for k, el in self.elements.items()})


def _multiply(a, b, op: str):
    """Units of a * b or a / b; numbers are dimensionless, unknown stays unknown."""
    if a is None or b is None:
        return None
    if isinstance(a, _Literal) and isinstance(b, _Literal):
        return a
    a = 1 if isinstance(a, _Literal) else a
    b = 1 if isinstance(b, _Literal) else b
    return a * b if op == "*" else a / b


def _text(node, names: dict[str, str]) -> str:
    """A Vensim-like rendering of an AST (for messages)."""
    if isinstance(node, (int, float, np.number)):
        return f"{float(node):g}"
    if isinstance(node, ast.ReferenceStructure):
        return names.get(node.reference, node.reference.upper())
    if isinstance(node, (ast.ArithmeticStructure, ast.LogicStructure)):
        parts = [_text(a, names) for a in node.arguments]
        if len(parts) == 1:
            return f"{node.operators[0].replace('negative', '-')} {parts[0]}".replace("- ", "-")
        out = parts[0]
        for op, part in zip(node.operators, parts[1:]):
            out = f"{out} {op} {part}"
        return f"({out})" if len(node.arguments) > 1 else out
    if isinstance(node, ast.CallStructure):
        function = names.get(node.function.reference,
                             node.function.reference.upper().replace("_", " "))
        return f"{function}({', '.join(_text(a, names) for a in node.arguments)})"
    fields = getattr(node, "__dataclass_fields__", {})
    inner = ", ".join(_text(getattr(node, f), names) for f in fields
                      if not isinstance(getattr(node, f), (str, ast.LookupsStructure)))
    label = type(node).__name__.replace("Structure", "").upper()
    return f"{label}({inner})"


def check_units(model) -> list[UnitMismatch]:
    """Every place where `model`'s equations' units do not balance.

    Parameters
    ----------
    model : flywheel.Model

    Returns
    -------
    list of UnitMismatch
        In the order of the model file; empty when every equation balances.

    Raises
    ------
    ValueError
        A units string that cannot be read, naming the element.
    """
    walker = _Walker(model)
    for element in model.abstract.sections[0].elements:
        try:
            walker.check(element)
        except ValueError as error:
            raise ValueError(f"{element.name}: {error}") from None
    return walker.found
