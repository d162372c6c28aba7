"""Translate PySD's abstract syntax trees into numpy expressions.

Every element becomes one :class:`Node`: a Python expression over arrays whose
trailing axis is the scenario, plus the identifiers it reads. Stocks carry an
initial-value and a derivative expression instead; INITIAL elements an
initial-value expression. Delay and smoothing calls add hidden stock nodes
(named as :mod:`flywheel.compiler.naming` describes) and temporary nodes for
their arguments.

Examples
--------
>>> from pysd.translators.structures import abstract_expressions as ae
>>> t = Translator({"x": "x"}, {}, lambda node: None)
>>> t.expression(ae.ArithmeticStructure(["+", "*"], (ae.ReferenceStructure("x"), 2, 3)), "E", "e")
('x + 2.0 * 3.0', frozenset({'x'}))
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from numbers import Number

import numpy as np
from pysd.translators.structures import abstract_expressions as ae

from flywheel.compiler.naming import hidden_stock_names
from flywheel.compiler.runtime import SMALL_VENSIM
from flywheel.errors import UnsupportedConstructError

__all__ = ["TIME", "Node", "Translator", "literal", "unsupported"]

#: Array functions (PySD's references), translated by :mod:`flywheel.compiler.arrays`.
ARRAY_FUNCTIONS = frozenset({"sum", "prod", "vmin", "vmax", "elmcount", "vector_select",
                             "vector_sort_order", "vector_rank", "vector_reorder",
                             "invert_matrix"})
#: Array structures (PySD's), translated by :mod:`flywheel.compiler.arrays`.
ARRAY_STRUCTURES = (ae.AllocateAvailableStructure, ae.AllocateByPriorityStructure)

#: Identifier of the current time in generated code.
TIME = "_t"

_BINARY = {"+": "+", "-": "-", "*": "*", "/": "/", "^": "**", "=": "==", "<>": "!=",
           "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_LOGIC = {":AND:": "np.logical_and", ":OR:": "np.logical_or"}
#: Vensim function (PySD's reference) -> (template, number of arguments).
_FUNCTIONS = {
    "abs": ("np.abs({0})", 1), "min": ("np.minimum({0}, {1})", 2),
    "max": ("np.maximum({0}, {1})", 2), "exp": ("np.exp({0})", 1),
    "ln": ("np.log({0})", 1), "log": ("(np.log({0}) / np.log({1}))", 2),
    "sqrt": ("np.sqrt({0})", 1), "power": ("np.power({0}, {1})", 2),
    "integer": ("np.trunc({0})", 1), "modulo": ("modulo({0}, {1})", 2),
    "xidz": ("xidz({0}, {1}, {2})", 3), "zidz": ("zidz({0}, {1})", 2),
    "if_then_else": ("np.where({0}, {1}, {2})", 3),
    "step": ("step({0}, {1}, t=_t, dt=_dt)", 2),
    "ramp": ("ramp({0}, {1}, {2}, t=_t)", 3),
    "pulse": ("pulse({0}, {1}, t=_t)", 2),
    "pulse_train": ("pulse_train({0}, {1}, {2}, {3}, t=_t)", 4),
    **{f: (f"np.{f}({{0}})", 1) for f in
       ("sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh")},
    "quantum": ("quantum({0}, {1})", 2), "pi": ("np.pi", 0),
}
#: The same functions over floats, for the numba kernel (:mod:`flywheel.compiler.jit`).
_SCALAR_FUNCTIONS = {
    **_FUNCTIONS,
    "abs": ("abs({0})", 1), "min": ("min({0}, {1})", 2), "max": ("max({0}, {1})", 2),
    "exp": ("math.exp({0})", 1), "ln": ("math.log({0})", 1),
    "log": ("(math.log({0}) / math.log({1}))", 2), "sqrt": ("math.sqrt({0})", 1),
    "power": ("({0}) ** ({1})", 2), "integer": ("float(int({0}))", 1),
    "if_then_else": ("({1} if {0} else {2})", 3),
    "step": ("step({0}, {1}, _t, _dt)", 2), "ramp": ("ramp({0}, {1}, {2}, _t)", 3),
    "pulse": ("pulse({0}, {1}, _t)", 2), "pulse_train": ("pulse_train({0}, {1}, {2}, {3}, _t)", 4),
    **{f: (f"math.{f.replace('arc', 'a')}({{0}})", 1) for f in
       ("sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh")},
    "pi": ("math.pi", 0),
}
_SCALAR_LOGIC = {":AND:": "{0} and {1}", ":OR:": "{0} or {1}", ":NOT:": "not {0}"}
_TIME_FUNCTIONS = {"step", "ramp", "pulse", "pulse_train"}


def literal(value: float) -> str:
    """Python source of the float `value`, non-finite values included.

    Examples
    --------
    >>> literal(2.5), literal(float("-inf")), literal(float("nan"))
    ('2.5', '-np.inf', 'np.nan')
    """
    if math.isnan(value):
        return "np.nan"
    if math.isinf(value):
        return "np.inf" if value > 0 else "-np.inf"
    return repr(float(value))


def unsupported(element: str, construct: str, pysd_runs: bool = True) -> UnsupportedConstructError:
    """The error for `construct` used in `element`.

    It suggests PySD's engine only when `pysd_runs`, i.e. PySD runs the construct.
    """
    advice = ("run this model with engine='pysd'" if pysd_runs
              else "PySD (engine='pysd') does not implement it either")
    error = UnsupportedConstructError(
        f"element {element!r} uses {construct}, which the compiled engine does not "
        f"support; {advice}"
    )
    error.pysd_runs = pysd_runs
    return error


@dataclass
class Node:
    """One computed quantity of the model.

    Attributes
    ----------
    ident : str
        Its identifier in the generated code.
    name : str or None
        Display name (None for temporaries, which are never output).
    kind : str
        ``"aux"`` (an expression), ``"stock"`` (an INTEG or a hidden stock) or
        ``"initial"`` (computed once, at the initial time).
    code, deps : str, frozenset
        The expression and the identifiers it reads (aux only).
    init_code, init_deps : str, frozenset
        Initial value of a stock or argument of an INITIAL.
    ddt_code, ddt_deps : str, frozenset
        Derivative of a stock.
    literal : float or None
        The value of an element defined by a plain number.
    dims : tuple
        Subscript dimensions ``(range, element names)`` of a subscripted
        element or hidden stock (:mod:`flywheel.compiler.arrays`), else ().
    """

    ident: str
    name: str | None
    kind: str
    code: str = ""
    deps: frozenset = frozenset()
    init_code: str = ""
    init_deps: frozenset = frozenset()
    ddt_code: str = ""
    ddt_deps: frozenset = frozenset()
    literal: float | None = None
    dims: tuple = ()


class Translator:
    """Turns ASTs into code, registering hidden nodes through `add_node`.

    Parameters
    ----------
    references : dict
        PySD reference key -> identifier of every element (and control variable).
    lookups : dict
        Reference key of each named lookup table -> (x identifier, y identifier).
    add_node : callable
        Called with each hidden or temporary :class:`Node` created.
    scalar : bool
        Write code over floats (for the numba kernel) instead of numpy arrays.
    arrays : flywheel.compiler.arrays.Arrays, optional
        The model's subscripts (None for a model without them).
    """

    def __init__(self, references: dict[str, str], lookups: dict[str, tuple[str, str]],
                 add_node: Callable[[Node], None], scalar: bool = False, arrays=None) -> None:
        self.scalar = scalar
        self.arrays = arrays
        self._functions = _SCALAR_FUNCTIONS if scalar else _FUNCTIONS
        self.references = references
        self.lookups = lookups
        self.add_node = add_node
        self.inline_tables: list[tuple[str, tuple, tuple]] = []
        self.delay_checks: list[tuple[int, str, str]] = []
        self.static_required: list[tuple[str, str, str]] = []
        #: Reference key -> AST of every element (set by the graph), for the values the
        #: structure depends on: a DELAY FIXED's steps, a DELAY N's or SMOOTH N's order.
        self.definitions: dict[str, object] = {}
        #: Calls of the random functions so far (each draws its own numbers).
        self.random_sites = 0
        #: (element, construct) of each construct that holds a value between Euler steps
        #: (PySD's update after a step), so that only method "euler" computes it.
        self.euler_only: list[tuple[str, str]] = []
        self._element = self._ident = ""
        self._counts: dict[str, int] = {}

    def expression(self, tree: object, element: str, ident: str) -> tuple[str, frozenset]:
        """Code and dependencies of `tree`, in the equation of `element` (`ident`)."""
        if element != self._element:
            self._element, self._ident, self._counts = element, ident, {}
        deps: set[str] = set()
        code = self._visit(tree, deps)[0]
        return code, frozenset(deps)

    # --- visitors: each returns (code, is_atomic) and adds identifiers to deps
    def _visit(self, tree: object, deps: set[str]) -> tuple[str, bool]:
        if self.arrays is not None and isinstance(tree, np.ndarray):  # a list or a table
            return self.arrays.literal(tree, self._element), True
        if self.arrays is not None and isinstance(tree, ARRAY_STRUCTURES):
            return self.arrays.structure(tree, lambda arg: self._visit(arg, deps)[0],
                                         self._element, self.references), True
        if isinstance(tree, bool) or not isinstance(tree, (Number, ae.AbstractSyntax)):
            raise unsupported(self._element, f"the value {tree!r}")
        if isinstance(tree, Number):
            value = float(tree)
            return literal(value), value >= 0
        method = getattr(self, "_" + type(tree).__name__, None)
        if method is None:
            name = type(tree).__name__.replace("Structure", "")
            raise unsupported(self._element, _CONSTRUCTS.get(name, name))
        return method(tree, deps)

    def _operand(self, tree: object, deps: set[str]) -> str:
        code, atomic = self._visit(tree, deps)
        return code if atomic else f"({code})"

    def _ArithmeticStructure(self, tree, deps):
        if tree.operators == ["negative"]:
            return "-" + self._operand(tree.arguments[0], deps), False
        if tree.operators[0] == "^" and _negative_literal(tree.arguments[0]):
            # PySD's parser folds the minus into the literal: -2^2 arrives as (-2)^2.
            # Vensim's unary minus binds looser than ^, so it is -(2^2) = -4.
            positive = ae.ArithmeticStructure(tree.operators, (-tree.arguments[0],
                                                               *tree.arguments[1:]))
            return f"-({self._ArithmeticStructure(positive, deps)[0]})", False
        parts = [self._operand(tree.arguments[0], deps)]
        if "/" in tree.operators and isinstance(tree.arguments[0], Number) and not self.scalar:
            parts[0] = f"np.float64({parts[0]})"  # 1/0 is inf, not Python's ZeroDivisionError
        for op, arg in zip(tree.operators, tree.arguments[1:]):
            parts += [_BINARY[op], self._operand(arg, deps)]
        return " ".join(parts), False

    def _LogicStructure(self, tree, deps):
        if self.scalar and tree.operators[0] in _SCALAR_LOGIC:
            code = self._operand(tree.arguments[0], deps)
            if tree.operators == [":NOT:"]:
                return f"({_SCALAR_LOGIC[':NOT:'].format(code)})", True
            for op, arg in zip(tree.operators, tree.arguments[1:]):
                code = f"({_SCALAR_LOGIC[op].format(code, self._operand(arg, deps))})"
            return code, True
        if tree.operators == [":NOT:"]:
            return f"np.logical_not({self._visit(tree.arguments[0], deps)[0]})", True
        if tree.operators[0] in _LOGIC:
            code = self._visit(tree.arguments[0], deps)[0]
            for op, arg in zip(tree.operators, tree.arguments[1:]):
                code = f"{_LOGIC[op]}({code}, {self._visit(arg, deps)[0]})"
            return code, True
        return self._ArithmeticStructure(
            ae.ArithmeticStructure(tree.operators, tree.arguments), deps)

    def _ReferenceStructure(self, tree, deps):
        if self.arrays is not None and tree.reference not in self.references:
            value = self.arrays.subscript_value(tree.reference, self._element)
            if value is not None:  # a range or a range's element as a number
                return value, True
        if self.arrays is not None and tree.reference in self.references and (
                tree.subscripts is not None or self.references[tree.reference] in self.arrays.dims):
            # a subscripted variable named without subscripts reads all of it, as in PySD
            ident = self.references[tree.reference]
            deps.add(ident)
            subs = (tree.subscripts.subscripts if tree.subscripts is not None else
                    [dim for dim, _ in self.arrays.dims[ident]])
            return self.arrays.reference(ident, subs, self._element, tree.reference), True
        if tree.subscripts is not None:
            raise unsupported(self._element, "subscripts")
        if tree.reference == "time":
            deps.add(TIME)
            return TIME, True
        if tree.reference in self.lookups:
            raise unsupported(self._element, f"the lookup {tree.reference!r} without an argument")
        if tree.reference not in self.references:
            raise unsupported(self._element, f"the undefined name {tree.reference!r}")
        ident = self.references[tree.reference]
        deps.add(ident)
        return ident, True

    def _CallStructure(self, tree, deps):
        function = tree.function.reference
        if self.arrays is not None and function in ARRAY_FUNCTIONS:
            return self.arrays.call(function, tree, lambda arg: self._visit(arg, deps)[0],
                                    self._element), True
        if function == "active_initial" and len(tree.arguments) == 2:
            return self._active_initial(tree, deps)
        if function == "get_time_value" and len(tree.arguments) == 3:
            return self._get_time_value(tree, deps)
        args = [self._visit(arg, deps)[0] for arg in tree.arguments]
        if function in _RANDOM and len(args) == _RANDOM[function]:
            return self._random(function, args, deps), True
        if function in self.lookups and len(self.lookups[function]) == 3:  # subscripted
            xs, ys, dims = self.lookups[function]
            name = tree.function.reference
            subs = (tree.function.subscripts.subscripts if tree.function.subscripts is not None
                    else [dim for dim, _ in dims])
            xs, ys = (self.arrays.reference(table, subs, self._element, name, dims)
                      for table in (xs, ys))
            return f"_ar.interpolate({args[0]}, {xs}, {ys})", True
        if function in self.lookups:
            x, y = self.lookups[function]
            deps.update((x, y))
            return f"np.interp({args[0]}, {x}, {y})", True
        if function not in self._functions or len(args) != self._functions[function][1]:
            from pysd.builders.python.python_functions import functionspace

            raise unsupported(self._element, "the function " + function.upper().replace("_", " "),
                              pysd_runs=function in functionspace)
        if function in _TIME_FUNCTIONS:
            deps.update((TIME, "_dt"))
        return self._functions[function][0].format(*args), True

    def _GameStructure(self, tree, deps):
        # GAME(x) is x outside Vensim's gaming mode, as PySD runs it
        return self._visit(tree.expression, deps)

    def _InlineLookupsStructure(self, tree, deps):
        table = tree.lookups
        if table.type != "interpolate":
            raise unsupported(self._element, f"a {table.type!r} lookup")
        ident = f"_lookup_{len(self.inline_tables) + 1}"
        self.inline_tables.append((ident, tuple(map(float, table.x)), tuple(map(float, table.y))))
        deps.update((ident + "_x", ident + "_y"))
        arg = self._visit(tree.argument, deps)[0]
        return f"np.interp({arg}, {ident}_x, {ident}_y)", True

    def _InitialStructure(self, tree, deps):
        ident = self._hidden("INITIAL", 1)[1]
        code, init_deps = self.expression(tree.initial, self._element, self._ident)
        self.add_node(Node(ident, None, "initial", init_code=code, init_deps=init_deps))
        deps.add(ident)
        return ident, True

    def _active_initial(self, tree, deps):
        """ACTIVE INITIAL(expr, init): `init` while the initial values are computed, then `expr`.

        A hidden auxiliary with both codes; it reads the time so that it is never
        computed once as a constant (PySD's value at the initial time is `expr`).
        """
        ident = self._hidden("ACTIVE INITIAL", 1)[1]
        code, run_deps = self.expression(tree.arguments[0], self._element, self._ident)
        init, init_deps = self.expression(tree.arguments[1], self._element, self._ident)
        self.add_node(Node(ident, None, "aux", code=code, deps=run_deps | {TIME},
                           init_code=init, init_deps=init_deps))
        deps.add(ident)
        return ident, True

    def _get_time_value(self, tree, deps):
        """GET TIME VALUE(0, offset, 0): the model's time plus `offset`, the one form PySD
        computes (relative to the initial time it raises; the computer's clock is not a
        model's value)."""
        relative, offset, measure = tree.arguments
        if not (isinstance(relative, Number) and isinstance(measure, Number)
                and relative == 0 and measure == 0):
            raise unsupported(self._element, "GET TIME VALUE other than of the model's time "
                              "(relativeto 0, measure 0)",
                              pysd_runs=isinstance(relative, Number) and relative == 2)
        deps.add(TIME)
        return f"{TIME} + {self._operand(offset, deps)}", False

    def _random(self, function: str, args: list[str], deps: set[str]) -> str:
        """RANDOM UNIFORM, NORMAL, EXPONENTIAL or 0 1: a new draw each time step from the
        stream of the run's seed and the scenario (the runtime's ``_seed``, ``_scenario``).
        Vensim's own seed argument is ignored, as in PySD."""
        self.random_sites += 1
        if function == "random_0_1":
            function, args = "random_uniform", ["0.0", "1.0"]
        elif function == "random_uniform":
            args = args[:2]
        else:
            args = args[:4]
        deps.update((TIME, "_t0", "_dt"))
        context = ("_t, _t0, _dt, _seed, _scenario" if self.scalar else
                   "t=_t, t0=_t0, dt=_dt, seed=_seed, scenario=_scenario")
        return f"{function}({', '.join(args)}, {self.random_sites}, {context})"

    def non_negative(self, stock: str, flow: str, deps: frozenset) -> tuple[str, frozenset]:
        """The derivative of the non-negative stock `stock` whose net flow is `flow`.

        PySD sets such a stock to ``max(stock + flow * dt, 0)`` after each Euler step;
        the net flow is limited to ``-stock / dt``, which is that step. (Exact when dt
        is a power of 2; else an emptied stock may hold a rounding error, about 1e-16
        of its last value, instead of 0.)
        """
        self.euler_only.append((self._element, "a non-negative stock"))
        template = "max({0}, -{1} / _dt)" if self.scalar else "np.maximum({0}, -{1} / _dt)"
        return template.format(flow, stock), deps | {stock, "_dt"}

    def _SampleIfTrueStructure(self, tree, deps):
        """A hidden stock holds the last sample; the element is the input where the condition
        holds, else the sample. Each Euler step moves the stock onto the element's value
        (PySD's update after the step), so the derivative is their difference over dt."""
        [(ident, name)], prefix = self._hidden("SAMPLE IF TRUE", 1)
        self.euler_only.append((self._element, "SAMPLE IF TRUE"))
        condition = self._argument(prefix, "condition", tree.condition)
        inp = self._argument(prefix, "input", tree.input)
        init = self._argument(prefix, "initial", tree.initial)
        value = f"{prefix}__value"
        code = self._functions["if_then_else"][0].format(condition, inp, ident)
        self.add_node(Node(value, None, "aux", code=code, deps=_idents({condition, inp, ident})))
        self._stages([(ident, name)], [(f"({value} - {ident}) / _dt", {value, ident, "_dt"})],
                     (init, {init}))
        deps.add(value)
        return value, True

    # --- delays and smooths
    def _hidden(self, function: str, stages: int) -> tuple[list[tuple[str, str]], str]:
        """(identifier, display name) of each stage, and the group's prefix."""
        count = self._counts[function] = self._counts.get(function, 0) + 1
        names = hidden_stock_names(function, self._element, count, stages)
        slug = "".join(c if c.isalnum() else "_" for c in function.lower())
        prefix = f"_{slug}_{self._ident}" + (f"__n{count}" if count > 1 else "")
        if stages == 1:
            return [(prefix, names[0])], prefix
        return [(f"{prefix}__{k + 1}", n) for k, n in enumerate(names)], prefix

    def _argument(self, prefix: str, role: str, tree: object) -> str:
        if isinstance(tree, (Number, ae.ReferenceStructure)):
            return self._operand(tree, set())
        code, deps = self.expression(tree, self._element, self._ident)
        self.add_node(Node(f"{prefix}__{role}", None, "aux", code=code, deps=deps))
        return f"{prefix}__{role}"

    def _order(self, tree: object, function: str) -> int:
        value = float(tree) if isinstance(tree, Number) else self._fixed_value(tree, function,
                                                                               "an order")
        if value >= 1 and (function != "SMOOTH N" or value == int(value)):
            return int(value)  # DELAY N casts a fraction down, as PySD
        if value >= 1:
            raise unsupported(self._element, "SMOOTH N with an order that is not a whole number",
                              pysd_runs=False)
        raise unsupported(self._element, f"{function} with an order that is not a number >= 1")

    def _fixed_value(self, tree: object, function: str, what: str) -> float:
        """The value of `tree` with the model's default constants and control values.

        It fixes a structure when the model compiles (:func:`fixed_structure` checks
        each run against it). Raises UnsupportedConstructError when `tree` reads the
        time, a stock, a lookup or a function that keeps state.
        """
        from flywheel.compiler import runtime

        names = {ident: key for key, ident in self.references.items()}
        values: dict[str, float] = {}

        def evaluate(tree: object, seen: frozenset) -> float:
            code, deps = Translator(self.references, {}, _refuse).expression(
                tree, self._element, self._ident)
            namespace = {"np": np, **{n: getattr(runtime, n) for n in runtime.__all__}}
            for ident in deps:
                if ident not in values:
                    if names.get(ident) not in self.definitions or ident in seen:
                        raise _NotConstant(ident)
                    values[ident] = evaluate(self.definitions[names[ident]], seen | {ident})
                namespace[ident] = values[ident]
            with np.errstate(all="ignore"):
                return float(eval(code, namespace))  # noqa: S307 - the compiler's own code

        try:
            value = evaluate(tree, frozenset())
        except (_NotConstant, UnsupportedConstructError, ArithmeticError, TypeError,
                ValueError):
            raise unsupported(self._element, f"{function} with {what} that is not computed "
                              "from constants (the compiled engine fixes it when the model "
                              "compiles)") from None
        if not math.isfinite(value):  # e.g. a division by a zero constant
            raise unsupported(self._element, f"{function} with {what} of {value!r}, not a "
                              "finite number", pysd_runs=False)
        return value

    def _checked(self, init: tuple[str, set], stages: str, stage_deps: set, count: int,
                 name: str) -> tuple[str, set]:
        """`init` (code, deps), checked at the initial time to give `count` `stages`."""
        extra = "" if self.scalar else f", {name!r}"
        return (f"fixed_structure({init[0]}, {stages}, {count}{extra})",
                set(init[1]) | stage_deps)

    def _checked_order(self, init: tuple[str, set], tree: object, prefix: str, count: int,
                       name: str, function: str) -> tuple[str, set]:
        """`init`, checked against an order given by an expression (as is if a number)."""
        if isinstance(tree, Number):
            return init
        order = self._argument(prefix, "order", tree)
        stages = order if function == "SMOOTH N" else (
            f"float(int({order}))" if self.scalar else f"np.trunc({order})")
        return self._checked(init, stages, {order}, count, name)

    def _stages(self, stages, ddts, init: tuple[str, set]) -> None:
        dims = self.arrays.frame if self.arrays is not None else ()
        init_code = self.arrays.place(dims, [(None, init[0])]) if dims else init[0]
        for (ident, name), (code, deps) in zip(stages, ddts):
            self.add_node(Node(ident, name, "stock", init_code=init_code,
                               init_deps=_idents(init[1]), ddt_code=code, ddt_deps=_idents(deps),
                               dims=dims))

    def _smooth(self, tree, function: str, deps):
        order = self._order(tree.order, function)
        stages, prefix = self._hidden(function, order)
        inp = self._argument(prefix, "input", tree.input)
        tau = self._argument(prefix, "time", tree.smooth_time)
        init = inp if tree.initial is tree.input else self._argument(prefix, "initial", tree.initial)
        idents = [s[0] for s in stages]
        targets = [inp] + idents[:-1]
        ddts = [(f"({tgt} - {s}) * {float(order)!r} / {tau}", {tgt, s, tau})
                for tgt, s in zip(targets, idents)]
        self._stages(stages, ddts, self._checked_order((init, {init}), tree.order, prefix, order,
                                                       _call_name(stages), function))
        deps.add(idents[-1])
        return idents[-1], True

    def _SmoothStructure(self, tree, deps):
        name = {1: "SMOOTH", 3: "SMOOTH3"}[tree.order]
        return self._smooth(tree, name + ("" if tree.initial is tree.input else "I"), deps)

    def _SmoothNStructure(self, tree, deps):
        return self._smooth(tree, "SMOOTH N", deps)

    def _delay(self, tree, function: str, deps):
        order = self._order(tree.order, function)
        stages, prefix = self._hidden(function, order)
        inp = self._argument(prefix, "input", tree.input)
        tau = self._argument(prefix, "time", tree.delay_time)
        init = inp if tree.initial is tree.input else self._argument(prefix, "initial", tree.initial)
        idents = [s[0] for s in stages]
        inflows = [(inp, {inp})] + [(f"{s} / {tau}", {s}) for s in idents[:-1]]
        ddts = [(f"({inflow} - {s} / {tau}) * {float(order)!r}", {s, tau} | ideps)
                for (inflow, ideps), s in zip(inflows, idents)]
        self._stages(stages, ddts, self._checked_order((f"{init} * {tau}", {init, tau}),
                                                       tree.order, prefix, order,
                                                       _call_name(stages), function))
        self.delay_checks.append((order, tau, stages[0][1]))
        if function == "DELAY N":
            self.static_required.append((tau, self._element, "DELAY N with a varying delay time"))
        deps.update(_idents({idents[-1], tau}))
        return f"{idents[-1]} / {tau}", False

    def _DelayStructure(self, tree, deps):
        name = {1: "DELAY1", 3: "DELAY3"}[tree.order]
        return self._delay(tree, name + ("" if tree.initial is tree.input else "I"), deps)

    def _DelayNStructure(self, tree, deps):
        return self._delay(tree, "DELAY N", deps)

    def _DelayFixedStructure(self, tree, deps):
        """PySD's pipe of round(delay time / TIME STEP) values as a chain of hidden stocks:
        each Euler step moves every stage onto the one before it (the first onto the
        input), so the last stage is the input that many steps ago."""
        tau_value = self._fixed_value(tree.delay_time, "DELAY FIXED", "a delay time")
        dt_value = self._fixed_value(ae.ReferenceStructure("time_step"), "DELAY FIXED",
                                     "a TIME STEP")
        count = round(max(tau_value / dt_value, 1.0) + SMALL_VENSIM)
        stages, prefix = self._hidden("DELAY FIXED", count)
        self.euler_only.append((self._element, "DELAY FIXED"))
        inp = self._argument(prefix, "input", tree.input)
        tau = self._argument(prefix, "time", tree.delay_time)
        init = self._argument(prefix, "initial", tree.initial)
        idents = [s[0] for s in stages]
        ddts = [(f"({before} - {s}) / _dt", {before, s, "_dt"})
                for before, s in zip([inp] + idents[:-1], idents)]
        steps = (f"float(round(max({tau} / _dt, 1.0) + {SMALL_VENSIM!r}))" if self.scalar
                 else f"np.round(np.maximum({tau} / _dt, 1.0) + {SMALL_VENSIM!r})")
        self._stages(stages, ddts, self._checked((init, {init}), steps, {tau, "_dt"}, count,
                                                 _call_name(stages)))
        deps.add(idents[-1])
        return idents[-1], True

    def _TrendStructure(self, tree, deps):
        [(ident, name)], prefix = self._hidden("TREND", 1)
        inp = self._argument(prefix, "input", tree.input)
        tau = self._argument(prefix, "time", tree.average_time)
        trend0 = self._argument(prefix, "initial", tree.initial_trend)
        self._stages([(ident, name)], [(f"({inp} - {ident}) / {tau}", {inp, ident, tau})],
                     (f"{inp} / (1.0 + {trend0} * {tau})", {inp, trend0, tau}))
        deps.update(_idents({inp, tau, ident}))
        return f"zidz({inp} - {ident}, {tau} * abs({ident}))", True

    def _ForecastStructure(self, tree, deps):
        [(ident, name)], prefix = self._hidden("FORECAST", 1)
        inp = self._argument(prefix, "input", tree.input)
        tau = self._argument(prefix, "time", tree.average_time)
        horizon = self._argument(prefix, "horizon", tree.horizon)
        trend0 = self._argument(prefix, "initial", tree.initial_trend)
        self._stages([(ident, name)], [(f"({inp} - {ident}) / {tau}", {inp, ident, tau})],
                     (f"{inp} / (1.0 + {trend0})", {inp, trend0}))
        deps.update(_idents({inp, tau, horizon, ident}))
        return f"{inp} * (1.0 + zidz({inp} - {ident}, {tau} * {ident}) * {horizon})", False


#: The random functions (PySD's references) the engines draw, with their numbers of arguments.
_RANDOM = {"random_uniform": 3, "random_normal": 5, "random_exponential": 5, "random_0_1": 0}


class _NotConstant(Exception):
    """An expression evaluated when the model compiles reads something that varies."""


def _refuse(node: Node) -> None:
    raise _NotConstant(node.ident)


def _call_name(stages: list[tuple[str, str]]) -> str:
    """The display name of a delay or smooth from its stages' (e.g. ``DELAY3(X)``)."""
    return stages[0][1].removesuffix(" stage 1")


def _negative_literal(tree: object) -> bool:
    """Whether `tree` is a number below zero (PySD's parse of ``-2`` is the number -2)."""
    return isinstance(tree, Number) and not isinstance(tree, bool) and tree < 0


def _idents(names: set[str]) -> frozenset:
    """The identifiers among `names` (dropping numeric literals)."""
    return frozenset(n for n in names if n.isidentifier())


_CONSTRUCTS = {
    "AllocateAvailable": "ALLOCATE AVAILABLE", "AllocateByPriority": "ALLOCATE BY PRIORITY",
    "Data": "data variables", "GetLookups": "GET LOOKUPS", "GetData": "GET DATA",
    "GetConstants": "GET CONSTANTS", "SubscriptsReference": "subscripts",
    "Integ": "INTEG inside an expression", "Lookups": "a lookup table inside an expression",
}
