"""Feedback loops: find every loop of a model, with polarity, a stable id and a name.

:func:`feedback_loops` enumerates the simple cycles of the causal graph
(:func:`flywheel.causal_graph`) with :func:`networkx.simple_cycles`, up to a
bound; a model with more loops than the bound gets the strongest-path search
of Eberlein & Schoenberg instead (with a :class:`LoopLimitWarning`). Each
loop gets

* its variables in order, starting at its first stock (model order);
* its polarity: "reinforcing" when the product of its link polarities is
  positive, "balancing" when negative, "undetermined" when a link's sign is
  mixed or unknown;
* a stable id: the sidecar's id when the sidecar
  (:mod:`flywheel.loops.names`) names it, else ``"L"`` and 8 hex digits of
  the SHA-1 of its variables rotated to start at the alphabetically first,
  so an id never depends on the other loops;
* its cycle partition: the strongly connected component it lies in.

Examples
--------
>>> import flywheel
>>> loops = flywheel.feedback_loops("flywheel_minimal")
>>> loops["R1"].polarity
'reinforcing'
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import itertools
import warnings
import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from flywheel.errors import LoopLimitWarning, LoopNameWarning, UnknownLoopError
from flywheel.params import closest
from flywheel.loops.elements import aggregate
from flywheel.loops.graph import Structure, model_structure
from flywheel.loops.names import (
    LoopName,
    match_names,
    read_loop_names,
    resolve_names,
    sidecar_path,
)
from flywheel.loops.polarity import combine_polarities
from flywheel.model import Model

__all__ = [
    "DEFAULT_MAX_LOOPS",
    "FeedbackLoops",
    "Loop",
    "feedback_loops",
    "loop_id",
    "strongest_path_loops",
]

#: Default bound on exhaustive enumeration.
DEFAULT_MAX_LOOPS = 10_000
#: Node expansions allowed per start node and time in the strongest-path search.
_SEARCH_BUDGET = 20_000
#: At most this many time points are searched by the strongest-path search.
_SEARCH_TIMES = 200

_LOOP_POLARITY = {"+": "reinforcing", "-": "balancing"}


@dataclass(frozen=True)
class Loop:
    """One feedback loop.

    Attributes
    ----------
    id : str
        The sidecar's id (e.g. ``"R1"``), or ``"L"`` + 8 hex digits.
    name : str
        The sidecar's name, or '' for an unnamed loop.
    variables : tuple of str
        The loop's variables in causal order; the last links to the first.
    polarity : str
        "reinforcing", "balancing" or "undetermined".
    links : tuple of (str, str, str)
        (source, target, link polarity) around the loop.
    partition : int
        Index of the loop's cycle partition (strongly connected component);
        partitions are numbered in the order of their first loop.
    strength : str
        The constant that switches the loop off at zero (from the sidecar), or ''.
    """

    id: str
    name: str
    variables: tuple[str, ...]
    polarity: str
    links: tuple[tuple[str, str, str], ...]
    partition: int = 0
    strength: str = ""

    @property
    def length(self) -> int:
        """The number of links (= variables) of the loop."""
        return len(self.variables)

    @property
    def label(self) -> str:
        """``"R1 Learning flywheel"``, or the id alone for an unnamed loop."""
        return f"{self.id} {self.name}".strip()

    def __str__(self) -> str:
        return f"{self.label} ({self.polarity}): " + " -> ".join(
            self.variables + self.variables[:1])


class FeedbackLoops(Sequence):
    """The loops of a model: a sequence of :class:`Loop`, also indexable by id or name.

    Attributes
    ----------
    model : str
        The model's name.
    method : str
        ``"exhaustive"`` or ``"strongest-path"`` (when the bound was exceeded).
    graph : networkx.DiGraph
        The causal graph, with each link's polarity as used here (``measured``
        is True on links whose sign was measured along a run).
    """

    def __init__(self, loops: list[Loop], *, model: str, method: str,
                 graph: nx.DiGraph) -> None:
        self._loops = list(loops)
        self.model, self.method, self.graph = model, method, graph

    def __len__(self) -> int:
        return len(self._loops)

    def __iter__(self) -> Iterator[Loop]:
        return iter(self._loops)

    def __getitem__(self, key):
        if isinstance(key, str):
            return self.get(key)
        if isinstance(key, slice):
            return FeedbackLoops(self._loops[key], model=self.model, method=self.method,
                                 graph=self.graph)
        return self._loops[key]

    def get(self, key: str) -> Loop:
        """The loop whose id or name is `key` (names ignore case).

        Raises
        ------
        UnknownLoopError
            Listing the ids and names the model's loops have.
        """
        for loop in self._loops:
            if key == loop.id:
                return loop
        for loop in self._loops:
            if loop.name and key.strip().lower() == loop.name.lower():
                return loop
        labels = [loop.id for loop in self._loops] + [l.name for l in self._loops if l.name]
        named = [loop.label for loop in self._loops if loop.name]
        listing = ("; named loops: " + ", ".join(named)) if named else ""
        raise UnknownLoopError(
            f"model {self.model!r} has no loop {key!r} ({closest(key, labels)}){listing}; "
            f"{len(self._loops)} loops in all (see flywheel.feedback_loops)")

    def to_frame(self):
        """A table of the loops: id, name, polarity, length, partition, variables.

        Examples
        --------
        >>> import flywheel
        >>> flywheel.feedback_loops("flywheel_minimal").to_frame().columns.tolist()
        ['name', 'polarity', 'length', 'partition', 'variables']
        """
        import pandas as pd

        rows = [{"id": l.id, "name": l.name, "polarity": l.polarity, "length": l.length,
                 "partition": l.partition, "variables": " -> ".join(l.variables)}
                for l in self._loops]
        return pd.DataFrame(rows, columns=["id", "name", "polarity", "length", "partition",
                                           "variables"]).set_index("id")

    def __repr__(self) -> str:
        counts = {p: sum(l.polarity == p for l in self._loops)
                  for p in ("reinforcing", "balancing", "undetermined")}
        head = (f"<FeedbackLoops of {self.model!r}: {len(self)} loops ({self.method}); "
                + ", ".join(f"{n} {p}" for p, n in counts.items() if n) + ">")
        lines = [f"  {l.label:<34} {l.polarity:<12} {l.length:>3}" for l in self._loops[:20]]
        more = [f"  ... {len(self) - 20} more"] if len(self) > 20 else []
        return "\n".join([head, *lines, *more])


# ---------------------------------------------------------------------- ids
def _normalised(variables: Sequence[str]) -> tuple[str, ...]:
    """The loop's variables rotated to start at the alphabetically first."""
    variables = tuple(variables)
    start = variables.index(min(variables))
    return variables[start:] + variables[:start]


