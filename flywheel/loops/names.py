"""Loop names: the small TOML sidecar file beside each model.

A model ``models/flywheel.mdl`` names its loops in
``models/flywheel.loops.toml``::

    [[loop]]
    id = "R1"                       # the loop's id (required, unique)
    name = "Learning flywheel"      # its name (required)
    polarity = "reinforcing"        # expected polarity (optional, checked)
    variables = ["Installed Compute", "Hardware Cost per Compute", "Demand"]
    strength = "Learning Rate"      # the constant that switches it off at 0 (optional)
    description = "..."             # free text (optional)

Matching rule
-------------
A found loop *matches* an entry when it passes through every listed variable,
in the listed cyclic order (any rotation of the list, any number of other
variables between them). The entries are taken in file order; each takes the
shortest matching loop that no earlier entry took (ties: the loop whose
variables, rotated to start at the alphabetically first, sort first). So
listing a loop's stock and the one or two variables that set it apart from
its neighbours is enough; list more to pin a longer loop.

A sidecar that names a variable the model does not have is an error (it
says which, and the closest names); an entry that matches no loop, or whose
polarity differs from the found loop's, is a :class:`LoopNameWarning`.

Examples
--------
>>> import flywheel
>>> entries = read_loop_names(sidecar_path(flywheel.load("flywheel_minimal")))
>>> entries[0].id
'R1'
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from flywheel.errors import LoopNameError
from flywheel.params import closest

__all__ = ["LoopName", "match_names", "read_loop_names", "sidecar_path"]

_POLARITIES = ("reinforcing", "balancing")
_KEYS = {"id", "name", "polarity", "variables", "strength", "description"}


@dataclass(frozen=True)
class LoopName:
    """One ``[[loop]]`` entry of a sidecar file.

    Attributes
    ----------
    id, name : str
    variables : tuple of str
        Display names the loop passes through, in cyclic order.
    polarity : str
        "reinforcing", "balancing" or '' (not stated).
    strength : str
        The constant whose value 0 switches the loop off, or ''.
    description : str
    """

    id: str
    name: str
    variables: tuple[str, ...]
    polarity: str = ""
    strength: str = ""
    description: str = ""


def sidecar_path(model) -> Path:
    """The sidecar file of `model`: ``<model file stem>.loops.toml`` beside it."""
    return model.path.with_name(model.path.stem + ".loops.toml")


def read_loop_names(path: str | Path) -> list[LoopName]:
    """Read and check the entries of a sidecar file.

    Raises
    ------
    LoopNameError
        Invalid TOML, a missing or mistyped key, an unknown key, a duplicate id,
        or a polarity other than reinforcing/balancing; the message names the
        file and the entry.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise LoopNameError(f"{path}: cannot read the loop names: {error}") from error
    entries = data.get("loop", [])
    if not isinstance(entries, list) or set(data) - {"loop"}:
        raise LoopNameError(f"{path}: expected only [[loop]] tables, got {sorted(data)}")
    out: list[LoopName] = []
    for number, entry in enumerate(entries, 1):
        where = f"{path}: loop entry {number}"
        unknown = set(entry) - _KEYS
        if unknown:
            raise LoopNameError(f"{where} has unknown keys {sorted(unknown)}; "
                                f"allowed: {sorted(_KEYS)}")
        for key in ("id", "name"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise LoopNameError(f"{where} needs a non-empty string {key!r}")
        variables = entry.get("variables")
        if (not isinstance(variables, list) or not variables
                or not all(isinstance(v, str) for v in variables)):
            raise LoopNameError(f"{where} ({entry['id']}) needs 'variables', "
                                "a non-empty list of names")
        polarity = entry.get("polarity", "")
        if polarity not in ("", *_POLARITIES):
            raise LoopNameError(f"{where} ({entry['id']}): polarity must be "
                                f"'reinforcing' or 'balancing', got {polarity!r}")
        if entry["id"] in {e.id for e in out}:
            raise LoopNameError(f"{where}: duplicate id {entry['id']!r}")
        out.append(LoopName(entry["id"], entry["name"], tuple(variables), polarity,
                            str(entry.get("strength", "")),
                            " ".join(str(entry.get("description", "")).split())))
    return out


def resolve_names(entries: list[LoopName], nodes, constants, source: str) -> list[LoopName]:
    """`entries` with every variable resolved to a node of the causal graph.

    Names match ignoring case and treating spaces and underscores alike.

    Raises
    ------
    LoopNameError
        Naming each variable (or strength constant) the model does not have.
    """
    keys = {_key(n): n for n in nodes}
    const_keys = {_key(n): n for n in constants}
    problems = []
    resolved = []
    for entry in entries:
        variables = []
        for variable in entry.variables:
            if _key(variable) in keys:
                variables.append(keys[_key(variable)])
            else:
                problems.append(f"loop {entry.id}: no variable {variable!r} "
                                f"({closest(variable, nodes)})")
        strength = entry.strength
        if strength:
            if _key(strength) in const_keys:
                strength = const_keys[_key(strength)]
            else:
                problems.append(f"loop {entry.id}: strength {strength!r} is not a constant "
                                f"({closest(strength, constants)})")
        resolved.append(LoopName(entry.id, entry.name, tuple(variables), entry.polarity,
                                 strength, entry.description))
    if problems:
        raise LoopNameError(f"{source} names what the model does not have: "
                            + "; ".join(problems))
    return resolved


def _key(name: str) -> str:
    return " ".join(name.replace("_", " ").lower().split())


def _in_cyclic_order(cycle: tuple[str, ...], wanted: tuple[str, ...]) -> bool:
    """Whether `cycle`, which holds every name of `wanted`, visits them in that cyclic order."""
    places = [cycle.index(name) for name in wanted]
    start = places.index(min(places))
    rotated = places[start:] + places[:start]
    return all(a < b for a, b in zip(rotated, rotated[1:]))


def match_names(entries: list[LoopName], cycles: list[tuple[str, ...]]) -> dict[int, LoopName]:
    """Which entry names which cycle: cycle index -> entry (see the matching rule).

    Examples
    --------
    >>> entry = LoopName("B1", "Crowding", ("P", "f"))
    >>> match_names([entry], [("P", "g"), ("P", "f", "g"), ("P", "h", "f", "g")])
    {1: LoopName(id='B1', name='Crowding', variables=('P', 'f'), polarity='', strength='', description='')}
    """
    taken: dict[int, LoopName] = {}
    if not entries:
        return taken
    members = [frozenset(cycle) for cycle in cycles]
    for entry in entries:
        wanted = set(entry.variables)
        candidates = [k for k, names in enumerate(members) if k not in taken and wanted <= names
                      and _in_cyclic_order(cycles[k], entry.variables)]
        if candidates:
            best = min(candidates, key=lambda k: (len(cycles[k]), _normalised(cycles[k])))
            taken[best] = entry
    return taken


def _normalised(cycle: tuple[str, ...]) -> tuple[str, ...]:
    start = cycle.index(min(cycle))
    return cycle[start:] + cycle[:start]
