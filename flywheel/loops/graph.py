"""The causal graph of a model: who influences whom, with what polarity.

:func:`causal_graph` reads every equation's syntax tree (PySD's abstract
model) into a small expression language and turns it into a
:class:`networkx.DiGraph`. Nodes are the model's variables: stocks, flows,
auxiliaries and constants, plus the hidden stocks of SMOOTH, DELAY, TREND
and FORECAST calls, named as :mod:`flywheel.compiler.naming` names them.
Lookup tables are not nodes (a table shapes the link it sits on), and the
control variables and TIME are left out: they make no feedback.

An edge x → z is a reference to x in z's equation, or, for a stock, in its
net rate (the INTEG's first argument): flows into a stock are ``"+"``, flows
out ``"-"``. References inside INITIAL, and in a stock's or a delay's initial
value, fix a value once and are not links. A delay or smoothing call becomes
a chain through its hidden stocks: ``input → SMOOTH(Y) → Y``, each hidden
stock with its own first-order balancing self-loop.

The expression language (used by :mod:`flywheel.loops.polarity`) is nested
tuples: ``("num", v)``, ``("var", name)``, ``("neg", a)``, ``("bin", op, a,
b)`` with op one of ``+ - * / ^``, ``("call", function, args)``, ``("table",
xs, ys, arg)``, ``("logic", args)`` for comparisons and AND/OR/NOT,
``("fixed", a)`` for INITIAL, ``("time",)`` and ``("opaque", args)``.

Examples
--------
>>> import flywheel
>>> g = flywheel.causal_graph("flywheel_minimal")
>>> g.nodes["Installed Compute"]["kind"]
'stock'
>>> sorted((u, d["polarity"]) for u, _, d in g.in_edges("Installed Compute", data=True))[:2]
[('Compute Additions', '+'), ('Compute Retirements', '-')]
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from numbers import Number
from pathlib import Path

import networkx as nx
from pysd.translators.structures import abstract_expressions as ae

from flywheel.compiler.arrays import bang_subscripts
from flywheel.compiler.naming import hidden_stock_names, reference_key
from flywheel.compiler.translate import ARRAY_FUNCTIONS
from flywheel.loops.elements import ElementReading, aggregate
from flywheel.loops.polarity import constant_value, link_polarity, value_sign
from flywheel.model import Model, load

__all__ = ["Structure", "aggregate", "causal_graph", "hidden_call", "model_structure"]


@dataclass
class Structure:
    """Everything the loop analysis reads from one model's equations.

    Attributes
    ----------
    model : flywheel.Model
    equations : dict
        Node name -> the expression whose partial derivatives give the node's
        in-links: an auxiliary's value, or a stock's net rate.
    kinds : dict
        Node name -> "stock", "flow", "auxiliary" or "constant".
    hidden : dict
        Hidden stock name -> (function, element holding the call).
    units : dict
        Node name -> units ('' when unknown).
    graph : networkx.DiGraph
        The causal graph (do not modify: :func:`causal_graph` returns copies).
    subscripts : dict
        Node name of one element of a subscripted variable -> (the variable,
        ((name in its equation, range, element), ...)).
    """

    model: Model
    equations: dict = field(default_factory=dict)
    kinds: dict = field(default_factory=dict)
    hidden: dict = field(default_factory=dict)
    units: dict = field(default_factory=dict)
    graph: nx.DiGraph | None = None
    subscripts: dict = field(default_factory=dict)
    _signs: dict = field(default_factory=dict)
    _values: dict = field(default_factory=dict)
    _inputs: dict = field(default_factory=dict)

    # -- values and signs of variables, read at the model's defaults
    def value_of(self, name: str) -> float | None:
        """The constant value of `name` at the model's defaults, None when it varies."""
        if name not in self._values:
            self._values[name] = None  # guards against recursion
            expr = self.equations.get(name)
            if self.kinds.get(name) != "stock" and expr is not None:
                self._values[name] = constant_value(expr, self.value_of)
        return self._values[name]

    def sign_of(self, name: str) -> str:
        """The sign of `name`'s value: stocks are taken to be positive."""
        if name not in self._signs:
            self._signs[name] = "?"  # guards against recursion
            if self.kinds.get(name) == "stock" and name not in self.hidden:
                sign = "+"
            elif name in self.hidden:
                sign = value_sign(self._inputs.get(name, ("num", 1.0)), self.sign_of,
                                  self.value_of)
                sign = "+" if sign in ("+", "0", "?") else sign
            else:
                value = self.value_of(name)
                if value is not None:
                    sign = "-" if value < 0 else "+"  # a zero constant is a switch: weak +
                else:
                    sign = value_sign(self.equations[name], self.sign_of, self.value_of)
            self._signs[name] = sign
        return self._signs[name]


