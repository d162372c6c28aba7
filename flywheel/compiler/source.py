"""Write the generated Python module of a model.

The module defines ``controls(...)``, the run's control values with the
model's defaults, and ``make(_p, _t0, _tf, _dt, _saveper)``, which binds the
parameters and returns ``(y0, rhs, outputs)``: the initial value of every
stock (a tuple), the right-hand side ``rhs(_t, _y) -> dy`` over a state of
shape (n_stocks, n_scenarios), and ``outputs(_t, _y) -> tuple`` of the chosen
columns. Everything constant during the run is computed once in ``make`` and
read by ``rhs`` and ``outputs`` as closure variables.

Examples
--------
>>> import flywheel
>>> graph = ModelGraph(flywheel.load("tests/models/teacup.mdl").abstract)
>>> source = make_source(graph, ["Teacup Temperature"])
>>> "def rhs(_t, _y):" in source
True
"""

from __future__ import annotations

from collections.abc import Sequence

from flywheel.compiler.graph import CONTROLS, ModelGraph
from flywheel.errors import ModelFileError

__all__ = ["make_source"]

_HEADER = '''"""Compiled by flywheel.compiler from {title}.

State rows (``_y[i]``), in order:
{stocks}
"""
import numpy as np

from flywheel.compiler.runtime import (
    check_delay_order, modulo, pulse, pulse_train, ramp, step, xidz, zidz,
)
'''


def make_source(graph: ModelGraph, columns: Sequence[str], title: str = "a model") -> str:
    """The module's source, whose ``outputs`` returns `columns` (display names)."""
    lines = [_HEADER.format(title=title, stocks="\n".join(
        f"    {i}: {graph.nodes[s].name}" for i, s in enumerate(graph.stocks)))]
    for ident, x, y in graph.tables:
        lines.append(f"{ident}_x = np.array({list(x)!r})")
        lines.append(f"{ident}_y = np.array({list(y)!r})")
    lines += ["", "", *_controls(graph), "", ""]
    lines += _make(graph, columns)
    return "\n".join(lines) + "\n"


def _controls(graph: ModelGraph) -> list[str]:
    args = {v: k.lower().replace(" ", "_") for k, v in CONTROLS.items()}
    out = [f"def controls({', '.join(f'{a}=None' for a in args.values())}):",
           '    """The run\'s initial time, final time, time step and save period."""']
    order: list[str] = []
    while len(order) < len(args):
        ready = [c for c in args if c not in order and graph.control_code[c][1] <= set(order)]
        if not ready:
            raise ModelFileError("the control variables refer to each other in a loop")
        order += ready
    for ident in order:
        code = graph.control_code[ident][0]
        out.append(f"    {ident} = {code} if {args[ident]} is None else {args[ident]}")
    out.append("    return _t0, _tf, _dt, _saveper")
    return out


def _make(graph: ModelGraph, columns: Sequence[str]) -> list[str]:
    nodes = graph.nodes
    out = ["def make(_p, _t0, _tf, _dt, _saveper):",
           '    """Bind the parameters `_p`; return (y0, rhs, outputs)."""',
           "    _t = _t0", "    # constants and initial values"]
    roots = [i for i in nodes if i in graph.static or nodes[i].kind == "stock"]
    for ident in graph.order(roots, initial=True):
        node = nodes[ident]
        if node.kind != "aux":
            out.append(f"    {ident} = {node.init_code}")
        elif ident in graph.static and node.name is not None and node.literal is not None:
            out.append(f"    {ident} = _p.get({node.name!r}, {node.literal!r})")
        elif ident in graph.static and node.name is not None:
            out.append(f"    {ident} = _p[{node.name!r}] if {node.name!r} in _p else {node.code}")
        else:
            out.append(f"    {ident} = {node.code}")
    for order, tau, name in graph.delay_checks:
        out.append(f"    check_delay_order({order}, _dt, {tau}, {name!r})")
    out.append(f"    y0 = ({''.join(s + ', ' for s in graph.stocks)})")
    out += ["", "    def rhs(_t, _y):", '        """d(state)/dt at time `_t`."""']
    ddt_deps = set().union(*(nodes[s].ddt_deps for s in graph.stocks))
    out += _dynamic(graph, ddt_deps)
    out.append("        _dy = np.empty_like(_y)")
    for i, stock in enumerate(graph.stocks):
        out.append(f"        _dy[{i}] = {nodes[stock].ddt_code}")
    out += ["        return _dy", "", "    def outputs(_t, _y):",
            '        """The output columns at time `_t`."""']
    idents = [graph.columns[c] for c in columns]
    out += _dynamic(graph, set(idents))
    out.append(f"        return ({''.join(i + ', ' for i in idents)})")
    out += ["", "    return y0, rhs, outputs"]
    return out


def _dynamic(graph: ModelGraph, needed: set[str]) -> list[str]:
    """Lines computing the non-constant identifiers in `needed` from `_t` and `_y`."""
    index = {s: i for i, s in enumerate(graph.stocks)}
    roots = sorted(i for i in needed - graph.static if i in graph.nodes)
    lines = []
    for ident in graph.order(roots, stop=graph.static):
        if ident in index:
            lines.append(f"        {ident} = _y[{index[ident]}]")
        elif ident not in graph.static:
            lines.append(f"        {ident} = {graph.nodes[ident].code}")
    return lines
