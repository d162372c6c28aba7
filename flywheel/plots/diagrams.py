"""Diagrams of a model's structure: causal loop diagrams and stock-and-flow diagrams.

* :func:`plot_causal_loop_diagram` — variables and links of a model's loops
  (or of chosen loops), with the polarity at each arrowhead, a delay mark on
  links through a delay or smoothing function, and an R/B marker with the
  loop's name at the centre of each loop.
* :func:`plot_stock_flow_diagram` — the model's own diagram, drawn from the
  coordinates of its Vensim sketch: stocks as boxes, flows as pipes with
  valves, auxiliaries and constants as names, clouds at the boundary, and
  information links as thin curved arrows.

Both take ``ax=None`` (a new figure) and return the Axes.

Examples
--------
>>> import flywheel
>>> from flywheel.plots import plot_causal_loop_diagram
>>> ax = plot_causal_loop_diagram("flywheel_minimal", loops=["R1"])
>>> ax.get_title()
'flywheel_minimal: R1'
"""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import numpy as np

from flywheel.errors import ModelFileError
from flywheel.model import Model, load
from flywheel.sketch import name_key, read_sketch, sketch_positions

__all__ = ["plot_causal_loop_diagram", "plot_stock_flow_diagram"]

_SIGNS = {"+": "+", "-": "\u2212", "mixed": "\u00b1", "?": "?"}
_REINFORCING = "#c0392b"
_BALANCING = "#2471a3"
_HIGHLIGHT = "#e69f00"
_UNDETERMINED = "#7f8c8d"


# ---------------------------------------------------------------------- drawing helpers
def _new_axes(ax, size):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def _arc_rad(start, end, through) -> float:
    """matplotlib's arc3 ``rad`` for a curve from `start` to `end` passing near `through`."""
    (x1, y1), (x2, y2) = start, end
    dx, dy = x2 - x1, y2 - y1
    length2 = dx * dx + dy * dy
    if through is None or length2 == 0:
        return 0.0
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    return float(np.clip(2 * ((through[0] - mx) * dy - (through[1] - my) * dx) / length2,
                         -1.5, 1.5))


def _on_curve(start, end, rad: float, s: float) -> tuple[float, float]:
    """The point at parameter s of arc3's quadratic Bézier from `start` to `end`."""
    (x1, y1), (x2, y2) = start, end
    cx = (x1 + x2) / 2 + rad * (y2 - y1)
    cy = (y1 + y2) / 2 - rad * (x2 - x1)
    return ((1 - s) ** 2 * x1 + 2 * s * (1 - s) * cx + s * s * x2,
            (1 - s) ** 2 * y1 + 2 * s * (1 - s) * cy + s * s * y2)


# ---------------------------------------------------------------------- causal loop diagram
def _fold(ring: list[str], keep, graph) -> list[tuple[str, str, str, bool]]:
    """The links between the kept variables of a loop (given as a ring of variables).

    Each link's polarity is the product along the variables folded into it;
    it is marked delayed when it passes through a hidden stock.
    """
    from flywheel.loops.polarity import combine_polarities

    kept = [k for k, name in enumerate(ring) if keep(name)]
    links = []
    for n, k in enumerate(kept):
        stop = kept[(n + 1) % len(kept)] + (len(ring) if n + 1 == len(kept) else 0)
        path = [ring[j % len(ring)] for j in range(k, stop + 1)]
        signs = [graph.edges[a, b]["polarity"] for a, b in zip(path, path[1:])]
        delayed = any(graph.nodes[v].get("hidden") for v in path[1:-1])
        links.append((path[0], path[-1], combine_polarities(signs), delayed))
    return links


