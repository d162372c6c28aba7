"""Optional numba path: the whole fixed-step Euler run as one compiled loop.

With numba installed (``pip install numba``), ``run_compiled(...,
method="euler", jit=True)`` runs a kernel that loops over scenarios and time
steps in machine code, with the model written over floats (the same
equations as :mod:`flywheel.compiler.source`, and PySD's Euler order of
updates). The pure-numpy path stays the default. The kernel is built once
per model, set of overridden constants and output columns; numba's first
compilation of it takes a second or more.

Examples
--------
>>> import flywheel
>>> run = flywheel.simulate("tests/models/teacup.mdl", method="euler", jit=True)
>>> round(float(run["Teacup Temperature"][-1]), 4)
75.374
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from flywheel.compiler.graph import ModelGraph

__all__ = ["available", "build_kernel", "kernel_source"]

_SMALL = 1e-6


def xidz(a, b, x):
    """XIDZ over floats."""
    return x if abs(b) < _SMALL else a / b


def zidz(a, b):
    """ZIDZ over floats."""
    return 0.0 if abs(b) < _SMALL else a / b


def modulo(x, m):
    """MODULO over floats."""
    return x - (x if m < _SMALL else m * float(int(x / m)))


def step(value, tstep, t, dt):
    """STEP over floats."""
    return value if t + dt / 2 > tstep else 0.0


def ramp(slope, start, finish, t):
    """RAMP over floats."""
    return slope * (min(finish, t) - start) if t + _SMALL > start else 0.0


def pulse(start, width, t):
    """PULSE over floats."""
    return 1.0 if start - _SMALL <= t < start + width else 0.0


def pulse_train(start, interval, width, end, t):
    """PULSE TRAIN over floats."""
    if interval == 0:
        return 1.0 if start - _SMALL <= t < start + width else 0.0
    if start <= t < end:
        return 1.0 if (t - start + _SMALL) % interval < width else 0.0
    return 0.0


def available() -> bool:
    """Whether numba can be imported."""
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def kernel_source(graph: ModelGraph, columns: Sequence[str], overridden: Sequence[str]) -> str:
    """Source of ``kernel(_P, _steps, _slot, _t0, _tf, _dt, _saveper, _out)``.

    `graph` must be built with ``scalar=True``. ``_P[i, j]`` is the value of
    ``overridden[i]`` in scenario j; ``_slot[k]`` the output row of step k
    (-1: not saved); ``_out`` has shape (n_saved, len(columns), n_scenarios).
    """
    nodes, index = graph.nodes, {name: i for i, name in enumerate(overridden)}
    out = ["def kernel(_P, _steps, _slot, _t0, _tf, _dt, _saveper, _out):",
           "    for _j in range(_P.shape[1]):", "        _t = _t0"]
    roots = [i for i in nodes if i in graph.static or nodes[i].kind == "stock"]
    for ident in graph.order(roots, initial=True):
        node = nodes[ident]
        if node.name in index and node.kind == "aux" and ident in graph.static:
            code = f"_P[{index[node.name]}, _j]"
        else:
            code = node.code if node.kind == "aux" else node.init_code
        out.append(f"        {ident} = {code}")
    out += ["        for _k in range(_steps.shape[0]):", "            _t = _steps[_k]",
            "            if _slot[_k] >= 0:"]
    idents = [graph.columns[c] for c in columns]
    out += _dynamic(graph, set(idents), "                ")
    out += [f"                _out[_slot[_k], {c}, _j] = {ident}" for c, ident in enumerate(idents)]
    out += ["            if _k + 1 < _steps.shape[0]:"]
    out += _dynamic(graph, set().union(*(nodes[s].ddt_deps for s in graph.stocks)),
                    "                ")
    out += [f"                _d{i} = {nodes[s].ddt_code}" for i, s in enumerate(graph.stocks)]
    out += [f"                {s} = {s} + _d{i} * _dt" for i, s in enumerate(graph.stocks)]
    return "\n".join(out) + "\n"


def _dynamic(graph: ModelGraph, needed: set[str], indent: str) -> list[str]:
    roots = sorted(i for i in needed - graph.static if i in graph.nodes)
    return [f"{indent}{i} = {graph.nodes[i].code}" for i in graph.order(roots, stop=graph.static)
            if i not in graph.static and graph.nodes[i].kind != "stock"]


def build_kernel(graph: ModelGraph, columns: Sequence[str], overridden: Sequence[str]):
    """Compile :func:`kernel_source` with numba (``error_model="numpy"``: 1/0 is inf)."""
    import numba

    jit = numba.njit(cache=False, error_model="numpy")
    namespace: dict = {"math": math, "np": np}
    for helper in (xidz, zidz, modulo, step, ramp, pulse, pulse_train):
        namespace[helper.__name__] = jit(helper)
    for ident, x, y in graph.tables:
        namespace[f"{ident}_x"], namespace[f"{ident}_y"] = np.array(x), np.array(y)
    exec(compile(kernel_source(graph, columns, overridden), "<flywheel kernel>", "exec"),
         namespace)
    return jit(namespace["kernel"])
