"""Per-element evaluation of a subscripted model, for Loops That Matter.

The compiled engine computes a subscripted variable as one array of shape
``(*range sizes, m)`` (:mod:`flywheel.compiler.arrays`); the causal graph has
one node per element, ``Population[North]``. :class:`ArrayEvaluator`
evaluates the compiled code with the rows of a run folded into the last
axis (``m`` = rows x scenarios), so one evaluation of a variable's equation
covers every scored step, and reads element j of the result.

A link x[i] -> z[j] scores the change of element j of z's equation when
only element i of x moves to its value at t (every other element of x,
and every other input, stays at t - dt).

Examples
--------
>>> import flywheel
>>> ev = ArrayEvaluator(flywheel.load("tests/models/sub_1d.mdl"))
>>> run = ev.run()
>>> run.values["Population[North]"].shape == (run.times.size, 1)
True
>>> before, changes = ev.partial_changes(run, "Births[North]", ["Population[North]"])
>>> moved = run.change(run.values["Population[North]"])
>>> bool(np.allclose(changes["Population[North]"], 0.03 * moved))
True
"""

from __future__ import annotations

import math

import numpy as np

from flywheel.compiler import arrayruntime
from flywheel.compiler.arrays import row_names
from flywheel.compiler.translate import TIME
from flywheel.loops.evaluate import EulerRun, Evaluator
from flywheel.model import Model

__all__ = ["ArrayEvaluator"]