def loop_id(variables: Sequence[str]) -> str:
    """The id of an unnamed loop: ``"L"`` + 8 hex digits of SHA-1 of its rotation-normalised variables.

    Any rotation of the same loop gets the same id.

    Examples
    --------
    >>> loop_id(["Population", "Net Growth"]) == loop_id(["Net Growth", "Population"])
    True
    >>> len(loop_id(["Population", "Net Growth"]))
    9
    """
    return _hash_id(_normalised(variables))


def _hash_id(normalised: tuple[str, ...]) -> str:
    return "L" + hashlib.sha1("\u2192".join(normalised).encode("utf-8")).hexdigest()[:8]


# ---------------------------------------------------------------------- finding
def _loop_graph(graph: nx.DiGraph, structure: Structure | None) -> nx.DiGraph:
    """The part of `graph` loops can pass through: no constants or constant auxiliaries."""
    keep = [n for n, d in graph.nodes(data=True) if d.get("kind") != "constant"
            and (structure is None or structure.kinds.get(n) == "stock"
                 or structure.value_of(n) is None)]
    return graph.subgraph(keep)


def _rotation(cycle: Sequence[str], stock_set: set, order: dict[str, int]) -> tuple:
    """Start a cycle at its first stock in model order (hidden stocks after), else its first name."""
    cycle = tuple(cycle)
    stocks = [v for v in cycle if v in stock_set]
    pool = stocks or list(cycle)
    first = min(pool, key=lambda v: (order.get(v, len(order)), v))
    start = cycle.index(first)
    return cycle[start:] + cycle[:start]


def _rotate_to(cycle: tuple[str, ...], first: str) -> tuple[str, ...]:
    start = cycle.index(first)
    return cycle[start:] + cycle[:start]


