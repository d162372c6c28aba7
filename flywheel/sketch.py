"""The sketch (diagram) section of a Vensim model file: objects, arrows and positions.

Vensim keeps the diagram after the equations: one line per object (type 10
variables, 11 valves, 12 clouds and comments, 1 arrows) with its view,
coordinates and size. :func:`read_sketch` reads those lines;
:func:`sketch_positions` places each variable of a model. The stock-and-flow
and causal loop diagrams (:mod:`flywheel.plots.diagrams`) draw from them.

Examples
--------
>>> import flywheel
>>> positions = sketch_positions(flywheel.load("flywheel_minimal"))
>>> "Installed Compute" in positions
True
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from flywheel.errors import ModelFileError
from flywheel.model import Model

__all__ = ["SketchArrow", "SketchObject", "name_key", "read_sketch", "sketch_positions"]


@dataclass(frozen=True)
class SketchObject:
    """One drawn object of a Vensim sketch (coordinates as in the file: y down).

    Attributes
    ----------
    view : int
        1 for the first view (``*View 1``), 2 for the next...
    id : int
    kind : str
        "variable" (type 10), "valve" (11) or "comment" (12; a cloud when its
        text is Vensim's cloud code 48).
    name : str
    x, y, width, height : float
        Centre and half-sizes.
    shape, bits : int
        Vensim's shape and flag fields (bits without 1 marks a shadow variable).
    """

    view: int
    id: int
    kind: str
    name: str
    x: float
    y: float
    width: float
    height: float
    shape: int
    bits: int

    @property
    def is_cloud(self) -> bool:
        """A cloud: a comment whose text is Vensim's cloud code."""
        return self.kind == "comment" and self.name == "48"


@dataclass(frozen=True)
class SketchArrow:
    """One connector of a Vensim sketch (type 1).

    Attributes
    ----------
    view, id, source, target : int
        Object ids within the view.
    pipe : bool
        A flow pipe (thickness code 22) rather than an information arrow.
    point : (float, float) or None
        The point the curve passes through (None when straight).
    head : int
        Vensim's shape code (4: arrowhead at the target; 100: none).
    """

    view: int
    id: int
    source: int
    target: int
    pipe: bool
    point: tuple[float, float] | None
    head: int


def _number(text: str, default: float = 0.0) -> float:
    try:
        return float(text)
    except ValueError:
        return default


def read_sketch(text: str) -> tuple[dict[tuple[int, int], SketchObject], list[SketchArrow]]:
    """Objects and arrows of a Vensim sketch section (``model.sketch``).

    Returns
    -------
    objects : dict
        (view, id) -> :class:`SketchObject`.
    arrows : list of :class:`SketchArrow`

    Examples
    --------
    >>> objects, arrows = read_sketch("*View 1\\n10,1,Stock,100,50,40,20,3,3,0,0\\n"
    ...                               "12,2,48,20,50,10,8,0,3,0,0\\n")
    >>> objects[1, 1].name, objects[1, 2].is_cloud
    ('Stock', True)
    """
    objects: dict[tuple[int, int], SketchObject] = {}
    arrows: list[SketchArrow] = []
    view = 0
    for line in text.splitlines():
        if line.startswith("*"):
            view += 1
            continue
        if line.startswith("///---"):
            break
        if not line.startswith(("10,", "11,", "12,", "1,")):
            continue
        fields = next(csv.reader([line], skipinitialspace=False))
        kind = fields[0]
        if kind == "1" and len(fields) > 8:
            point = None
            tail = line.rsplit("|", 2)
            if len(tail) >= 2 and tail[-2].startswith("("):
                x, _, y = tail[-2].strip("()").partition(",")
                px, py = _number(x), _number(y)
                point = None if (px, py) == (0.0, 0.0) else (px, py)
            arrows.append(SketchArrow(max(view, 1), int(_number(fields[1])),
                                      int(_number(fields[2])), int(_number(fields[3])),
                                      fields[7].strip() == "22", point,
                                      int(_number(fields[4]))))
        elif kind in ("10", "11", "12") and len(fields) > 8:
            name = " ".join(fields[2].replace("\\n", " ").split())
            objects[max(view, 1), int(_number(fields[1]))] = SketchObject(
                max(view, 1), int(_number(fields[1])),
                {"10": "variable", "11": "valve", "12": "comment"}[kind], name,
                _number(fields[3]), _number(fields[4]), _number(fields[5]),
                _number(fields[6]), int(_number(fields[7])), int(_number(fields[8])))
    return objects, arrows


def sketch_positions(model: Model) -> dict[str, tuple[float, float]]:
    """Display name -> (x, y) of each variable drawn in the sketch, y upwards.

    The first original (non-shadow) drawing of a variable wins; views after
    the first are placed below it.
    """
    objects, _ = read_sketch(model.sketch or "")
    if not objects:
        return {}
    keys = {name_key(name): name for name in model.elements}
    bottom: dict[int, float] = {}
    for obj in objects.values():
        bottom[obj.view] = max(bottom.get(obj.view, 0.0), obj.y + obj.height)
    offsets, total = {}, 0.0
    for view in sorted(bottom):
        offsets[view] = total
        total += bottom[view] + 60
    positions: dict[str, tuple[float, float]] = {}
    for obj in sorted(objects.values(), key=lambda o: (o.bits & 1 == 0, o.view, o.id)):
        if obj.kind != "variable":
            continue
        name = keys.get(name_key(obj.name))
        if name is not None and name not in positions:
            positions[name] = (obj.x, -(obj.y + offsets[obj.view]))
    return positions


def name_key(name: str) -> str:
    """`name` as the sketch and the equations may both spell it: unquoted, any case.

    Examples
    --------
    >>> name_key('"Installed  Compute"')
    'installed compute'
    """
    return " ".join(name.replace('"', "").replace("_", " ").lower().split())