class ArrayEvaluator(Evaluator):
    """An :class:`~flywheel.loops.evaluate.Evaluator` whose nodes are elements.

    Node names are those of :func:`flywheel.causal_graph`: ``Name[a,b]`` for
    an element of a subscripted variable, the name alone for a scalar.
    ``run.namespace`` holds a varying subscripted variable as an array of
    shape ``(*range sizes, rows, scenarios)``.

    Parameters
    ----------
    model : flywheel.Model
    """

    def __init__(self, model: Model) -> None:
        super().__init__(model)
        nodes = self.graph.nodes
        self.shape = {ident: tuple(len(items) for _, items in node.dims)
                      for ident, node in nodes.items()}
        #: element node name -> (variable display name, index into its array)
        self.element: dict[str, tuple[str, tuple[int, ...]]] = {}
        self._rows: dict[str, list[str]] = {}
        for name, ident in self.ident.items():
            rows = row_names(name, nodes[ident].dims)
            self._rows[name] = rows
            for k, row in enumerate(rows):
                index = tuple(int(i) for i in np.unravel_index(k, self.shape[ident])) \
                    if nodes[ident].dims else ()
                self.element[row] = (name, index)
        self._varying = set(self.stocks) | set(self._dynamic_order)

    def inputs(self, name: str) -> list[str]:
        """Element names of the varying inputs of the equation of element `name`."""
        variable, _ = self.element[name]
        return [row for ident in self._programs[variable][1]
                for row in self._rows[self.name[ident]]]

    @property
    def nodes(self) -> frozenset:
        """Element names (``Name[a,b]``; a scalar's name) this evaluator evaluates."""
        return frozenset(self.element)

    @property
    def equations(self) -> list[str]:
        """Element names of the nodes with a varying equation."""
        return [row for name in self._programs for row in self._rows[name]]

    def _globals(self, control, n_scenarios: int) -> dict:
        # the generated module's array literals (_a1, ...), which array code reads
        module = self.compiled._module(tuple(self.graph.columns))
        literals = {k: v for k, v in module.items() if k.startswith("_a") and k[2:].isdigit()}
        return dict(super()._globals(control, n_scenarios), _ar=arrayruntime, **literals)

    # ------------------------------------------------------------------ layout
    def _flat(self, ident: str, value, rows, count: int, width: int):
        """`value` of `ident` at `rows` (a slice), the rows folded into the last axis."""
        if ident in self._varying:
            block = np.asarray(value)[..., rows, :]
            return block.reshape(block.shape[:-2] + (count * width,))
        array = np.asarray(value)
        if array.ndim == 0 or array.shape[-1] == 1:
            return value
        return np.tile(array, (1,) * (array.ndim - 1) + (count,))

    def _scope(self, namespace: dict, reads, rows, count: int, width: int, times) -> dict:
        scope = {name: namespace[name] for name in reads if name in namespace}
        for name in reads:
            if name in self.graph.nodes and name in namespace:
                scope[name] = self._flat(name, namespace[name], rows, count, width)
        scope[TIME] = np.repeat(np.asarray(times)[rows], width)
        scope["_scenario"] = np.tile(np.arange(width), count)
        return scope

    def _pick(self, variable: str, result, index: tuple, count: int, width: int) -> np.ndarray:
        """Element `index` of `variable`'s result, shape (count, width)."""
        shape = self.shape[self.ident[variable]]
        full = np.broadcast_to(np.asarray(result, dtype=float), shape + (count * width,))
        return full[index].reshape(count, width)

    def _stock_blocks(self, states: np.ndarray) -> dict[str, np.ndarray]:
        """Each stock's states (rows, stock rows, s) as an array (*shape, rows, s)."""
        out, start = {}, 0
        for ident in self.stocks:
            shape = self.shape[ident]
            size = math.prod(shape)
            block = states[:, start:start + size, :].reshape((states.shape[0],) + shape
                                                              + (states.shape[2],))
            out[ident] = np.moveaxis(block, 0, -2)
            start += size
        return out

    def _namespace(self, bound, grid, states, rows, control) -> dict:
        graph, nodes = self.graph, self.graph.nodes
        count, width = states.shape[0], states.shape[2]
        base = self._globals(control, width)
        at_start = dict(base, _t=grid.steps[0])
        for ident, block in self._stock_blocks(bound.y0[None]).items():
            at_start[ident] = block[..., 0, :]
        for name, value in zip(graph.columns, bound.blocks(grid.steps[0], bound.y0)):
            if name in self.ident:
                at_start[self.ident[name]] = value
        self._complete_start(at_start)  # temporaries, a macro's named constants
        namespace = dict(base)
        for ident, node in nodes.items():
            if ident in graph.static or node.kind == "initial":
                namespace[ident] = at_start[ident]
        namespace.update(self._stock_blocks(states))
        everything = slice(None)
        flat = dict(base, _t=np.repeat(grid.steps[rows], width),
                    _scenario=np.tile(np.arange(width), count))
        for ident, value in namespace.items():
            if ident in nodes:
                flat[ident] = self._flat(ident, value, everything, count, width)
        for ident in self._dynamic_order:
            if ident in nodes and ident not in namespace:
                value = np.asarray(eval(nodes[ident].code, flat))  # noqa: S307
                # a temporary has no dims of its own: its shape is its value's
                shape = self.shape[ident] if nodes[ident].dims or value.ndim < 2 \
                    else value.shape[:-1]
                value = np.broadcast_to(value, shape + (count * width,))
                flat[ident] = value
                namespace[ident] = value.reshape(shape + (count, width))
        namespace["_times"] = grid.steps[rows]
        return namespace

    def _graph_values(self, namespace: dict) -> dict:
        values = {}
        for name, ident in self.ident.items():
            value = namespace[ident]
            for row, (_, index) in ((r, self.element[r]) for r in self._rows[name]):
                if ident in self._varying:
                    values[row] = value[index]
                else:
                    array = np.asarray(value)
                    values[row] = array[index] if index else value
        return values

    # ------------------------------------------------------------------ links
    def equation_values(self, run: EulerRun, name: str) -> np.ndarray:
        """Element `name`'s equation at every row: an auxiliary's value, a stock's net rate."""
        variable, index = self.element[name]
        ident = self.ident[variable]
        if self.graph.nodes[ident].kind != "stock":
            return np.asarray(run.values[name])
        steps, _, reads = self._programs[variable]
        times = run.namespace["_times"]
        width = max(1, run.n_scenarios or 1)
        scope = self._scope(run.namespace, reads, slice(None), times.size, width, times)
        return self._pick(variable, self._execute(steps, scope), index, times.size, width)

    def partial_changes(self, run: EulerRun, name: str, sources) -> tuple[np.ndarray, dict]:
        """Element `name`'s equation one step back, and Δx z for each source element x.

        Δx z is element j of f(x[i](t), every other value at t - dt) minus
        element j of f(every value at t - dt), for the link x[i] -> z[j].

        Returns
        -------
        before : numpy.ndarray
            Element j of f(all inputs at t - dt), shape (n - 1, s).
        changes : dict
            Source element name -> Δx z, shape (n - 1, s).
        """
        variable, index = self.element[name]
        steps, _, reads = self._programs[variable]
        namespace, times = run.namespace, run.namespace["_times"]
        width = max(1, run.n_scenarios or 1)
        count = run.before.stop - run.before.start
        scope = self._scope(namespace, reads, run.before, count, width, times)
        before = self._pick(variable, self._execute(steps, scope), index, count, width)
        changes = {}
        for source in sources:
            source_variable, source_index = self.element[source]
            ident = self.ident[source_variable]
            if ident not in self._varying:
                changes[source] = np.zeros_like(before)
                continue
            block = np.asarray(namespace[ident])
            moved_block = block[..., run.before, :].copy()
            moved_block[source_index] = block[source_index][..., run.after, :]
            moved = dict(scope)
            moved[ident] = moved_block.reshape(moved_block.shape[:-2] + (count * width,))
            changes[source] = self._pick(variable, self._execute(steps, moved), index,
                                         count, width) - before
        return before, changes