def feedback_loops(
    model: Model | str | Path | nx.DiGraph,
    *,
    names: str | Path | bool | None = None,
    max_loops: int = DEFAULT_MAX_LOOPS,
    numeric: bool = True,
    aggregate_over: Iterable[str] | bool | None = None,
) -> FeedbackLoops:
    """Every feedback loop of `model`, with its polarity, a stable id and a name.

    Parameters
    ----------
    model : Model, str, path or networkx.DiGraph
        A model (loaded, bundled name or file path), or a causal graph (its
        edges need a ``polarity``; then no sidecar is read unless `names` is a path).
    names : path, bool or None
        The loop-name sidecar: None (default) reads ``<model>.loops.toml``
        beside the model file when there is one; a path reads that file;
        False names no loop.
    max_loops : int
        Enumerate exhaustively up to this many loops. Beyond it, warn
        (:class:`LoopLimitWarning`) and use :func:`strongest_path_loops`
        along the model's default run, which scales further but can miss
        loops that never matter.
    numeric : bool
        Measure the links whose polarity the equations do not say ("?")
        along the model's default run (compiled engine) and use the measured
        sign ("+", "-", or "mixed" when it changes). False keeps them "?".
    aggregate_over : iterable of str or True, optional
        In a subscripted model each element is a node (``Population[North]``)
        and loops run through elements. Given ranges (True: every range), the
        loops of the graph with those ranges' elements merged
        (:func:`flywheel.causal_graph` with `aggregate_over`) instead, each
        link's polarity that of its elements' links (measured ones included;
        elements of different signs make it "mixed"). Such loops describe the
        structure; :func:`flywheel.loop_dominance` scores only element loops.

    Returns
    -------
    FeedbackLoops
        The loops: named ones first, in sidecar order, then the others by
        length and variable names.

    Raises
    ------
    LoopNameError
        The sidecar is malformed or names variables the model lacks (listing
        them with the closest names).
    ParameterValueError
        `max_loops` is not a positive integer.

    Warns
    -----
    LoopLimitWarning
        More loops than `max_loops`.
    LoopNameWarning
        A sidecar entry matches no loop, or its stated polarity differs.

    Notes
    -----
    Enumeration is Johnson's algorithm, O((n + e)(c + 1)) for c loops; it
    stops after `max_loops` + 1 loops, so a dense model never hangs. Rotations
    of one cycle are one loop. Constants and auxiliaries of constant value
    cannot be on a loop.

    Examples
    --------
    >>> import flywheel
    >>> loops = flywheel.feedback_loops("flywheel_minimal")
    >>> [(l.id, l.polarity) for l in loops if l.name][:2]
    [('R1', 'reinforcing'), ('B2', 'balancing')]
    """
    from flywheel.errors import ParameterValueError

    if isinstance(max_loops, bool) or not isinstance(max_loops, int) or max_loops < 1:
        raise ParameterValueError(f"max_loops must be a positive integer, got {max_loops!r}")
    if isinstance(model, nx.DiGraph):
        return _find(model, names, max_loops, numeric)
    if aggregate_over is not None and aggregate_over is not False:
        return _aggregated(model, aggregate_over, names, max_loops, numeric)
    structure = model_structure(model)
    path = _sidecar(structure, names)
    stamp = (path, path.stat().st_mtime_ns if path.is_file() else None) if path else None
    key = (stamp, max_loops, bool(numeric))
    cache = _CACHE.setdefault(structure.model, {})
    if key not in cache:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            found = _find(structure.model, path if path is not None else False, max_loops,
                          numeric)
        cache[key] = (found, [(w.message, w.category) for w in caught])
    found, caught = cache[key]
    for message, category in caught:
        warnings.warn(message, category, stacklevel=2)
    return FeedbackLoops(list(found), model=found.model, method=found.method,
                         graph=found.graph.copy())


_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _sidecar(structure: Structure, names) -> Path | None:
    """The sidecar file `names` asks for (None: no names)."""
    if names is False:
        return None
    if names is None or names is True:
        path = sidecar_path(structure.model)
        return path if path.is_file() else None
    return Path(names).resolve()