# ------------------------------------------------------------------ reading ASTs
_FUNCTION_NAMES = {"if_then_else", "min", "max", "abs", "exp", "ln", "log", "sqrt", "power",
                   "integer", "modulo", "xidz", "zidz", "step", "ramp", "pulse", "pulse_train"}


class _Reader:
    """Reads one element's syntax trees, registering the hidden stocks they call."""

    def __init__(self, structure: Structure, names: dict[str, str], tables: dict,
                 controls: dict[str, float], element: str, arrays: ElementReading | None = None,
                 coords: tuple = (), node: str | None = None) -> None:
        self.s, self.names, self.tables, self.controls = structure, names, tables, controls
        self.element = element
        self.counts: dict[str, int] = {}
        # subscripts: the ranges, and the element of each of the equation's ranges read now
        self.arrays, self.coords = arrays, coords
        self.binding = {frame: item for frame, _, item in coords}
        self.suffix = node[len(element):] if node else ""

    def read(self, tree) -> tuple:
        if isinstance(tree, bool):
            return ("num", float(tree))
        if isinstance(tree, Number):
            return ("num", float(tree))
        method = getattr(self, "_" + type(tree).__name__, None)
        if method is None:
            return ("opaque", tuple(self.read(c) for c in _syntax_children(tree)))
        return method(tree)

    def _ndarray(self, tree) -> tuple:
        """A constant given as a list or a table: the number of the element read now."""
        if self.arrays is None or tree.ndim != len(self.coords):
            return ("opaque", ())
        index = []
        for frame, _, item in self.coords:
            items = self.arrays.ranges.get(frame, ())
            if item not in items:
                return ("opaque", ())
            index.append(items.index(item))
        return ("num", float(tree[tuple(index)]))

    def _ArithmeticStructure(self, tree):
        if list(tree.operators) == ["negative"]:
            return ("neg", self.read(tree.arguments[0]))
        return _fold(list(tree.operators), [self.read(a) for a in tree.arguments])

    def _LogicStructure(self, tree):
        return ("logic", tuple(self.read(a) for a in tree.arguments))

    def _ReferenceStructure(self, tree):
        key = tree.reference
        if key == "time":
            return ("time",)
        if key in self.controls:
            return ("num", self.controls[key])
        if self.arrays is not None and key in self.names \
                and self.arrays.dims.get(self.names[key]):
            node = self.arrays.node(self.names[key], tree.subscripts, self.binding)
            return ("var", node) if node else ("opaque", ())
        if key in self.names:
            return ("var", self.names[key])
        return ("opaque", ())

    def _SubscriptsReferenceStructure(self, tree):
        return ("opaque", ())

    def _CallStructure(self, tree):
        function = tree.function.reference
        if self.arrays is not None and function in ARRAY_FUNCTIONS:
            return self._array_call(function, tree)
        args = tuple(self.read(a) for a in tree.arguments)
        if function in self.tables:
            xs, ys = self.tables[function]
            return ("table", xs, ys, args[0] if args else ("opaque", ()))
        if function in _FUNCTION_NAMES:
            return ("call", function, args)
        return ("opaque", args)

    def _array_call(self, function: str, tree) -> tuple:
        """An array function: SUM, PROD, VMIN, VMAX over their ``Range!`` elements; the
        others (VECTOR ..., INVERT MATRIX) read every element of their arguments."""
        if function == "elmcount":
            name = self.arrays.range_of(getattr(tree.arguments[0], "reference", ""))
            return ("num", float(len(self.arrays.ranges[name]))) if name else ("opaque", ())
        bangs = [b for b in dict.fromkeys(
            b for arg in tree.arguments for b in bang_subscripts(arg)) if b[:-1] in
            self.arrays.ranges]
        spread = bangs if function in _REDUCE else bangs + [
            d for d in self.arrays.last_dims(self.binding) if d not in bangs]
        terms = []
        for combo in itertools.product(*(self.arrays.items(b) for b in spread)):
            outer = self.binding
            self.binding = {**outer, **dict(zip(spread, combo))}
            terms.append(tuple(self.read(a) for a in tree.arguments))
            self.binding = outer
        if function not in _REDUCE:
            return ("opaque", tuple(t for args in terms for t in args))
        values = [args[0] for args in terms]
        if function in ("vmin", "vmax"):
            result = values[0]
            for value in values[1:]:
                result = ("call", function[1:], (result, value))
            return result
        return _fold([_REDUCE[function]] * (len(values) - 1), values)

    def _AllocateByPriorityStructure(self, tree):
        return self._spread(tree)

    _AllocateAvailableStructure = _AllocateByPriorityStructure

    def _spread(self, tree) -> tuple:
        """A structure whose value at one element depends on every element of the last range."""
        if self.arrays is None:
            return ("opaque", tuple(self.read(c) for c in _syntax_children(tree)))
        spread = self.arrays.last_dims(self.binding)
        terms = []
        for combo in itertools.product(*(self.arrays.items(d) for d in spread)):
            outer = self.binding
            self.binding = {**outer, **dict(zip(spread, combo))}
            terms += [self.read(c) for c in _syntax_children(tree)]
            self.binding = outer
        return ("opaque", tuple(terms))

    def _InlineLookupsStructure(self, tree):
        table = tree.lookups
        return ("table", tuple(map(float, table.x)), tuple(map(float, table.y)),
                self.read(tree.argument))

    def _InitialStructure(self, tree):
        self._count("INITIAL")
        return ("fixed", self.read(tree.initial))

    # -- delays and smooths: named as flywheel.compiler names them (same order of
    #    registration: the call, then its arguments left to right)
    def _count(self, function: str) -> int:
        self.counts[function] = self.counts.get(function, 0) + 1
        return self.counts[function]

    def _register(self, function: str, stages: int) -> list[str]:
        names = [name + self.suffix for name in
                 hidden_stock_names(function, self.element, self._count(function), stages)]
        for name in names:
            self.s.hidden[name] = (function, self.element + self.suffix)
            if self.coords:
                self.s.subscripts[name] = (name.removesuffix(self.suffix), self.coords)
            self.s.kinds[name] = "stock"
            self.s.units[name] = ""
        return names

    def _smooth(self, tree, function: str, stages: int):
        stocks = self._register(function, stages)
        source = self.read(tree.input)
        tau = self.read(tree.smooth_time)
        if tree.initial is not tree.input:
            self.read(tree.initial)
        n = ("num", float(len(stocks)))
        targets = [source] + [("var", s) for s in stocks[:-1]]
        for stock, target in zip(stocks, targets):
            rate = ("bin", "/", ("bin", "*", ("bin", "-", target, ("var", stock)), n), tau)
            self.s.equations[stock] = rate
            self.s._inputs[stock] = source
        if self.element + self.suffix in self.s.units:
            for stock in stocks:
                self.s.units[stock] = self.s.units[self.element + self.suffix]
        return ("var", stocks[-1])

    def _SmoothStructure(self, tree):
        return self._smooth(tree, *hidden_call(tree)[:2])

    _SmoothNStructure = _SmoothStructure

    def _delay(self, tree, function: str, stages: int):
        stocks = self._register(function, stages)
        source = self.read(tree.input)
        tau = self.read(tree.delay_time)
        if tree.initial is not tree.input:
            self.read(tree.initial)
        n = ("num", float(len(stocks)))
        inflows = [source] + [("bin", "/", ("var", s), tau) for s in stocks[:-1]]
        for stock, inflow in zip(stocks, inflows):
            out = ("bin", "/", ("var", stock), tau)
            self.s.equations[stock] = ("bin", "*", ("bin", "-", inflow, out), n)
            self.s._inputs[stock] = source
        return ("bin", "/", ("var", stocks[-1]), tau)

    def _DelayStructure(self, tree):
        return self._delay(tree, *hidden_call(tree)[:2])

    _DelayNStructure = _DelayStructure

    def _averaged(self, function: str, tree):
        [stock] = self._register(function, 1)
        source = self.read(tree.input)
        tau = self.read(tree.average_time)
        self.s.equations[stock] = ("bin", "/", ("bin", "-", source, ("var", stock)), tau)
        self.s._inputs[stock] = source
        return stock, source, tau

    def _TrendStructure(self, tree):
        stock, source, tau = self._averaged("TREND", tree)
        self.read(tree.initial_trend)
        gap = ("bin", "-", source, ("var", stock))
        return ("call", "zidz", (gap, ("bin", "*", tau, ("call", "abs", (("var", stock),)))))

    def _ForecastStructure(self, tree):
        stock, source, tau = self._averaged("FORECAST", tree)
        horizon = self.read(tree.horizon)
        self.read(tree.initial_trend)
        gap = ("bin", "-", source, ("var", stock))
        trend = ("call", "zidz", (gap, ("bin", "*", tau, ("var", stock))))
        return ("bin", "*", source,
                ("bin", "+", ("num", 1.0), ("bin", "*", trend, horizon)))