def _cld_structure(chosen, graph, hidden: bool, simplify: bool, keep_names):
    """Nodes and links of the diagram: (loop id -> kept variables, DiGraph of links)."""
    visible = (lambda v: True) if hidden else (lambda v: not graph.nodes[v].get("hidden"))
    union = nx.DiGraph()
    rings = {}
    for loop in chosen:
        ring = [v for v in loop.variables]
        shown = [v for v in ring if visible(v)]
        if not shown:
            continue
        start = ring.index(shown[0])
        rings[loop.id] = ring[start:] + ring[:start]
        for a, b, _, _ in _fold(rings[loop.id], visible, graph):
            union.add_edge(a, b)
    keep = set()
    for loop in chosen:
        if loop.id not in rings:
            continue
        ring = [v for v in rings[loop.id] if visible(v)]
        if not simplify:
            keep.update(ring)
            continue
        mine = [v for v in ring if graph.nodes[v].get("kind") == "stock" or v in keep_names
                or union.in_degree(v) > 1 or union.out_degree(v) > 1]
        if len(mine) < 2 and len(ring) >= 2:  # keep a loop visible as a loop
            mine = list(dict.fromkeys(mine + [ring[0], ring[len(ring) // 2]]))
        keep.update(mine or ring)
    cld = nx.DiGraph()
    loop_nodes = {}
    for loop in chosen:
        if loop.id not in rings:
            continue
        links = _fold(rings[loop.id], lambda v: visible(v) and v in keep, graph)
        loop_nodes[loop.id] = [a for a, _, _, _ in links]
        for a, b, polarity, delayed in links:
            cld.add_node(a, kind=graph.nodes[a].get("kind", ""))
            if cld.has_edge(a, b) and cld.edges[a, b]["polarity"] != polarity:
                polarity = "mixed"
            cld.add_edge(a, b, polarity=polarity, delayed=delayed)
    return loop_nodes, cld


def _layout(graph: nx.DiGraph, model: Model, layout, order: list[str]) -> dict:
    nodes = list(graph.nodes)
    if isinstance(layout, dict):
        missing = [n for n in nodes if n not in layout]
        if missing:
            raise ValueError(f"layout has no position for {missing}")
        return {n: tuple(map(float, layout[n])) for n in nodes}
    if layout not in (None, "sketch", "kamada-kawai", "circular"):
        raise ValueError(f"layout must be 'sketch', 'kamada-kawai', 'circular' or a dict of "
                         f"positions, got {layout!r}")
    if layout == "sketch":
        positions = sketch_positions(model)
        missing = [n for n in nodes if n not in positions]
        if missing:
            raise ModelFileError(f"the sketch of {model.name!r} does not place "
                                 f"{', '.join(map(repr, missing[:5]))}; use layout="
                                 "'kamada-kawai' or 'circular'")
        return {n: positions[n] for n in nodes}
    ring = [n for n in dict.fromkeys(order) if n in graph] + sorted(set(nodes) - set(order))
    rank = {n: k for k, n in enumerate(ring)}
    parts = sorted((sorted(c, key=rank.get) for c in nx.weakly_connected_components(graph)),
                   key=lambda c: (-len(c), rank[c[0]]))
    placed, left = {}, 0.0
    for part in parts:  # each connected part on its own, side by side
        scale = 60.0 * math.sqrt(len(part)) + 40.0
        start = nx.circular_layout(part, scale=scale)
        start = {n: start[n] for n in part}
        if layout != "circular" and len(part) > 4:
            start = nx.kamada_kawai_layout(nx.Graph(graph.subgraph(part).to_undirected()),
                                           pos=start, scale=scale)
        points = np.array([start[n] for n in part], float).reshape(len(part), 2)
        if len(part) == 1:
            points = np.zeros((1, 2))
        low = points.min(axis=0)
        width = max(float(np.ptp(points[:, 0])), 80.0)
        for n, (x, y) in zip(part, points):
            placed[n] = (float(x - low[0] + left), float(y))
        left += width + 140.0
    return placed


def plot_causal_loop_diagram(
    model: Model | str | Path,
    *,
    loops=None,
    ax=None,
    layout=None,
    simplify: bool = True,
    hidden: bool = False,
    fontsize: float = 11,
    highlight: str | None = None,
):
    """Draw a causal loop diagram of `model`'s loops, or of chosen `loops`.

    Parameters
    ----------
    model : Model, str or path
    loops : sequence of str, optional
        Loop ids or names (e.g. ``["R1", "B1"]``). Default: the loops the
        model's sidecar names, or every loop when it names none.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    layout : {None, "kamada-kawai", "circular", "sketch"} or dict, optional
        Node positions: by default the variables are placed around a circle
        in loop order and relaxed with Kamada-Kawai; "sketch" uses the
        model's own diagram; a dict maps names to (x, y).
    simplify : bool
        Keep only the variables that carry the story: stocks, the variables
        the sidecar lists for the shown loops, and variables where the shown
        loops meet or part. The auxiliaries between them fold into the link,
        whose polarity is the product of theirs.
    hidden : bool
        Show the hidden stocks of delays and smooths as variables. By default
        a link through them is one arrow with a delay mark (``||``).
    fontsize : float
        Size of the variable names (loop names are a little smaller).
    highlight : str, optional
        A shown loop's id or name: its links are drawn thick and coloured,
        the others grey (e.g. the loop that dominates at some time).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    UnknownLoopError
        A loop id or name the model does not have (listing those it has).

    Notes
    -----
    Arrowheads carry the link's polarity: ``+``, ``−``, ``±`` (mixed) or
    ``?``. Each loop has a marker at its centre: a circular arrow turning the
    way the loop runs on the page, R (reinforcing) or B (balancing) with the
    loop's id, and its name below.

    Examples
    --------
    >>> import flywheel
    >>> from flywheel.plots import plot_causal_loop_diagram
    >>> ax = plot_causal_loop_diagram("flywheel_minimal")
    >>> ax.get_title()
    'flywheel_minimal: causal loop diagram'
    """
    from matplotlib.patches import FancyArrowPatch

    from flywheel.loops.cycles import feedback_loops

    model = model if isinstance(model, Model) else load(model)
    found = feedback_loops(model)
    if loops is None:
        chosen = [loop for loop in found if loop.name] or list(found)
        title = f"{model.name}: causal loop diagram"
    else:
        keys = [loops] if isinstance(loops, str) else list(loops)
        chosen = list(dict.fromkeys(found.get(str(key)) for key in keys))
        title = f"{model.name}: " + ", ".join(loop.id for loop in chosen)
    keep_names = _sidecar_variables(model, chosen)
    loop_nodes, cld = _cld_structure(chosen, found.graph, hidden, simplify, keep_names)
    width = float(np.clip(5 + 0.4 * cld.number_of_nodes(), 9, 24))
    ax = _new_axes(ax, (width, 0.72 * width))
    ax.set_title(title, fontsize=fontsize + 2)
    ax.set_axis_off()
    if not cld.number_of_nodes():
        ax.text(0.5, 0.5, "no feedback loops to draw", ha="center", va="center",
                transform=ax.transAxes, fontsize=fontsize)
        return ax
    order = [v for loop in chosen for v in loop_nodes.get(loop.id, [])]
    hot: set[tuple[str, str]] = set()
    if highlight is not None:
        lit = loop_nodes.get(found.get(str(highlight)).id) or []
        hot = {(lit[k], lit[(k + 1) % len(lit)]) for k in range(len(lit))}
        ax.set_title(f"{title}; {found.get(str(highlight)).label} highlighted",
                     fontsize=fontsize + 2)
    pos = _layout(cld, model, layout, order)
    xs, ys = np.array([p[0] for p in pos.values()]), np.array([p[1] for p in pos.values()])
    span = max(np.ptp(xs), np.ptp(ys), 1.0)
    boxes = {}
    for name, (x, y) in pos.items():
        stock = cld.nodes[name]["kind"] == "stock"
        text = ax.text(x, y, _wrap(name, 16), ha="center", va="center", fontsize=fontsize,
                       zorder=3, fontweight="bold" if stock else "normal",
                       bbox={"boxstyle": "square,pad=0.4" if stock else "round,pad=0.3",
                             "fc": "white", "ec": "#333333" if stock else "none", "lw": 1.2})
        boxes[name] = text
    for a, b, data in cld.edges(data=True):
        if a == b:
            continue
        start, end = pos[a], pos[b]
        rad = 0.18
        ax.add_patch(FancyArrowPatch(start, end, connectionstyle=f"arc3,rad={rad}",
                                     arrowstyle="-|>", mutation_scale=16,
                                     lw=3.2 if (a, b) in hot else 1.4,
                                     color=_HIGHLIGHT if (a, b) in hot
                                     else "#aaaaaa" if hot else "#333333",
                                     patchA=boxes[a].get_bbox_patch(),
                                     patchB=boxes[b].get_bbox_patch(), shrinkA=2, shrinkB=4,
                                     zorder=2))
        sx, sy = _on_curve(start, end, rad, 0.62)
        polarity = data["polarity"]
        ax.text(sx, sy, _SIGNS.get(polarity, "?"), fontsize=fontsize + 4, fontweight="bold",
                ha="center", va="center", zorder=4,
                color=_REINFORCING if polarity == "+" else _BALANCING if polarity == "-"
                else _UNDETERMINED,
                bbox={"boxstyle": "circle,pad=0.05", "fc": "white", "ec": "none",
                      "alpha": 0.8})
        if data["delayed"]:
            mx, my = _on_curve(start, end, rad, 0.45)
            angle = math.degrees(math.atan2(end[1] - start[1], end[0] - start[0])) + 90
            ax.text(mx, my, "||", fontsize=fontsize + 3, fontweight="bold", ha="center",
                    va="center", rotation=angle, zorder=4)
    _loop_markers(ax, chosen, loop_nodes, pos, span, fontsize)
    ax.set_xlim(xs.min() - 0.16 * span, xs.max() + 0.16 * span)
    ax.set_ylim(ys.min() - 0.12 * span, ys.max() + 0.12 * span)
    ax.set_aspect("equal")
    return ax


def _sidecar_variables(model: Model, chosen) -> set[str]:
    """The variables the sidecar lists for the chosen named loops."""
    from flywheel.loops.names import read_loop_names, sidecar_path

    path = sidecar_path(model)
    if not path.is_file():
        return set()
    ids = {loop.id for loop in chosen if loop.name}
    keys = {name_key(n): n for n in model.elements}
    return {keys.get(name_key(v), v) for entry in read_loop_names(path) if entry.id in ids
            for v in entry.variables}


def _wrap(name: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(name, width)) or name


def _loop_markers(ax, chosen, loop_nodes, pos, span, fontsize) -> None:
    from matplotlib.patches import Arc, FancyArrowPatch

    radius = 0.035 * span
    taken = [np.array(p) for p in pos.values()]
    for loop in chosen:
        names = loop_nodes.get(loop.id) or []
        if not names:
            continue
        points = np.array([pos[n] for n in names])
        centre = points.mean(axis=0)
        if len(points) <= 2:  # a two-variable loop: beside the pair, on the arcs' side
            (x1, y1), (x2, y2) = points[0], points[-1]
            normal = np.array([y2 - y1, x1 - x2]) / max(math.hypot(x2 - x1, y2 - y1), 1e-9)
            centre = centre + normal * 0.12 * math.hypot(x2 - x1, y2 - y1)
        centre = _free_spot(centre, taken, 2.4 * radius, span)
        taken.append(centre)
        cx, cy = centre
        area = 0.5 * sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2)
                         in zip(points, np.roll(points, -1, axis=0)))
        counter = area >= 0
        letter = {"reinforcing": "R", "balancing": "B"}.get(loop.polarity, "?")
        color = {"R": _REINFORCING, "B": _BALANCING}.get(letter, _UNDETERMINED)
        theta1, theta2 = (60, 360) if counter else (-180, 120)
        ax.add_patch(Arc((cx, cy), 2 * radius, 2 * radius, theta1=theta1, theta2=theta2,
                         color=color, lw=2, zorder=3))
        end = math.radians(theta2 if counter else theta1)
        back = end - 0.4 if counter else end + 0.4
        ax.add_patch(FancyArrowPatch((cx + radius * math.cos(back), cy + radius * math.sin(back)),
                                     (cx + radius * math.cos(end), cy + radius * math.sin(end)),
                                     arrowstyle="-|>", mutation_scale=12, color=color, lw=2,
                                     zorder=3))
        label = loop.id if loop.id[:1] == letter else letter
        ax.text(cx, cy, label, ha="center", va="center", fontsize=fontsize,
                fontweight="bold", color=color, zorder=4)
        caption = loop.name or loop.id
        ax.text(cx, cy - 1.35 * radius, _wrap(caption, 18), ha="center", va="top",
                fontsize=fontsize - 2, style="italic", color=color, zorder=4,
                bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.7})


def _free_spot(centre, taken, distance, span):
    """The point nearest `centre` (on a spiral) at least `distance` from every taken point."""
    centre = np.asarray(centre, float)
    for step in range(200):
        angle, reach = step * 2.4, distance * 0.25 * math.sqrt(step)
        candidate = centre + reach * np.array([math.cos(angle), math.sin(angle)])
        if all(np.hypot(*(candidate - p)) >= distance for p in taken):
            return candidate
    return centre


# ---------------------------------------------------------------------- stock and flow
def _cloud(ax, x, y, size):
    from matplotlib.patches import Ellipse

    for dx, dy, w in ((-0.5, 0, 0.9), (0.5, 0, 0.9), (0, 0.35, 1.0), (0, -0.25, 1.1)):
        ax.add_patch(Ellipse((x + dx * size, y + dy * size), w * size * 1.4, w * size,
                             fc="#f4f6f7", ec="#566573", lw=1.0, zorder=2))


def _valve(ax, x, y, size, horizontal: bool):
    from matplotlib.patches import Polygon

    if horizontal:
        left = [(x - size, y + size), (x - size, y - size), (x, y)]
        right = [(x + size, y + size), (x + size, y - size), (x, y)]
    else:
        left = [(x - size, y + size), (x + size, y + size), (x, y)]
        right = [(x - size, y - size), (x + size, y - size), (x, y)]
    for triangle in (left, right):
        ax.add_patch(Polygon(triangle, closed=True, fc="#d5dbdb", ec="#1b2631", lw=1.0,
                             zorder=4))


def plot_stock_flow_diagram(model: Model | str | Path, *, ax=None, view: int = 1,
                            fontsize: float = 9, polarity: bool = False):
    """Draw `model`'s stock-and-flow diagram from its Vensim sketch coordinates.

    Parameters
    ----------
    model : Model, str or path
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    view : int
        Which sketch view (1 = the first).
    fontsize : float
    polarity : bool
        Mark each information arrow with its link polarity.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ModelFileError
        The model has no sketch, or no such view (the message says how many it has).

    Examples
    --------
    >>> import flywheel
    >>> from flywheel.plots import plot_stock_flow_diagram
    >>> ax = plot_stock_flow_diagram("flywheel_minimal")
    >>> len(ax.patches) > 0
    True
    """
    from matplotlib.patches import FancyArrowPatch, Rectangle

    model = model if isinstance(model, Model) else load(model)
    objects, arrows = read_sketch(model.sketch or "")
    views = sorted({key[0] for key in objects})
    if not objects:
        raise ModelFileError(f"model {model.name!r} has no sketch to draw a stock-and-flow "
                             "diagram from; draw a causal loop diagram instead")
    if view not in views:
        raise ModelFileError(f"model {model.name!r} has no sketch view {view}; "
                             f"it has views {', '.join(map(str, views))}")
    from flywheel.loops.graph import model_structure

    structure = model_structure(model)
    graph = structure.graph
    keys = {name_key(n): n for n in model.elements}
    mine = {oid: obj for (v, oid), obj in objects.items() if v == view}
    spread_x = max(o.x for o in mine.values()) - min(o.x for o in mine.values()) + 160
    spread_y = max(o.y for o in mine.values()) - min(o.y for o in mine.values()) + 120
    width = float(np.clip(spread_x / 80, 8, 30))  # about one point per sketch pixel
    ax = _new_axes(ax, (width, float(np.clip(width * spread_y / spread_x, 4, 24))))
    ax.set_axis_off()
    ax.set_title(f"{model.name}: stock and flow", fontsize=fontsize + 3)
    artists, points = {}, {}
    valves_of_flow: dict[int, int] = {}
    ids = sorted(mine)
    for k, oid in enumerate(ids):  # a flow's name follows its valve in the file
        obj = mine[oid]
        if obj.kind == "valve" and k + 1 < len(ids) and mine[ids[k + 1]].kind == "variable":
            valves_of_flow[ids[k + 1]] = oid
    flow_of_valve = {valve: var for var, valve in valves_of_flow.items()}
    pipes = [a for a in arrows if a.view == view and a.pipe]
    for oid, obj in mine.items():
        x, y = obj.x, -obj.y
        points[oid] = (x, y)
        name = keys.get(name_key(obj.name), obj.name)
        kind = model.elements[name].kind if name in model.elements else ""
        if obj.is_cloud:
            _cloud(ax, x, y, max(obj.width, 8))
        elif obj.kind == "valve":
            ends = [a for a in pipes if oid in (a.source, a.target)]
            others = [_point(mine, a.target if a.source == oid else a.source) for a in ends]
            horizontal = not others or np.mean([abs(o[0] - x) for o in others]) >= np.mean(
                [abs(o[1] - y) for o in others])
            _valve(ax, x, y, 7, horizontal)
        elif obj.kind == "variable" and kind == "stock":
            box = Rectangle((x - obj.width, y - obj.height), 2 * obj.width, 2 * obj.height,
                            fc="white", ec="#1b2631", lw=1.6, zorder=3)
            ax.add_patch(box)
            ax.text(x, y, _wrap(name, 14), ha="center", va="center", fontsize=fontsize,
                    fontweight="bold", zorder=5)
            artists[oid] = box
        elif obj.kind == "variable":
            shadow = obj.bits & 1 == 0
            label = f"<{name}>" if shadow else name
            text = ax.text(x, y, _wrap(label, 16), ha="center", va="center",
                           fontsize=fontsize, zorder=5, color="#566573" if shadow or
                           kind == "constant" else "black",
                           bbox={"boxstyle": "round,pad=0.2", "fc": "none", "ec": "none"})
            artists[oid] = text.get_bbox_patch()
    for arrow in pipes:
        valve = arrow.source if mine.get(arrow.source, None) and mine[
            arrow.source].kind == "valve" else arrow.target
        end = arrow.target if valve == arrow.source else arrow.source
        if valve not in points or end not in points:
            continue
        flow = flow_of_valve.get(valve)
        into_end = arrow.head != 100
        if flow is not None and end in mine and mine[end].kind == "variable":
            stock = keys.get(name_key(mine[end].name))
            flow_name = keys.get(name_key(mine[flow].name))
            if stock and flow_name and graph.has_edge(flow_name, stock):
                into_end = graph.edges[flow_name, stock]["polarity"] != "-"
        start, finish = (points[valve], points[end]) if into_end else (points[end], points[valve])
        for width, color in ((7, "#1b2631"), (4.2, "white")):
            ax.add_patch(FancyArrowPatch(start, finish, arrowstyle="-", lw=width, color=color,
                                         zorder=1, shrinkA=0, shrinkB=0,
                                         patchB=artists.get(end) if into_end else None,
                                         patchA=None if into_end else artists.get(end)))
        if into_end:  # the downstream end gets the arrowhead
            cloud = mine[end].is_cloud if end in mine else False
            ax.add_patch(FancyArrowPatch(start, finish, arrowstyle="-|>", mutation_scale=22,
                                         lw=0, color="#1b2631", zorder=2, shrinkA=0,
                                         shrinkB=12 if cloud else 0, patchB=artists.get(end)))
    for arrow in arrows:
        if arrow.view != view or arrow.pipe:
            continue
        if arrow.source not in points or arrow.target not in points:
            continue
        target = flow_of_valve.get(arrow.target, arrow.target)
        start, end = points[arrow.source], points[arrow.target]
        through = None if arrow.point is None else (arrow.point[0], -arrow.point[1])
        rad = _arc_rad(start, end, through)
        patch = FancyArrowPatch(start, end, connectionstyle=f"arc3,rad={rad}",
                                arrowstyle="-|>", mutation_scale=10, lw=0.9, color="#884ea0",
                                patchA=artists.get(arrow.source),
                                patchB=artists.get(arrow.target), shrinkA=1,
                                shrinkB=9 if arrow.target in flow_of_valve else 3, zorder=2)
        ax.add_patch(patch)
        if polarity:
            a = keys.get(name_key(mine[arrow.source].name))
            b = keys.get(name_key(mine[target].name)) if target in mine else None
            if a and b and graph.has_edge(a, b):
                sx, sy = _on_curve(start, end, rad, 0.8)
                ax.text(sx, sy, _SIGNS[graph.edges[a, b]["polarity"]], fontsize=fontsize + 1,
                        color="#884ea0", ha="center", va="center", zorder=5)
    xs = [p[0] for p in points.values()]
    ys = [p[1] for p in points.values()]
    pad = 0.06 * max(max(xs) - min(xs), max(ys) - min(ys), 100)
    ax.set_xlim(min(xs) - pad - 40, max(xs) + pad + 40)
    ax.set_ylim(min(ys) - pad - 25, max(ys) + pad + 25)
    ax.set_aspect("equal")
    return ax


def _point(objects, oid) -> tuple[float, float]:
    """(x, y) of object `oid`, y upwards."""
    obj = objects.get(oid)
    return (0.0, 0.0) if obj is None else (obj.x, -obj.y)