@contextlib.contextmanager
def paused_gc():
    """Pause Python's cyclic garbage collector (the analysis makes no reference cycles).

    Building thousands of small tuples otherwise triggers full collections
    over everything the process holds (parsed models included), which can
    cost more than the analysis itself.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _find(model, names, max_loops: int, numeric: bool) -> FeedbackLoops:
    with paused_gc():
        return _find_loops(model, names, max_loops, numeric)


def _find_loops(model, names, max_loops: int, numeric: bool) -> FeedbackLoops:
    if isinstance(model, nx.DiGraph):
        structure, graph, label = None, model.copy(), model.graph.get("model", "graph")
    else:
        structure = model_structure(model)
        graph, label = structure.graph.copy(), structure.model.name
    entries = _entries(structure, graph, names)
    loop_graph = _loop_graph(graph, structure)
    cycles = list(itertools.islice(nx.simple_cycles(loop_graph), max_loops + 1))
    method = "exhaustive"
    if len(cycles) > max_loops:
        warnings.warn(
            f"model {label!r} has more than {max_loops} feedback loops; enumerating them "
            "all could take very long, so the strongest-path search was used instead "
            "(it finds the loops that dominate along the default run and can miss others; "
            "raise max_loops to enumerate)", LoopLimitWarning, stacklevel=2)
        method = "strongest-path"
        cycles = strongest_path_loops(loop_graph, _search_scores(structure, loop_graph))
    if numeric and structure is not None:
        _measure_unknown_links(structure, graph, [edge for cycle in cycles
                                                  for edge in zip(cycle, cycle[1:] + cycle[:1])])
    return _assemble(cycles, graph, structure, entries, label, method)


def _aggregated(model, ranges, names, max_loops: int, numeric: bool) -> FeedbackLoops:
    """The loops of `model`'s causal graph with the elements of `ranges` merged."""
    structure = model_structure(model)
    graph = structure.graph.copy()
    if numeric:  # measured per element, before the elements' links are merged
        _measure_unknown_links(structure, graph, list(_loop_graph(graph, structure).edges))
    merged = aggregate(graph, None if ranges is True else ranges)
    path = _sidecar(structure, names)
    return _find(merged, path if path is not None else False, max_loops, False)


def _entries(structure, graph, names) -> list[LoopName]:
    if names is False or names is None or names is True:
        return []
    path = Path(names)
    constants = [n for n, d in graph.nodes(data=True) if d.get("kind") == "constant"]
    return resolve_names(read_loop_names(path), list(graph.nodes), constants, str(path))


def _assemble(cycles, graph, structure, entries, label, method) -> FeedbackLoops:
    order = {name: k for k, name in enumerate(structure.kinds)} if structure else {}
    stock_set = {n for n, d in graph.nodes(data=True) if d.get("kind") == "stock"}
    polarity_of = {(a, b): d["polarity"] for a, b, d in graph.edges(data=True)}
    rotated = [_rotation(c, stock_set, order) for c in cycles]
    named = match_names(entries, rotated)
    for k, entry in named.items():
        rotated[k] = _rotate_to(rotated[k], entry.variables[0])
    sidecar_rank = {entry.id: n for n, entry in enumerate(entries)}
    normalised = [_normalised(r) for r in rotated]
    ranking = sorted(range(len(rotated)), key=lambda k: (
        (0, sidecar_rank[named[k].id]) if k in named else (1, len(rotated[k])), normalised[k]))
    component = {}
    for number, members in enumerate(nx.strongly_connected_components(graph)):
        for member in members:
            component[member] = number
    partitions: dict[int, int] = {}
    loops, seen_ids = [], set()
    for k in ranking:
        variables = rotated[k]
        links = tuple(zip(variables, variables[1:] + variables[:1],
                          [polarity_of[edge] for edge in zip(variables,
                                                              variables[1:] + variables[:1])]))
        signs = [p for _, _, p in links]
        if all(p in ("+", "-") for p in signs):
            polarity = "balancing" if signs.count("-") % 2 else "reinforcing"
        else:
            polarity = _LOOP_POLARITY.get(combine_polarities(signs), "undetermined")
        entry = named.get(k)
        ident = entry.id if entry else _hash_id(normalised[k])
        while ident in seen_ids:  # a hash collision: extend deterministically
            ident = "L" + hashlib.sha1(ident.encode()).hexdigest()[:8]
        seen_ids.add(ident)
        part = partitions.setdefault(component[variables[0]], len(partitions))
        loops.append(Loop(ident, entry.name if entry else "", variables, polarity, links, part,
                          entry.strength if entry else ""))
        if entry and entry.polarity and entry.polarity != polarity:
            warnings.warn(f"loop {entry.id} ({entry.name}) of {label!r} is {polarity}, but "
                          f"its sidecar says {entry.polarity}: " + " -> ".join(variables),
                          LoopNameWarning, stacklevel=3)
    found = {entry.id for entry in named.values()}
    for entry in entries:
        if entry.id not in found:
            warnings.warn(f"loop {entry.id} ({entry.name}) of the sidecar matches no loop "
                          f"of {label!r}: no loop passes through "
                          + ", ".join(repr(v) for v in entry.variables) + " in that order",
                          LoopNameWarning, stacklevel=3)
    return FeedbackLoops(loops, model=label, method=method, graph=graph)