def hidden_call(tree) -> tuple[str, int, tuple[str, ...], tuple[str, ...]] | None:
    """How the compiler names a delay or smoothing call, and its arguments.

    Returns
    -------
    tuple or None
        (Vensim function as the hidden stocks' names spell it, number of
        hidden stocks, the arguments read during the run in the order the
        compiler visits them, the arguments read only at the start), or None
        for any other node.
    """
    def stages(order) -> int:
        return int(order) if isinstance(order, Number) and float(order) >= 1 else 1

    def suffix() -> str:
        return "" if tree.initial is tree.input else "I"

    initial = () if getattr(tree, "initial", None) is getattr(tree, "input", 0) else ("initial",)
    if isinstance(tree, ae.SmoothStructure):
        name = {1: "SMOOTH", 3: "SMOOTH3"}.get(tree.order, "SMOOTH") + suffix()
        return name, stages(tree.order), ("input", "smooth_time"), initial
    if isinstance(tree, ae.SmoothNStructure):
        return "SMOOTH N", stages(tree.order), ("input", "smooth_time"), initial
    if isinstance(tree, ae.DelayStructure):
        name = {1: "DELAY1", 3: "DELAY3"}.get(tree.order, "DELAY1") + suffix()
        return name, stages(tree.order), ("input", "delay_time"), initial
    if isinstance(tree, ae.DelayNStructure):
        return "DELAY N", stages(tree.order), ("input", "delay_time"), initial
    if isinstance(tree, ae.TrendStructure):
        return "TREND", 1, ("input", "average_time"), ("initial_trend",)
    if isinstance(tree, ae.ForecastStructure):
        return "FORECAST", 1, ("input", "average_time", "horizon"), ("initial_trend",)
    return None


