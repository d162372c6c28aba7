"""Vensim macros for the compiled engine: each call expanded inline.

A copy of the abstract model is made in which every call of a macro is
replaced by a reference to a new element, the macro's output for that call,
and every element of the macro is copied into the main section once per call
with the call's arguments in place of the macro's parameters. Each call thus
has its own stocks (hidden stocks, as those of the delay functions), and a
macro may call another. An argument that is a number or a name is put in
place of the parameter; any other argument becomes an element of its own, so
that a delay or smoothing in it keeps one set of stocks however often the
macro reads it.

Names: the output of the first call of macro ``M`` in the equation of element
``E`` is ``"M(E)"``, the second call's ``"M(E) #2"``; the macro's other
elements and argument elements follow it after a space: ``"M(E) half
factor"``. They are :class:`MacroElement` instances: the compiler keeps them
out of the outputs, as PySD's run does.

A call in an equation over whole subscript ranges (``Smoothed[Region] = M(
Demand[Region], 2)``) gives the macro's elements those ranges: one set of
stocks per element of the ranges. A call in an equation for single elements
of a range is expanded without them; the compiler then refuses the
subscripted arguments by name (PySD 3.14's run of such a call fails too).

Examples
--------
>>> import flywheel
>>> model = flywheel.load("tests/models/macro_smooth.mdl")
>>> [e.name for e in expand_macros(model.abstract).sections[0].elements
...  if isinstance(e, MacroElement)][:2]
['EXPO SMOOTH(Smoothed Demand)', 'EXPO SMOOTH(Slow Smoothed Demand) delay time']
"""

from __future__ import annotations

import dataclasses
from numbers import Number

from pysd.translators.structures import abstract_expressions as ae
from pysd.translators.structures.abstract_model import AbstractComponent, AbstractElement

from flywheel.compiler.naming import reference_key
from flywheel.errors import ModelFileError

__all__ = ["MacroElement", "expand_macros", "rebuild"]


@dataclasses.dataclass
class MacroElement(AbstractElement):
    """An element copied from a macro for one call: computed, never an output."""


def expand_macros(abstract_model):
    """`abstract_model` with every macro call expanded (see the module's description).

    Returned as is when it has no macro.

    Raises
    ------
    ModelFileError
        A macro that calls itself, is called with the wrong number of
        arguments, or has no element named after it (its output).
    """
    main, *others = abstract_model.sections
    if not others:
        return abstract_model
    macros = {section.name: section for section in others}
    ranges = frozenset(subscript.name for subscript in main.subscripts)
    added: list[MacroElement] = []
    elements = []
    for element in main.elements:
        expansion = _Expansion(macros, added, element.name, (), ranges)
        elements.append(dataclasses.replace(element, components=[
            dataclasses.replace(c, ast=expansion.visit(c.ast, {}, c.subscripts[0]))
            for c in element.components]))
    section = dataclasses.replace(main, elements=tuple(elements + added))
    return dataclasses.replace(abstract_model, sections=(section,))


class _Expansion:
    """Expands the macro calls in the equations of one element, `owner`."""

    def __init__(self, macros: dict, added: list, owner: str, calling: tuple[str, ...],
                 ranges: frozenset) -> None:
        self.macros, self.added, self.owner, self.calling = macros, added, owner, calling
        self.ranges = ranges
        self.counts: dict[str, int] = {}
        self.subscripts: list[str] = []

    def visit(self, tree: object, replace: dict, subscripts: list[str]) -> object:
        """`tree` (an equation over `subscripts`) with macro calls expanded and the
        references in `replace` replaced."""
        whole = subscripts and set(subscripts) <= self.ranges
        self.subscripts = list(subscripts) if whole else []
        return rebuild(tree, lambda node: self._node(node, replace))

    def _reference(self, name: str) -> ae.ReferenceStructure:
        """A reference to the element `name` of an expansion, over the call's ranges."""
        over = ae.SubscriptsReferenceStructure(list(self.subscripts)) if self.subscripts else None
        return ae.ReferenceStructure(reference_key(name), over)

    def _component(self, component, tree: object):
        """`component` of a macro's element with the AST `tree`, over the call's ranges."""
        if component.subscripts[0]:  # the macro's own subscripts
            return dataclasses.replace(component, ast=tree)
        return dataclasses.replace(component, ast=tree, subscripts=(list(self.subscripts), []))

    def _node(self, node: object, replace: dict) -> object:
        if isinstance(node, ae.ReferenceStructure) and node.reference in replace:
            return replace[node.reference]
        if (isinstance(node, ae.CallStructure) and isinstance(node.function, ae.ReferenceStructure)
                and node.function.reference in self.macros):
            return self._call(node.function.reference, node.arguments)
        return node

    def _call(self, key: str, arguments: tuple) -> ae.ReferenceStructure:
        macro = self.macros[key]
        if key in self.calling:
            raise ModelFileError(f"macro {key!r} calls itself ({' -> '.join(self.calling)}); "
                                 "a macro cannot be expanded into itself")
        output = next((e for e in macro.elements if reference_key(e.name) == key), None)
        if output is None:
            raise ModelFileError(f"macro {key!r} has no element named after it (its output)")
        if len(arguments) != len(macro.params):
            raise ModelFileError(
                f"element {self.owner!r} calls macro {output.name!r} with {len(arguments)} "
                f"arguments; it takes {len(macro.params)} ({', '.join(macro.params)})")
        self.counts[key] = count = self.counts.get(key, 0) + 1
        base = f"{output.name}({self.owner})" + (f" #{count}" if count > 1 else "")
        names = {reference_key(e.name): base if e is output else f"{base} {e.name}"
                 for e in macro.elements}
        replace = {key: self._reference(name) for key, name in names.items()}
        for param, argument in zip(macro.params, arguments):
            if isinstance(argument, (Number, ae.ReferenceStructure)):
                replace[reference_key(param)] = argument
            else:
                name = f"{base} {param}"
                self._add(name, [self._component(AbstractComponent(([], []), 0.0), argument)],
                          AbstractElement(name, []))
                replace[reference_key(param)] = self._reference(name)
        for element in macro.elements:
            inner = _Expansion(self.macros, self.added, names[reference_key(element.name)],
                               self.calling + (key,), self.ranges)
            self._add(inner.owner, [self._component(c, inner.visit(c.ast, replace, self.subscripts))
                                    for c in element.components], element)
        return self._reference(base)

    def _add(self, name: str, components: list, source: AbstractElement) -> None:
        self.added.append(MacroElement(name=name, components=components, units=source.units,
                                       limits=source.limits, documentation=source.documentation))


def rebuild(tree: object, visit, memo: dict | None = None) -> object:
    """`tree` rebuilt bottom-up with each AST node passed through `visit`.

    A node met twice (PySD shares one node as the input and the initial value
    of SMOOTH) is rebuilt once, so the sharing survives.
    """
    memo = {} if memo is None else memo
    if id(tree) in memo:
        return memo[id(tree)]
    if isinstance(tree, (list, tuple)):
        result = type(tree)(rebuild(item, visit, memo) for item in tree)
    elif isinstance(tree, ae.AbstractSyntax):
        fields = {f.name: rebuild(getattr(tree, f.name), visit, memo)
                  for f in dataclasses.fields(tree)}
        result = visit(dataclasses.replace(tree, **fields))
    else:
        return tree
    memo[id(tree)] = result
    return result