# ---------------------------------------------------------------------- numeric polarity
def _measure_unknown_links(structure: Structure, graph: nx.DiGraph, edges) -> None:
    """Replace "?" on the links `edges` by the sign measured along the default run."""
    unknown = {edge for edge in edges if graph.edges[edge]["polarity"] == "?"}
    if not unknown:
        return
    from flywheel.errors import FlywheelError
    from flywheel.loops.evaluate import evaluator
    from flywheel.loops.polarity import numeric_polarity

    try:
        ev = evaluator(structure.model)
        run = ev.run()
    except FlywheelError:  # the compiled engine cannot run it: the links stay "?"
        return
    by_target: dict[str, list[str]] = {}
    for a, b in sorted(unknown):
        by_target.setdefault(b, []).append(a)
    for target, sources in by_target.items():
        _, changes = ev.partial_changes(run, target, sources)
        for source in sources:
            measured = numeric_polarity(changes[source], run.change(run.values[source]))
            graph.edges[source, target].update(polarity=measured, measured=True)


# ---------------------------------------------------------------------- strongest path
def _search_scores(structure: Structure | None, graph: nx.DiGraph) -> list[dict]:
    """|link score| of every link at up to _SEARCH_TIMES times of the default run.

    Falls back to one set of unit scores when the model cannot be run.
    """
    unit = [{edge: 1.0 for edge in graph.edges}]
    if structure is None:
        return unit
    from flywheel.errors import FlywheelError
    from flywheel.loops.dominance import _link_scores
    from flywheel.loops.evaluate import evaluator

    try:
        ev = evaluator(structure.model)
        run = ev.run()
    except FlywheelError:
        return unit
    import numpy as np

    edges = list(graph.edges)
    scores = _link_scores(ev, run, edges)  # (n - 1, links, s)
    magnitude = np.nan_to_num(np.abs(scores[..., 0]))
    rows = np.unique(np.linspace(0, magnitude.shape[0] - 1,
                                 min(_SEARCH_TIMES, magnitude.shape[0])).astype(int))
    return [dict(zip(edges, magnitude[r])) for r in rows] or unit


def strongest_path_loops(graph: nx.DiGraph, scores: list[dict]) -> list[tuple[str, ...]]:
    """Loops found by the strongest-path search (Eberlein & Schoenberg 2020).

    For every set of link scores (one per time) and every stock, search
    depth-first from the stock along links in order of falling |score|,
    pruning a path whose score falls below the best seen at its node; each
    return to the stock is a loop. The union over times and stocks is returned.

    Parameters
    ----------
    graph : networkx.DiGraph
        Nodes with a ``kind`` attribute (the searches start at stocks, or at
        every node when there is none).
    scores : list of dict
        (source, target) -> |link score|, one dict per time.

    Returns
    -------
    list of tuple
        The loops found, each once, sorted by length then names.

    Notes
    -----
    Each search expands at most a fixed budget of nodes, so the search never
    hangs; it can miss loops that are never the strongest path.

    Examples
    --------
    >>> g = nx.DiGraph([("S", "a"), ("a", "S"), ("S", "b"), ("b", "S")])
    >>> g.nodes["S"]["kind"] = "stock"
    >>> strongest_path_loops(g, [{("S", "a"): 2.0, ("a", "S"): 1.0, ("S", "b"): 1.0, ("b", "S"): 1.0}])
    [('S', 'a'), ('S', 'b')]
    """
    starts = sorted(n for n, d in graph.nodes(data=True) if d.get("kind") == "stock") \
        or sorted(graph.nodes)
    found: set[tuple[str, ...]] = set()
    for score in scores:
        for start in starts:
            _search(graph, score, start, found)
    return sorted(found, key=lambda c: (len(c), _normalised(c)))


def _search(graph: nx.DiGraph, score: dict, start: str, found: set) -> None:
    best: dict[str, float] = {}
    budget = _SEARCH_BUDGET
    path, on_path = [start], {start}

    def successors(node):
        return sorted(graph.successors(node), key=lambda v: (-score.get((node, v), 0.0), v))

    stack = [(start, 1.0, iter(successors(start)))]
    while stack and budget > 0:
        node, strength, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            on_path.discard(path.pop())
            continue
        value = strength * score.get((node, child), 0.0)
        if value <= 0:
            continue
        if child == start:
            found.add(_normalised(path))
            continue
        if child in on_path or value < best.get(child, 0.0):
            continue
        best[child] = value
        budget -= 1
        path.append(child)
        on_path.add(child)
        stack.append((child, value, iter(successors(child))))
