"""Link polarity: the sign of ∂z/∂x, read from an equation's structure.

A link x → z is positive when z rises with x (∂z/∂x > 0) and negative when
it falls. This module reads that sign from the shape of z's equation, in the
small expression language :mod:`flywheel.loops.graph` turns PySD's syntax
trees into (tuples such as ``("bin", "*", a, b)``): sums and differences,
products and quotients, powers with constant exponents, MIN/MAX, EXP, LN,
SQRT, XIDZ/ZIDZ, lookups with monotone tables, IF THEN ELSE and the delay
and smoothing functions (through their hidden stocks).

Rules
-----
* A sign is one of ``"+"``, ``"-"``, ``"mixed"`` (known to take both signs,
  e.g. a non-monotone lookup or IF THEN ELSE branches that disagree), ``"?"``
  (cannot be read) or ``"0"`` (no dependence, only used internally).
* Products need the sign of the other factor's *value*. Values are read the
  same way: constants by their default value, expressions of constants by
  evaluating them, auxiliaries from their own equation, and stocks (hidden
  ones included) are taken to be positive, as levels almost always are.
* Signs are weak: a lookup that is flat in places, MIN(x, c) and STEP heights
  count as monotone.
* x in an IF THEN ELSE condition, a comparison, MODULO or a PULSE time makes
  the link ``"?"``: a jump, not a slope.

Where a sign cannot be read, :func:`numeric_polarity` finds it along a run.

Examples
--------
>>> x, y = ("var", "x"), ("var", "y")
>>> link_polarity(("bin", "-", ("num", 10.0), ("bin", "*", x, y)), "x", lambda v: "+")
'-'
>>> link_polarity(("call", "min", (x, ("neg", x))), "x", lambda v: "+")
'mixed'
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

__all__ = [
    "POLARITIES",
    "combine_polarities",
    "constant_value",
    "link_polarity",
    "numeric_polarity",
    "value_sign",
]

#: The polarities a link may have.
POLARITIES = ("+", "-", "mixed", "?")

_SIGN = {1: "+", -1: "-", 0: "0"}
_UNSIGN = {"+": 1, "-": -1, "0": 0}


# ----------------------------------------------------------------- sign algebra
def _neg(a: str) -> str:
    return {"+": "-", "-": "+"}.get(a, a)


def _mul(a: str, b: str) -> str:
    if a == "0" or b == "0":
        return "0"
    if a in "+-" and b in "+-":
        return _SIGN[_UNSIGN[a] * _UNSIGN[b]]
    if "?" in (a, b):
        return "?"
    return "mixed"  # mixed times a known sign, or mixed times mixed


def _add(a: str, b: str) -> str:
    if a == "0":
        return b
    if b == "0" or a == b and a != "mixed":
        return a
    return "?"


def _union(a: str, b: str) -> str:
    """The sign of a quantity that is either a or b (MIN, MAX, IF THEN ELSE)."""
    if a == "0":
        return b
    if b == "0" or a == b:
        return a
    if "?" in (a, b):
        return "?"
    return "mixed"


def combine_polarities(polarities) -> str:
    """The polarity of a chain of links: the product of their signs.

    Returns ``"+"`` or ``"-"`` when every link is signed, ``"mixed"`` when a
    link is mixed and none is unknown, else ``"?"``.

    Examples
    --------
    >>> combine_polarities(["+", "-", "-"])
    '+'
    >>> combine_polarities(["+", "mixed"])
    'mixed'
    """
    result = "+"
    for polarity in polarities:
        result = _mul(result, polarity)
    return result


# ----------------------------------------------------------------- expressions
def _variables(expr) -> set[str]:
    """Names the expression reads during a run (not inside INITIAL)."""
    tag = expr[0]
    if tag == "var":
        return {expr[1]}
    if tag in ("num", "time", "fixed"):
        return set()
    out: set[str] = set()
    for child in _children(expr):
        out |= _variables(child)
    return out


def _children(expr) -> tuple:
    tag = expr[0]
    if tag == "neg":
        return (expr[1],)
    if tag == "bin":
        return (expr[2], expr[3])
    if tag in ("call", "logic", "opaque"):
        return tuple(expr[-1])
    if tag == "table":
        return (expr[3],)
    return ()


_MATH = {
    "abs": abs, "exp": math.exp, "ln": math.log, "sqrt": math.sqrt,
    "integer": math.trunc, "min": min, "max": max, "power": math.pow,
    "log": lambda a, b: math.log(a) / math.log(b),
    "xidz": lambda a, b, c: c if abs(b) < 1e-6 else a / b,
    "zidz": lambda a, b: 0.0 if abs(b) < 1e-6 else a / b,
}
_BIN = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
        "/": lambda a, b: a / b, "^": lambda a, b: a**b}


def constant_value(expr, value_of: Callable[[str], float | None]) -> float | None:
    """The value of an expression that reads only constants, else None.

    `value_of(name)` gives a variable's constant value, or None when it varies.

    Examples
    --------
    >>> constant_value(("bin", "/", ("call", "ln", (("num", 0.8),)), ("call", "ln", (("num", 2.0),))),
    ...                lambda name: None)
    -0.3219280948873623
    """
    tag = expr[0]
    try:
        if tag == "num":
            return float(expr[1])
        if tag == "var":
            return value_of(expr[1])
        if tag == "neg":
            inner = constant_value(expr[1], value_of)
            return None if inner is None else -inner
        if tag == "bin":
            a, b = (constant_value(e, value_of) for e in expr[2:])
            return None if a is None or b is None else float(_BIN[expr[1]](a, b))
        if tag == "call" and expr[1] in _MATH:
            args = [constant_value(e, value_of) for e in expr[2]]
            return None if None in args else float(_MATH[expr[1]](*args))
        if tag == "table" and expr[1] is not None:
            arg = constant_value(expr[3], value_of)
            return None if arg is None else float(np.interp(arg, expr[1], expr[2]))
    except (ArithmeticError, ValueError, TypeError):
        return None
    return None


def _number_sign(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "?"
    return "+" if value > 0 else "-" if value < 0 else "0"


def _table_direction(xs, ys) -> str:
    """"+" for a non-decreasing table, "-" non-increasing, "0" flat, else "mixed"."""
    if xs is None:
        return "?"
    order = np.argsort(np.asarray(xs, float), kind="stable")
    steps = np.diff(np.asarray(ys, float)[order])
    up, down = bool((steps > 0).any()), bool((steps < 0).any())
    return "mixed" if up and down else "+" if up else "-" if down else "0"


def value_sign(expr, sign_of: Callable[[str], str],
               value_of: Callable[[str], float | None] = lambda name: None) -> str:
    """The sign of an expression's value: ``"+"``, ``"-"``, ``"0"`` or ``"?"``.

    Parameters
    ----------
    expr : tuple
        An expression of :mod:`flywheel.loops.graph`.
    sign_of : callable
        Variable name -> the sign of its value.
    value_of : callable, optional
        Variable name -> its constant value, or None when it varies.

    Examples
    --------
    >>> value_sign(("bin", "-", ("var", "a"), ("var", "b")), lambda v: "+")
    '?'
    >>> value_sign(("call", "exp", (("var", "a"),)), lambda v: "?")
    '+'
    """
    sign = _structural_sign(expr, sign_of, value_of)
    if sign == "?" and expr[0] not in ("time", "fixed"):
        return _number_sign(constant_value(expr, value_of))
    return sign


def _structural_sign(expr, sign_of, value_of) -> str:
    tag = expr[0]

    def v(e):
        return value_sign(e, sign_of, value_of)

    if tag == "num":
        return _number_sign(float(expr[1]))
    if tag == "var":
        return sign_of(expr[1])
    if tag == "time":
        return "+"
    if tag in ("fixed",):
        return v(expr[1])
    if tag == "neg":
        return _neg(v(expr[1]))
    if tag == "bin":
        op, a, b = expr[1], v(expr[2]), v(expr[3])
        if op == "+":
            return _add(a, b)
        if op == "-":
            return _add(a, _neg(b))
        if op in "*/":
            return _mul(a, b) if "mixed" not in (a, b) else "?"
        if op == "^":
            return "+" if a == "+" else "?"
    if tag == "call":
        name, args = expr[1], [v(e) for e in expr[2]]
        if name in ("exp", "sqrt", "abs"):
            return "+"
        if name in ("min", "max"):
            a, b = args[0], args[1]
            if a == b:
                return a
            wins = "-" if name == "min" else "+"
            if wins in (a, b) or "0" in (a, b):  # MAX(0, x) >= 0: weakly positive
                return wins
            return "?"
        if name in ("xidz", "zidz"):
            ratio = _mul(args[0], args[1])
            return ratio if name == "zidz" or ratio == args[2] else "?"
        if name == "power":
            return "+" if args[0] == "+" else "?"
        if name == "if_then_else":
            return args[1] if args[1] == args[2] else "?"
        if name in ("step", "ramp"):
            return args[0]
        if name in ("pulse", "pulse_train"):
            return "+"
        if name == "integer":
            return args[0]
    if tag == "table" and expr[1] is not None:
        ys = np.asarray(expr[2], float)
        return "+" if (ys > 0).all() else "-" if (ys < 0).all() else "?"
    return "?"


def link_polarity(expr, x: str, sign_of: Callable[[str], str],
                  value_of: Callable[[str], float | None] = lambda name: None) -> str:
    """The sign of ∂expr/∂x read from the expression's structure.

    Parameters
    ----------
    expr : tuple
        The equation of the link's target: an auxiliary's expression, or the
        net rate of a stock (the INTEG's first argument).
    x : str
        The link's source (a variable name in `expr`).
    sign_of, value_of : callable
        As for :func:`value_sign`: the sign of a variable's value, and its
        constant value (None when it varies).

    Returns
    -------
    str
        ``"+"``, ``"-"``, ``"mixed"``, ``"?"``, or ``"0"`` when `expr` does not
        read `x` during a run.

    Examples
    --------
    Outflows are negative in a stock's net rate:

    >>> rate = ("bin", "-", ("var", "births"), ("var", "deaths"))
    >>> link_polarity(rate, "deaths", lambda v: "+")
    '-'

    A lookup with a falling table:

    >>> link_polarity(("table", (0, 1, 2), (1.0, 0.6, 0.5), ("var", "u")), "u", lambda v: "+")
    '-'
    """
    def d(e):
        return link_polarity(e, x, sign_of, value_of)

    def v(e):
        return value_sign(e, sign_of, value_of)

    if x not in _variables(expr):
        return "0"
    tag = expr[0]
    if tag == "var":
        return "+"
    if tag == "neg":
        return _neg(d(expr[1]))
    if tag == "bin":
        op, a, b = expr[1:]
        if op == "+":
            return _add(d(a), d(b))
        if op == "-":
            return _add(d(a), _neg(d(b)))
        if op == "*":
            return _add(_mul(d(a), v(b)), _mul(v(a), d(b)))
        if op == "/":
            return _add(_mul(d(a), v(b)), _mul(_neg(v(a)), d(b)))
        if op == "^":
            return _power(a, b, d, v, value_of)
    if tag == "call":
        return _call(expr[1], expr[2], d, v, value_of)
    if tag == "table":
        return _mul(_table_direction(expr[1], expr[2]), d(expr[3]))
    return "?"  # logic (a jump), or a construct whose shape is not read


def _power(a, b, d, v, value_of) -> str:
    """∂(a^b): b·a^(b−1)·a' + a^b·ln(a)·b'."""
    da, db = d(a), d(b)
    out = "0"
    if da != "0":
        base_positive = v(a) == "+"
        out = _add(out, _mul(da, v(b)) if base_positive else "?")
    if db != "0":
        base = constant_value(a, value_of)
        log_sign = _number_sign(math.log(base)) if base is not None and base > 0 else "?"
        out = _add(out, _mul(db, log_sign))
    return out


def _call(name: str, args: tuple, d, v, value_of) -> str:
    if name in ("exp", "sqrt", "ln", "integer"):
        return d(args[0])
    if name == "abs":
        return _mul(v(args[0]), d(args[0]))
    if name in ("min", "max"):
        return _union(d(args[0]), d(args[1]))
    if name == "power":
        return _power(args[0], args[1], d, v, value_of)
    if name == "log":
        base = constant_value(args[1], value_of)
        if d(args[1]) != "0" or base is None or base <= 0:
            return "?"
        return _mul(d(args[0]), _number_sign(math.log(base)))
    if name in ("xidz", "zidz"):
        ratio = _add(_mul(d(args[0]), v(args[1])), _mul(_neg(v(args[0])), d(args[1])))
        return ratio if name == "zidz" else _union(ratio, d(args[2]))
    if name == "if_then_else":
        if d(args[0]) != "0":
            return "?"
        return _union(d(args[1]), d(args[2]))
    if name == "step":
        return d(args[0]) if d(args[1]) == "0" else "?"
    if name == "ramp":
        return d(args[0]) if d(args[1]) == d(args[2]) == "0" else "?"
    return "?"  # pulse times, modulo, functions not read


def numeric_polarity(partial_change, change_in_source, *, rtol: float = 1e-9) -> str:
    """The polarity of a link measured along a run.

    Parameters
    ----------
    partial_change : array_like
        Δx z: the change of the target when only the source moves, one value
        per step (see :mod:`flywheel.loops.dominance`).
    change_in_source : array_like
        Δx, the source's change over the same steps.
    rtol : float
        Steps where ``|Δx z|`` is below `rtol` times its largest value are
        ignored (no measurable effect).

    Returns
    -------
    str
        ``"+"`` or ``"-"`` when every measurable step agrees, ``"mixed"`` when
        both signs occur, ``"?"`` when no step moves the target.

    Examples
    --------
    >>> numeric_polarity([0.5, 1.0, 0.0], [1.0, 2.0, 0.0])
    '+'
    >>> numeric_polarity([0.5, -1.0], [1.0, 1.0])
    'mixed'
    """
    dz = np.asarray(partial_change, float).ravel()
    dx = np.asarray(change_in_source, float).ravel()
    with np.errstate(invalid="ignore"):
        scale = np.nanmax(np.abs(dz)) if dz.size else 0.0
    if not scale > 0:
        return "?"
    ok = np.isfinite(dz) & np.isfinite(dx) & (np.abs(dz) > rtol * scale) & (dx != 0)
    signs = np.sign(dz[ok] * dx[ok])
    if signs.size == 0:
        return "?"
    up, down = bool((signs > 0).any()), bool((signs < 0).any())
    return "mixed" if up and down else "+" if up else "-"