def _syntax_children(tree) -> list:
    """The sub-expressions of a construct the reader does not know."""
    out = []
    for value in getattr(tree, "__dict__", {}).values():
        if isinstance(value, (ae.AbstractSyntax, Number)) and not isinstance(value, bool):
            out.append(value)
        elif isinstance(value, (tuple, list)):
            out += [v for v in value if isinstance(v, ae.AbstractSyntax)]
    return out


_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "^": 3}


def _fold(operators: list[str], operands: list[tuple]) -> tuple:
    """A flat ``a op b op c`` list as a tree, with Python's precedence (as the compiler emits it)."""
    output: list[tuple] = [operands[0]]
    stack: list[str] = []

    def reduce() -> None:
        op = stack.pop()
        b, a = output.pop(), output.pop()
        output.append(("bin", op, a, b))

    for op, operand in zip(operators, operands[1:]):
        op = op if op in _PRECEDENCE else op  # comparisons never reach here
        while stack and (_PRECEDENCE.get(stack[-1], 0) > _PRECEDENCE.get(op, 0) or (
                _PRECEDENCE.get(stack[-1], 0) == _PRECEDENCE.get(op, 0) and op != "^")):
            reduce()
        stack.append(op)
        output.append(operand)
    while stack:
        reduce()
    return output[0]


# ------------------------------------------------------------------ building
def _build(model: Model) -> Structure:
    structure = Structure(model)
    section = model.abstract.sections[0]
    elements = model.elements
    controls = {reference_key(n): float(v) for n, v in model.control.items()
                if v is not None} if _has_control(model) else {}
    names, tables = {}, {}
    for element in section.elements:
        kind = elements[element.name].kind
        key = reference_key(element.name)
        if kind == "lookup":
            tree = element.components[0].ast
            if isinstance(tree, ae.LookupsStructure):
                tables[key] = (tuple(map(float, tree.x)), tuple(map(float, tree.y)))
            else:
                tables[key] = (None, None)
        elif kind != "control":
            names[key] = element.name
    arrays = ElementReading(model) if model.subscripts else None
    for element in section.elements:
        kind = elements[element.name].kind
        if kind in ("lookup", "control"):
            continue
        # hidden stocks are numbered per element across its equations, as the compiler does
        start: dict[str, int] = {}
        after: dict[str, int] = {}
        current = None
        for component, node, coords in (arrays.equations(element) if arrays else
                                        [(element.components[0], element.name, ())]):
            if component is not current:
                current, start = component, after
            structure.kinds[node] = kind
            structure.units[node] = elements[element.name].units
            if coords:
                structure.subscripts[node] = (element.name, coords)
            reader = _Reader(structure, names, tables, controls, element.name, arrays,
                             coords, node)
            reader.counts = dict(start)
            structure.equations[node] = _read_equation(reader, component.ast)
            after = reader.counts
    structure.graph = _digraph(structure)
    return structure


