"""A subscripted model's causal graph by element: one node per element of a variable.

:class:`ElementReading` names a subscripted variable's nodes ``Name[a,b]`` and
resolves each reference of an equation to the element it reads (used by
:mod:`flywheel.loops.graph`); :func:`aggregate` merges a range's elements
back into one node per variable.

Examples
--------
>>> import flywheel
>>> g = flywheel.causal_graph("tests/models/sub_1d.mdl")
>>> sorted(n for n in g if n.startswith("Population"))[:2]
['Population[East]', 'Population[North]']
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

import networkx as nx

from flywheel.compiler.naming import reference_key
from flywheel.model import Model

__all__ = ["ElementReading", "aggregate"]


class ElementReading:
    """A subscripted model's ranges: one node per element of every subscripted variable.

    A node is named ``Name[a,b]`` (as :func:`flywheel.compiler.arrays.row_names`),
    and each of its equation's references is resolved to the element it reads:
    the equation's own element, a fixed element, a mapped range's counterpart,
    or every element of a ``Range!`` inside an array function.
    """

    def __init__(self, model: Model) -> None:
        self.manager = model._subscript_manager
        self.ranges = {name: tuple(items) for name, items in self.manager.subscripts.items()}
        self.keys = {reference_key(name): name for name in self.ranges}
        self.dims = {name: tuple((d, model.subscripts[d]) for d in model.dimensions(name))
                     for name in model.elements if model.elements[name].kind != "control"}

    def items(self, dim: str) -> tuple[str, ...]:
        """The elements bound to `dim` (a range, a subrange or ``Range!``)."""
        return self.ranges[dim.removesuffix("!")]

    def range_of(self, key: str) -> str | None:
        return self.keys.get(key)

    def last_dims(self, binding: dict[str, str]) -> list[str]:
        """The equation's last range (what VECTOR functions and allocations run along)."""
        own = [d for d in binding if not d.endswith("!")]
        return own[-1:]

    def equations(self, element):
        """(component, node name, coords) for every element an equation of `element` defines.

        coords holds, for each of the element's ranges, (the equation's name for
        it, the range, the element this node is).
        """
        dims = self.dims[element.name]
        if not dims:
            yield element.components[0], element.name, ()
            return
        for component in element.components:
            frame = self.manager.make_coord_dict(list(component.subscripts[0]))
            excepted = [list(self.manager.make_coord_dict(list(e)).values())
                        for e in component.subscripts[1]]
            for combo in itertools.product(*frame.values()):
                if any(all(c in e for c, e in zip(combo, other)) for other in excepted):
                    continue
                coords = tuple((f, d, c) for f, (d, _), c in zip(frame, dims, combo))
                yield component, f"{element.name}[{','.join(combo)}]", coords

    def node(self, name: str, subscripts, binding: dict[str, str]) -> str | None:
        """The node of `name`[`subscripts`] read where `binding` holds; None when unresolved."""
        dims = self.dims[name]
        # a subscripted variable named without subscripts reads all of it, as in PySD
        subs = list(getattr(subscripts, "subscripts", []) or []) or [d for d, _ in dims]
        if len(subs) != len(dims):
            return None
        combo = []
        for (_, items), sub in zip(dims, subs):
            chosen = binding.get(sub)
            if chosen is None and sub in items and sub not in self.ranges:
                chosen = sub
            if chosen is None:
                for mapped in self.manager.mapping.get(sub, []):
                    if isinstance(mapped, str) and mapped in binding:
                        chosen = self.ranges[sub][self.ranges[mapped].index(binding[mapped])]
                        break
            if chosen is None or chosen not in items:
                return None
            combo.append(chosen)
        return f"{name}[{','.join(combo)}]"


def aggregate(graph: nx.DiGraph, ranges: Iterable[str] | None = None) -> nx.DiGraph:
    """`graph` (of a subscripted model) with the elements of `ranges` merged into one node.

    ``Population[North]`` and ``Population[South]`` become ``Population`` when
    `ranges` holds Region (None: every range). Merged links keep the polarity
    they share, else become ``"mixed"``; a link between two elements of one
    merged variable becomes a self-loop.

    Examples
    --------
    >>> import flywheel
    >>> g = aggregate(flywheel.causal_graph("tests/models/sub_1d.mdl"))
    >>> g.edges["Births", "Population"]["polarity"]
    '+'
    """
    wanted = None if ranges is None else set(ranges)

    def merged(node: str) -> str:
        attrs = graph.nodes[node]
        if "variable" not in attrs:
            return node
        kept = [item for dim, item in attrs["subscripts"] if wanted is not None
                and dim not in wanted]
        return attrs["variable"] + (f"[{','.join(kept)}]" if kept else "")

    out = nx.DiGraph(**graph.graph)
    for node, attrs in graph.nodes(data=True):
        name = merged(node)
        if name not in out:
            out.add_node(name, **{k: v for k, v in attrs.items()
                                  if k not in ("variable", "subscripts", "element")})
            if "element" in attrs:
                out.nodes[name]["element"] = merged(attrs["element"]) \
                    if attrs["element"] in graph else attrs["element"]
    for source, target, attrs in graph.edges(data=True):
        u, v = merged(source), merged(target)
        if out.has_edge(u, v):
            if out.edges[u, v]["polarity"] != attrs["polarity"]:
                out.edges[u, v]["polarity"] = "mixed"
        else:
            out.add_edge(u, v, **attrs)
    return out
