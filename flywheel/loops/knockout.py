"""Loop knockout: run a model with a link cut or a loop switched off, beside its base run.

* A **link cut** ``link=(source, target)``: the target's equation sees the
  source frozen at its initial value (the reference becomes
  ``INITIAL(source)``); every other equation still sees the source move.
  For a delay or smoothing call, cut its input (``(X, "SMOOTH(Y)")``) or its
  output (``("SMOOTH(Y)", "Y")``: Y sees the call's initial output).
* A **loop knockout** ``loop="R1"``: the loop's strength constant (the
  sidecar's ``strength``) is set to zero. A loop without one has the link
  that the fewest other loops pass through cut instead (the first such in
  the loop's order); the ``knockout`` attribute says how many other loops
  that link also cuts.

Both runs use the compiled engine (the knocked-out model exists only in
memory) with the same parameters, method and times.

Examples
--------
>>> import flywheel
>>> both = flywheel.knockout("flywheel_minimal", loop="R1", final_time=2030)
>>> both["run"].values.tolist()
['base', 'knockout']
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import xarray as xr
from pysd.translators.structures import abstract_expressions as ae

from flywheel.compiler.naming import hidden_stock_names, reference_key
from flywheel.errors import ParameterValueError
from flywheel.loops.cycles import feedback_loops
from flywheel.errors import UnknownLinkError
from flywheel.loops.graph import hidden_call, model_structure
from flywheel.model import Model, load
from flywheel.params import resolve_name

__all__ = ["cut_link", "knockout"]


def _resolve_node(name: str, graph, model_name: str) -> str:
    return resolve_name(str(name), list(graph), what="variable", owner=f"model {model_name!r}")


def _check_link(model: Model, link) -> tuple[str, str]:
    if isinstance(link, str) or not isinstance(link, Sequence) or len(link) != 2:
        raise ParameterValueError(f"link must be a (source, target) pair, got {link!r}")
    graph = model_structure(model).graph
    source = _resolve_node(link[0], graph, model.name)
    target = _resolve_node(link[1], graph, model.name)
    if not graph.has_edge(source, target):
        inputs = sorted(graph.predecessors(target))
        outputs = sorted(graph.successors(source))
        raise UnknownLinkError(
            f"model {model.name!r} has no link {source!r} -> {target!r}; {target!r} reads "
            f"{', '.join(map(repr, inputs)) or 'nothing'}, and {source!r} feeds "
            f"{', '.join(map(repr, outputs)) or 'nothing'}")
    return source, target


# ---------------------------------------------------------------------- AST surgery
def _frozen(node):
    return ae.InitialStructure(node)


def _substitute(tree, key: str, counter: list[int]):
    """`tree` with each run-time reference to `key` wrapped in INITIAL.

    Does not enter INITIAL or delay and smoothing calls (their arguments feed
    hidden stocks, not this equation).
    """
    if isinstance(tree, ae.ReferenceStructure):
        if tree.reference == key:
            counter[0] += 1
            return _frozen(tree)
        return tree
    if isinstance(tree, ae.InitialStructure) or hidden_call(tree) is not None:
        return tree
    if isinstance(tree, (ae.ArithmeticStructure, ae.LogicStructure)):
        tree.arguments = type(tree.arguments)(
            _substitute(a, key, counter) for a in tree.arguments)
    elif isinstance(tree, ae.CallStructure):
        tree.arguments = tuple(_substitute(a, key, counter) for a in tree.arguments)
    elif isinstance(tree, ae.InlineLookupsStructure):
        tree.argument = _substitute(tree.argument, key, counter)
    return tree


class _CallFinder:
    """Walks an element's trees in the compiler's order, to find one named call."""

    def __init__(self, element: str) -> None:
        self.element = element
        self.counts: dict[str, int] = {}

    def walk(self, tree, parent, slot, hidden: str, found: list) -> None:
        """Append (parent, slot, call, stage, stages) of the call owning `hidden` to `found`."""
        self._walk(tree, parent, slot, hidden, found)

    def _walk(self, tree, parent, slot, hidden, found) -> None:
        described = hidden_call(tree)
        if described is not None:
            function, stages, dynamic, initial = described
            self.counts[function] = self.counts.get(function, 0) + 1
            names = hidden_stock_names(function, self.element, self.counts[function], stages)
            if hidden in names:
                found.append((parent, slot, tree, names.index(hidden), len(names)))
            for field in dynamic + initial:
                self._walk(getattr(tree, field), tree, field, hidden, found)
            return
        if isinstance(tree, ae.InitialStructure):
            self._walk(tree.initial, tree, "initial", hidden, found)
        elif isinstance(tree, (ae.ArithmeticStructure, ae.LogicStructure, ae.CallStructure)):
            for index, arg in enumerate(tree.arguments):
                self._walk(arg, tree, index, hidden, found)
        elif isinstance(tree, ae.InlineLookupsStructure):
            self._walk(tree.argument, tree, "argument", hidden, found)


def _set(parent, slot, old, new) -> None:
    if isinstance(slot, int):
        args = list(parent.arguments)
        args[slot] = new
        parent.arguments = type(parent.arguments)(args)
        return
    for field, value in vars(parent).items():  # keep SMOOTH(x, t)'s initial "is" its input
        if value is old:
            setattr(parent, field, new)


def _element_trees(element) -> list[tuple[object, str, bool]]:
    """(holder, field, is_dynamic) of an element's trees, in the compiler's order."""
    component = element.components[0]
    tree = component.ast
    if isinstance(tree, ae.IntegStructure):
        return [(tree, "initial", False), (tree, "flow", True)]
    if isinstance(tree, ae.InitialStructure):
        return [(tree, "initial", False)]
    return [(component, "ast", True)]


def cut_link(model: Model, link: tuple[str, str]) -> Model:
    """A copy of `model` in which `link`'s target sees its source frozen at its initial value.

    Parameters
    ----------
    model : Model
    link : (str, str)
        (source, target), display names (hidden stocks by their names).

    Returns
    -------
    Model
        The same file, path and elements, with one equation changed in memory
        (run it with the compiled engine; PySD would re-read the file).

    Raises
    ------
    UnknownParameterError, UnknownLinkError
        A name the model does not have, or no such link (listing the
        target's inputs and the source's outputs).
    ParameterValueError
        A link that cannot be cut alone (inside a delay's chain of stages, or
        a TREND/FORECAST input, which feeds both its hidden stock and output),
        or a model with subscripts (its links join elements of arrays, which
        one edit of an equation cannot separate: not supported yet).
    """
    if model.subscripts:
        raise ParameterValueError(
            f"model {model.name!r} has subscripts ({', '.join(model.subscripts)}): cutting a "
            "link between elements of arrays is not supported yet; knock out a loop by "
            "setting its strength constant to 0 in params instead")
    structure = model_structure(model)
    source, target = _check_link(model, link)
    abstract = copy.deepcopy(model.abstract)
    elements = {e.name: e for e in abstract.sections[0].elements}
    counter = [0]
    if target in structure.hidden:
        _, element = structure.hidden[target]
        found = _locate(elements[element], target)
        parent, slot, call, stage, _ = found
        described = hidden_call(call)
        if stage == 0:
            for field in described[2]:
                if field != "horizon":
                    old = getattr(call, field)
                    _set_field(call, field, old, _substitute(old, reference_key(source), counter))
        if described[0] in ("TREND", "FORECAST"):
            counter[0] = 0  # its input also feeds the output directly
    elif source in structure.hidden and structure.hidden[source][1] == target:
        parent, slot, call, stage, stages = _locate(elements[target], source)
        if stage == stages - 1 and hidden_call(call)[0] not in ("TREND", "FORECAST"):
            _set(parent, slot, call, _frozen(call))
            counter[0] = 1
    else:
        for holder, field, dynamic in _element_trees(elements[target]):
            if dynamic:
                old = getattr(holder, field)
                setattr(holder, field, _substitute(old, reference_key(source), counter))
    if counter[0] == 0:
        raise ParameterValueError(
            f"the link {source!r} -> {target!r} of model {model.name!r} cannot be cut alone: "
            "it runs inside a delay or smoothing function (cut its input or its output "
            "instead) or through a TREND/FORECAST input, which also feeds its output")
    equations = {name: element.equation for name, element in model.elements.items()}
    return Model(model.path, abstract, equations, model.sketch)


def _set_field(call, field, old, new) -> None:
    for name, value in vars(call).items():
        if value is old:
            setattr(call, name, new)


def _locate(element, hidden: str):
    finder = _CallFinder(element.name)
    found: list = []
    for holder, field, _ in _element_trees(element):
        tree = getattr(holder, field)
        finder.walk(tree, holder, field, hidden, found)
    return found[0]


# ---------------------------------------------------------------------- runs
def _most_specific_link(loops, chosen) -> tuple[tuple[str, str], int]:
    """The link of `chosen` that the fewest other loops pass through (first such), and their number."""
    counts: dict[tuple[str, str], int] = {}
    for loop in loops:
        if loop.id != chosen.id:
            for a, b, _ in loop.links:
                counts[a, b] = counts.get((a, b), 0) + 1
    best = min(((a, b) for a, b, _ in chosen.links), key=lambda e: counts.get(e, 0))
    return best, counts.get(best, 0)


def knockout(
    model: Model | str | Path,
    *,
    link: tuple[str, str] | None = None,
    loop: str | None = None,
    params: Mapping[str, object] | None = None,
    method: str | None = None,
    final_time: float | None = None,
    dt: float | None = None,
    return_columns: Sequence[str] | None = None,
) -> xr.Dataset:
    """Run `model` with a link cut or a loop knocked out, and its base run beside it.

    Parameters
    ----------
    model : Model, str or path
    link : (str, str), optional
        Cut this link: its target sees its source frozen at its initial value.
    loop : str, optional
        Knock out this loop (id or name): its strength constant set to 0, or,
        without one, its link shared by the fewest other loops cut.
    params : mapping, optional
        Parameters of both runs (as for :func:`flywheel.simulate`).
    method, final_time, dt, return_columns
        As for :func:`flywheel.simulate` (compiled engine).

    Returns
    -------
    xarray.Dataset
        The two runs along a new dimension ``run`` = ["base", "knockout"];
        attrs ``knockout`` (what was done) and ``knockout_kind`` ("link" or
        "strength").

    Raises
    ------
    ParameterValueError
        Neither or both of `link` and `loop`, or a link that cannot be cut alone.
    UnknownParameterError, UnknownLinkError, UnknownLoopError
        A name that does not exist (the message lists what does).

    Examples
    --------
    >>> import flywheel
    >>> both = flywheel.knockout("flywheel_minimal", link=("Tokens Served", "Required Compute"),
    ...                          final_time=2025)
    >>> both.attrs["knockout_kind"]
    'link'
    """
    from flywheel.simulate import simulate

    if (link is None) == (loop is None):
        raise ParameterValueError("knockout needs exactly one of link=(source, target) or "
                                  "loop='R1'")
    model = model if isinstance(model, Model) else load(model)
    options = {"method": method, "final_time": final_time, "dt": dt,
               "return_columns": return_columns, "engine": "compiled"}
    base_params = dict(params or {})
    knocked_params = dict(base_params)
    knocked = model
    if loop is not None:
        loops = feedback_loops(model)
        chosen = loops.get(loop)
        if chosen.strength:
            knocked_params = {k: v for k, v in base_params.items()
                              if resolve_name(str(k), model.constants, what="constant",
                                              owner=f"model {model.name!r}") != chosen.strength}
            knocked_params[chosen.strength] = 0.0
            what = f"loop {chosen.label} off: {chosen.strength} = 0"
            kind = "strength"
        else:
            edge, shared = _most_specific_link(loops, chosen)
            knocked = cut_link(model, edge)
            what = (f"loop {chosen.label} off: link {edge[0]} -> {edge[1]} cut "
                    f"({edge[1]} sees {edge[0]} frozen at its initial value)")
            if shared:
                what += (f"; {shared} other loop{'s' if shared > 1 else ''} also "
                         "pass" + ("" if shared > 1 else "es") + " through that link")
            kind = "link"
    else:
        source, target = _check_link(model, link)
        knocked = cut_link(model, (source, target))
        what = f"link {source} -> {target} cut ({target} sees {source} frozen at its initial value)"
        kind = "link"
    if kind == "link":
        # A cut link is a new structure: the numpy path runs it at once, where a new
        # compiled kernel would first take tens of seconds to build. Both runs take the
        # same path, so they differ only by the cut.
        options["jit"] = False
    base = simulate(model, params=base_params or None, **options)
    other = simulate(knocked, params=knocked_params or None, **options)
    common = [v for v in base.data_vars if v in other.data_vars]
    both = xr.concat([base[common], other[common]], dim="run", coords="minimal",
                     compat="override", combine_attrs="override", join="outer")
    both = both.assign_coords(run=np.array(["base", "knockout"]))
    both.attrs.update(knockout=what, knockout_kind=kind)
    return both