def _read_equation(reader: _Reader, tree) -> tuple:
    """The expression giving a node's in-links: a stock's net rate, else its value."""
    if isinstance(tree, ae.IntegStructure):
        reader.read(tree.initial)
        return reader.read(tree.flow)
    if isinstance(tree, ae.InitialStructure):
        return ("fixed", reader.read(tree.initial))
    return reader.read(tree)


#: The reductions over ``Range!`` elements, as the operator folding their terms.
_REDUCE = {"sum": "+", "prod": "*", "vmin": "min", "vmax": "max"}


def _has_control(model: Model) -> bool:
    try:
        model.control
    except Exception:  # a model without control values still has a causal graph
        return False
    return True


def _digraph(structure: Structure) -> nx.DiGraph:
    from flywheel.loops.polarity import _variables

    graph = nx.DiGraph(model=structure.model.name)
    for name, kind in structure.kinds.items():
        attrs = {"kind": kind, "units": structure.units.get(name, "")}
        if name in structure.hidden:
            function, element = structure.hidden[name]
            attrs.update(hidden=True, function=function, element=element)
        else:
            attrs["hidden"] = False
        if name in structure.subscripts:
            variable, coords = structure.subscripts[name]
            attrs.update(variable=variable, subscripts=tuple((d, c) for _, d, c in coords))
        graph.add_node(name, **attrs)
    for target, expr in structure.equations.items():
        is_stock = structure.kinds[target] == "stock"
        for source in sorted(_variables(expr)):
            polarity = link_polarity(expr, source, structure.sign_of, structure.value_of)
            graph.add_edge(source, target, polarity="?" if polarity == "0" else polarity,
                           flow=is_stock)
    return graph


_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def model_structure(model: Model | str | Path) -> Structure:
    """The :class:`Structure` of `model` (a Model, bundled name or path), cached per Model."""
    model = model if isinstance(model, Model) else load(model)
    if model not in _CACHE:
        _CACHE[model] = _build(model)
    return _CACHE[model]


def causal_graph(model: Model | str | Path, *,
                 aggregate_over: Iterable[str] | bool | None = None) -> nx.DiGraph:
    """The causal graph of `model`, with the polarity of every link.

    Parameters
    ----------
    model : Model, str or path
        A loaded model, a bundled model's name or a model file's path.
    aggregate_over : iterable of str or True, optional
        In a subscripted model, every element of a variable is a node
        (``Population[North]``); these ranges' elements are merged into one
        node instead (True: every range), as :func:`aggregate` does.

    Returns
    -------
    networkx.DiGraph
        Nodes are display names (``Name[a,b]`` for one element of a
        subscripted variable, which also carries ``variable`` and
        ``subscripts``: its ranges and elements), with attributes ``kind``
        ("stock", "flow", "auxiliary", "constant"), ``units`` and ``hidden`` (True for the
        hidden stocks of delays and smooths, which also carry ``function``
        and ``element``: the function and the element whose equation calls
        it). Edges carry ``polarity`` ("+", "-", "mixed" or "?") and ``flow``
        (True for a link into a stock, i.e. a term of its net rate). The
        graph attribute ``model`` is the model's name. The graph is a fresh
        copy: change it freely.

    Notes
    -----
    Polarity is read symbolically from the equation's structure (see
    :mod:`flywheel.loops.polarity` for the rules and the sign assumptions);
    a link whose sign depends on something the structure does not say is
    ``"?"``: :func:`flywheel.feedback_loops` can measure it along a run
    (``numeric=True``). Linear in the size of the equations.

    Examples
    --------
    >>> import flywheel
    >>> g = flywheel.causal_graph("flywheel_minimal")
    >>> g.edges["Compute Retirements", "Installed Compute"]["polarity"]
    '-'
    >>> g.nodes["Learning Rate"]["kind"]
    'constant'
    """
    graph = model_structure(model).graph
    if aggregate_over is not None and aggregate_over is not False:
        return aggregate(graph, None if aggregate_over is True else aggregate_over)
    return graph.copy()
