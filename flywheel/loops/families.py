"""Loop families: the loops of a sidecar entry, scored together.

A large model has many parallel variants of one named loop (the research
model's learning flywheel R1 reaches demand through the demand trend and the
forecast by several paths): each variant alone scores little, so the loop
that dominates is often an unnamed one. A *family* gathers the variants.

Family rule
-----------
* A loop belongs to the family of a sidecar entry when it passes through
  every variable the entry lists, in the listed cyclic order: the matching
  rule of :mod:`flywheel.loops.names`, without the "shortest loop" choice.
* A loop belongs only to an entry of its own polarity (when the entry states
  one): a balancing variant does not dilute a reinforcing family.
* A loop the sidecar names (its id is an entry's id) belongs to that entry's
  family. Any other loop that matches several entries belongs to the most
  specific of them (the one listing the most variables; ties: file order),
  so market saturation's variants are not swallowed by word of mouth, whose
  variables are a subset of its own.
* Loops that match no entry form the family ``"other"`` of their cycle
  partition (``"other"``; ``"other 0"``, ``"other 1"``, ... when unmatched
  loops lie in several partitions).

A family's relative score is the sum of its members' relative loop scores.
Every family lies in one cycle partition, so the |family scores| of a
partition sum to at most 1 (the triangle inequality: the members' |scores|
sum to 1 when any loop of the partition moves).

Examples
--------
>>> import flywheel
>>> families = flywheel.loop_families(flywheel.loop_dominance("flywheel_minimal"),
...                                   "flywheel_minimal")
>>> families["family"].values.tolist()
['R1', 'B2', 'B3', 'B5']
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from flywheel.datasets import fast_dataset

from flywheel.loops.graph import model_structure
from flywheel.loops.names import (
    LoopName,
    _in_cyclic_order,
    read_loop_names,
    resolve_names,
    sidecar_path,
)
from flywheel.model import Model, load

__all__ = ["assign_families", "loop_families"]

#: The name of the family of loops that match no sidecar entry.
OTHER = "other"


def assign_families(entries: list[LoopName], loops: list[tuple[str, tuple[str, ...], str]]
                    ) -> list[str | None]:
    """The family (entry id) of each loop, or None for a loop that matches no entry.

    Parameters
    ----------
    entries : list of LoopName
        Sidecar entries in file order, their variables resolved to graph nodes.
    loops : list of (id, variables, polarity)
        Each loop's id, the variables it passes through in order, and its
        polarity ("reinforcing" or "balancing").

    Examples
    --------
    >>> a = LoopName("R1", "Flywheel", ("P", "f"), polarity="reinforcing")
    >>> b = LoopName("B1", "Crowding", ("P",), polarity="balancing")
    >>> assign_families([a, b], [("R1", ("P", "f"), "reinforcing"),
    ...                          ("L1", ("P", "g", "f"), "reinforcing"),
    ...                          ("L2", ("P", "g", "f"), "balancing"),
    ...                          ("B1", ("P", "h"), "balancing"),
    ...                          ("L3", ("g", "h"), "balancing")])
    ['R1', 'R1', 'B1', 'B1', None]
    """
    ids = {entry.id for entry in entries}
    by_specificity = sorted(entries, key=lambda e: -len(e.variables))  # stable: file order
    out: list[str | None] = []
    for ident, variables, polarity in loops:
        if ident in ids:
            out.append(ident)
            continue
        names = set(variables)
        out.append(next((entry.id for entry in by_specificity
                         if entry.polarity in ("", polarity)
                         and set(entry.variables) <= names
                         and _in_cyclic_order(tuple(variables), entry.variables)), None))
    return out


def loop_families(dominance: xr.Dataset, model: Model | str | Path, *,
                  names: str | Path | None = None) -> xr.Dataset:
    """Relative scores of loop families: each sidecar loop with its parallel variants.

    Parameters
    ----------
    dominance : xarray.Dataset
        A result of :func:`flywheel.loop_dominance` on `model`.
    model : Model, str or path
        The model (loaded, a bundled model's name or a model file's path).
    names : path, optional
        The loop-name sidecar (default ``<model>.loops.toml`` beside the
        model file). Without one, every loop is in an "other" family.

    Returns
    -------
    xarray.Dataset
        Dimensions ``time``, ``family`` (and ``scenario``), ``loop``. Data
        variables ``relative_family_score`` (time, family): the sum of the
        members' relative loop scores (NaN at the first time);
        ``family_members`` (family): the number of loops in it;
        ``family_polarity`` (family): the members' common polarity, or
        "mixed"; ``loop_family`` (loop): each loop's family. Coordinates
        ``family`` (the entry's id, or "other"), ``family_name`` (the entry's
        name; "unnamed loops" for "other") and ``partition`` on ``family``.
        The attrs are those of `dominance`, plus the family rule.

    Raises
    ------
    LoopNameError
        The sidecar is malformed or names variables the model does not have.

    Notes
    -----
    The family rule is in this module's docstring: a loop goes to the
    family of its own sidecar entry if it has one, else to the first entry
    in file order whose variables it passes through in cyclic order, else
    to "other". Families are listed in sidecar order, then "other"; an entry
    that no loop matches has no family.

    Examples
    --------
    >>> import flywheel
    >>> dominance = flywheel.loop_dominance("flywheel_minimal")
    >>> families = flywheel.loop_families(dominance, "flywheel_minimal")
    >>> families["family_members"].to_series().to_dict()
    {'R1': 2, 'B2': 1, 'B3': 1, 'B5': 1}
    >>> str(families["family_polarity"].sel(family="R1").values)
    'reinforcing'
    >>> periods = flywheel.dominant_periods(families)
    >>> periods.loc[periods["partition"] == 0, "family"].tolist()
    ['B5', 'B3', 'R1', 'B3']
    """
    model = model if isinstance(model, Model) else load(model)
    path = Path(names) if names is not None else sidecar_path(model)
    table = _family_table(model, path, names is not None, dominance)
    rel = dominance["relative_loop_score"]
    summed = np.einsum("tl...,lf->tf...", rel.values, table.member)
    coords = {
        "family": ("family", table.order),
        "family_name": ("family", table.names),
        "partition": ("family", table.partitions),
        "loop": ("loop", dominance["loop"].values),
        "time": ("time", dominance["time"].values, dominance["time"].attrs),
    }
    if "scenario" in rel.dims:
        coords.update({name: (("scenario",), dominance[name].values, dominance[name].attrs)
                       for name in dominance.coords if dominance[name].dims == ("scenario",)})
    dims = ("time", "family", *[d for d in rel.dims if d not in ("time", "loop")])
    data = {
        "relative_family_score": xr.Variable(dims, summed, {
            "long_name": "relative family score", "units": "1",
            "description": "sum of the relative loop scores of the family's loops; the "
                           "|scores| of one partition's families sum to at most 1"}),
        "family_members": xr.Variable(("family",), table.member.sum(axis=0).astype(int), {
            "long_name": "loops in the family"}),
        "family_polarity": xr.Variable(("family",), np.array(table.polarities), {
            "description": "the members' common polarity, or 'mixed'"}),
        "loop_family": xr.Variable(("loop",), np.array(table.family_of),
                                   {"long_name": "the loop's family"}),
    }
    out = fast_dataset(data, coords, {"loop": dominance.xindexes["loop"]})
    out.attrs.update(dominance.attrs)
    out.attrs["families"] = (
        "a loop belongs to its own sidecar entry's family, else to the most specific entry of "
        "its polarity whose variables it passes through in cyclic order, else to 'other'")
    out.attrs["sidecar"] = str(path) if table.has_entries else ""
    return out


@dataclass(frozen=True)
class _FamilyTable:
    """The families of one set of loops under one sidecar: computed once per pair."""

    order: list[str]
    names: list[str]
    partitions: list[int]
    polarities: list[str]
    family_of: list[str]
    member: np.ndarray
    has_entries: bool


_TABLES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _family_table(model: Model, path: Path, given: bool, dominance: xr.Dataset) -> _FamilyTable:
    """The :class:`_FamilyTable` of `dominance`'s loops under the sidecar `path`.

    Cached per model, keyed on the sidecar's path and modification time and on
    the loops (ids and variables), so an edited sidecar is read again.
    """
    ids = tuple(str(i) for i in dominance["loop"].values)
    loop_variables = tuple(str(v) for v in dominance["loop_variables"].values)
    stamp = path.stat().st_mtime_ns if path.is_file() else None
    key = (str(path), stamp, ids, loop_variables)
    cache = _TABLES.setdefault(model, {})
    if key not in cache:
        cache.clear()  # one set of loops and one sidecar at a time per model
        cache[key] = _build_family_table(model, path, given or stamp is not None, ids,
                                         [tuple(v.split(" -> ")) for v in loop_variables],
                                         np.asarray(dominance["partition"].values, dtype=int),
                                         [str(p) for p in dominance["loop_polarity"].values])
    return cache[key]


def _build_family_table(model, path, read, ids, variables, partitions, polarities) -> _FamilyTable:
    graph = model_structure(model).graph
    entries: list[LoopName] = []
    if read:
        constants = [n for n, d in graph.nodes(data=True) if d.get("kind") == "constant"]
        entries = resolve_names(read_loop_names(path), list(graph.nodes), constants, str(path))
    assigned = assign_families(entries, list(zip(ids, variables, polarities)))

    unmatched_parts = sorted({int(p) for f, p in zip(assigned, partitions) if f is None})

    def other(part: int) -> str:
        return OTHER if len(unmatched_parts) == 1 else f"{OTHER} {part}"

    family_of = [f if f is not None else other(int(p)) for f, p in zip(assigned, partitions)]
    order = [e.id for e in entries if e.id in family_of] + [other(p) for p in unmatched_parts]
    index = {f: k for k, f in enumerate(order)}
    member = np.zeros((len(ids), len(order)))
    member[np.arange(len(ids)), [index[f] for f in family_of]] = 1.0
    by_id = {e.id: e for e in entries}
    family_part, family_pol = [], []
    for f in order:
        rows = [k for k, g in enumerate(family_of) if g == f]
        family_part.append(int(partitions[rows[0]]))
        kinds = {polarities[k] for k in rows}
        family_pol.append(kinds.pop() if len(kinds) == 1 else "mixed")
    names = [by_id[f].name if f in by_id else "unnamed loops" for f in order]
    return _FamilyTable(order, names, family_part, family_pol, family_of, member, bool(entries))
