"""Per-element evaluation of a compiled model, vectorised over time.

Loops That Matter re-evaluates each element with only one of its inputs
moved to its new value. :class:`Evaluator` does that for every link at once
over all time steps of a run, as numpy arrays. It reuses the compiled
engine's generated expressions (:mod:`flywheel.compiler`): each causal-graph
node's equation is the compiler's code for it (an auxiliary's expression, a
stock's derivative), with the compiler's anonymous temporaries (the
arguments of delay and smoothing calls) recomputed inline.

A run here is the engine's Euler integration at the time step. Scores need
each scored time t and the step before it, t - dt: the values of the
auxiliaries are computed at those rows only, all at once from the states
(every step when every step is scored; two rows per saved time otherwise).

Examples
--------
>>> import flywheel
>>> ev = Evaluator(flywheel.load("flywheel_minimal"))
>>> run = ev.run()
>>> run.values["Installed Compute"].shape[0] == run.times.size
True
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np

from flywheel.compiler import runtime
from flywheel.compiler.jit import available
from flywheel.compiler.kernels import KERNEL_METHODS
from flywheel.compiler.translate import TIME
from flywheel.errors import ParameterValueError, SimulationError
from flywheel.integrators import METHODS, time_grid
from flywheel.model import Model
from flywheel.params import RunTimes, scenario_params

__all__ = ["EulerRun", "Evaluator", "evaluator"]


@dataclass(frozen=True)
class EulerRun:
    """Every identifier's value at the rows of an Euler run that scores need.

    The run scores the change over the step ending at each of `times` but
    the first: row ``before`` holds the values one step earlier (t - dt), row
    ``after`` those at t.

    Attributes
    ----------
    times : numpy.ndarray
        The scored times, shape (n,): every step (t_0, t_0 + dt, ...) or the
        saved times. The first has no score.
    dt : float
    values : dict
        Display name of every causal-graph node -> array of shape (rows, s)
        (s scenarios; constants broadcast).
    namespace : dict
        Identifier -> value, as the generated code names them.
    n_scenarios : int or None
        None for a run without array parameters.
    params : dict
        The parameter values the run used (display name -> float or array).
    before, after : slice
        The rows at t - dt and at t of the n - 1 scored steps.
    """

    times: np.ndarray
    dt: float
    values: dict
    namespace: dict
    n_scenarios: int | None
    params: dict
    before: slice
    after: slice

    def lag(self, value, earlier: bool):
        """`value` at the rows before (`earlier`) or after each scored step.

        Values constant over time (scalars, per-scenario arrays) are returned as they are.
        """
        array = np.asarray(value)
        if array.ndim < 2:
            return value
        return array[self.before if earlier else self.after]

    def change(self, value) -> np.ndarray:
        """`value`'s change over each scored step, shape (n - 1, ...)."""
        array = np.asarray(value)
        return array[self.after] - array[self.before]


class Evaluator:
    """Evaluate a model's equations one link at a time over a whole run.

    Parameters
    ----------
    model : flywheel.Model

    Raises
    ------
    UnsupportedConstructError
        The model uses a construct the compiled engine does not support.
    """

    def __init__(self, model: Model) -> None:
        self.model = model
        self.compiled = model.compiled
        self.graph = graph = self.compiled.graph
        nodes = graph.nodes
        self.ident = {node.name: ident for ident, node in nodes.items() if node.name is not None}
        self.name = {ident: name for name, ident in self.ident.items()}
        self.stocks = list(graph.stocks)
        dynamic = [i for i, n in nodes.items() if n.kind == "aux" and i not in graph.static]
        self._dynamic_order = graph.order(dynamic, stop=set(graph.static)) if dynamic else []
        position = {ident: k for k, ident in enumerate(self._dynamic_order)}
        self._programs: dict[str, tuple] = {}
        self._default_runs: dict[tuple, EulerRun] = {}
        for name, ident in self.ident.items():
            node = nodes[ident]
            if node.kind == "stock":
                code, deps = node.ddt_code, node.ddt_deps
            elif node.kind == "aux" and ident not in graph.static:
                code, deps = node.code, node.deps
            else:
                continue
            temps, inputs = self._closure(deps, position)
            steps = [(t, compile(nodes[t].code, f"<{t}>", "eval")) for t in temps]
            steps.append(("_out", compile(code, f"<{name}>", "eval")))
            reads = {n for _, c in steps for n in c.co_names} - {t for t, _ in steps}
            self._programs[name] = (steps, sorted(inputs), sorted(reads))

    def _closure(self, deps, position) -> tuple[list[str], set[str]]:
        """Anonymous dynamic temporaries to recompute (in order), and named inputs read."""
        nodes, static = self.graph.nodes, self.graph.static
        temps: set[str] = set()
        inputs: set[str] = set()
        stack = list(deps)
        while stack:
            ident = stack.pop()
            node = nodes.get(ident)
            if node is None or ident in static or ident == TIME:
                continue
            if node.name is not None:
                inputs.add(ident)
            elif node.kind == "aux" and ident not in temps:
                temps.add(ident)
                stack.extend(node.deps)
        return sorted(temps, key=position.__getitem__), inputs

    def inputs(self, name: str) -> list[str]:
        """Display names of the varying inputs of node `name`'s equation."""
        return [self.name[i] for i in self._programs[name][1]]

    @property
    def nodes(self) -> frozenset:
        """Display names of the causal-graph nodes this evaluator evaluates."""
        return frozenset(self.ident)

    @property
    def equations(self) -> list[str]:
        """Display names of the nodes with a varying equation (auxiliaries, flows, stocks)."""
        return list(self._programs)

    # ------------------------------------------------------------------ running
    def run(self, params=None, *, method: str = "euler", final_time: float | None = None,
            dt: float | None = None, saveper: float | None = None) -> EulerRun:
        """Integrate at the time step and evaluate every node where scores need it.

        Parameters
        ----------
        params : mapping, optional
            Constant name -> number or 1-D array (scenarios), as for
            :func:`flywheel.simulate`.
        method : str
            An integration method of :data:`flywheel.integrators.METHODS`;
            every step of the `dt` grid is kept whatever the method.
        final_time, dt : float, optional
            Override FINAL TIME and TIME STEP.
        saveper : float, optional
            Score only the steps ending at multiples of `saveper` (None: every step).

        Raises
        ------
        ParameterValueError
            An unknown method (listing the valid ones), or bad parameters.
        """
        if method not in METHODS:
            raise ParameterValueError(
                f"unknown method {method!r}; valid methods are {', '.join(METHODS)}")
        key = (method, final_time, dt, saveper)
        if not params and key in self._default_runs:
            return self._default_runs[key]
        run = self._run(params, method, final_time, dt, saveper)
        if not params:
            self._default_runs[key] = run
        return run

    def _run(self, params, method, final_time, dt, saveper) -> EulerRun:
        checked = scenario_params(self.model, params)
        values = dict(checked.values)
        times = RunTimes(self.model, final_time=final_time, dt=dt)
        t0, tf, step = times.initial_time, times.final_time, times.dt
        control = (t0, tf, step, step)
        grid = time_grid(*control)
        scored = time_grid(t0, tf, step, saveper or step).saved
        rows, before, after = _rows(grid, scored)
        # the states are checked below instead of warned about
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            bound = self.compiled.bind(values, control)
            states = self._states(bound, values, control, grid, method)
            bad = np.argwhere(~np.isfinite(states))
            if bad.size:  # loop scores of a run that failed would be wrong numbers
                step, stock, scenario = bad[0]
                raise SimulationError(
                    f"the loop analysis run of {self.model.name!r} failed: "
                    f"{self.compiled.stock_names[stock]!r} is {states[step, stock, scenario]} at "
                    f"time {grid.steps[step]:g}"
                    + (f" in scenario {scenario}" if checked.n_scenarios else "")
                    + " (a value that is not finite)")
            namespace = self._namespace(bound, grid, states[rows], rows, control)
        return EulerRun(grid.steps[scored], step, self._graph_values(namespace), namespace,
                        checked.n_scenarios, values, before, after)

    def _graph_values(self, namespace: dict) -> dict:
        """Each causal-graph node's value, from the identifiers' values."""
        return {name: namespace[ident] for name, ident in self.ident.items()}

    def _states(self, bound, values, control, grid, method) -> np.ndarray:
        """The state at every step: one compiled kernel run where numba is and the
        kernel runs the model (not a subscripted one: `kernel_refusal`), else numpy."""
        if method in KERNEL_METHODS and available() and not self.compiled.kernel_refusal:
            run = self.compiled.kernel().run(values, control, grid, method, states=True)
            return np.stack([run.values[name] for name in self.compiled.stock_names], axis=1)
        return METHODS[method](bound.rhs, bound.y0, grid, rtol=1e-6, atol=1e-6,
                               max_step=np.inf).states

    def _globals(self, control, n_scenarios: int) -> dict:
        namespace = {"np": np, **{name: getattr(runtime, name) for name in runtime.__all__}}
        namespace.update(zip(("_t0", "_tf", "_dt", "_saveper"), control))
        # the random functions' stream: the kernel run's default seed, scenario by scenario
        namespace.update(_seed=0, _scenario=np.arange(n_scenarios))
        for ident, x, y in self.graph.tables:
            namespace[f"{ident}_x"] = np.array(x)
            namespace[f"{ident}_y"] = np.array(y)
        return namespace

    def _complete_start(self, at_start: dict) -> None:
        """Add to `at_start` (values at the initial time) what the run's outputs leave out:
        the compiler's temporaries and named elements that are not outputs (a macro's)."""
        graph, nodes = self.graph, self.graph.nodes
        missing = [i for i in nodes if i not in at_start]
        for ident in graph.order(missing, initial=True) if missing else []:
            if ident in at_start or ident not in nodes:
                continue
            node = nodes[ident]
            code = node.code if node.kind == "aux" else node.init_code
            at_start[ident] = eval(code, at_start)  # noqa: S307 - the compiler's own code

    def _namespace(self, bound, grid, states, rows, control) -> dict:
        """Every identifier's value at the steps `rows` (`states` holds the states there)."""
        graph, nodes = self.graph, self.graph.nodes
        base = self._globals(control, states.shape[2])
        first = dict(zip(bound.columns, bound.outputs(grid.steps[0], bound.y0)))
        at_start = dict(base, _t=grid.steps[0])
        for row, ident in enumerate(self.stocks):
            at_start[ident] = bound.y0[row]
        for name, value in first.items():
            if name in self.ident:
                at_start[self.ident[name]] = value
        self._complete_start(at_start)
        namespace = dict(base, _t=grid.steps[rows][:, None])
        for ident, node in nodes.items():
            if ident in graph.static or node.kind == "initial":
                namespace[ident] = at_start[ident]
        for row, ident in enumerate(self.stocks):
            namespace[ident] = states[:, row, :]
        for ident in self._dynamic_order:
            if ident in nodes and ident not in namespace:
                namespace[ident] = np.broadcast_to(
                    eval(nodes[ident].code, namespace), (states.shape[0], states.shape[2]))
        return namespace

    # ------------------------------------------------------------------ links
    def equation_values(self, run: EulerRun, name: str) -> np.ndarray:
        """Node `name`'s equation at every step: an auxiliary's value, a stock's net rate."""
        if self.graph.nodes[self.ident[name]].kind != "stock":
            return np.asarray(run.values[name])
        steps, _, reads = self._programs[name]
        return np.asarray(self._execute(steps, _scope(run.namespace, reads)))

    @staticmethod
    def _execute(steps, scope):
        scope = dict(scope)
        for target, code in steps:
            scope[target] = eval(code, scope)  # noqa: S307 - the compiler's own code
        return scope["_out"]

    def partial_changes(self, run: EulerRun, name: str, sources) -> tuple[np.ndarray, dict]:
        """The equation of node `name` one step back, and Δx z for each source x.

        Δx z = f(x(t), others(t - dt)) - f(others(t - dt)): the change of the
        equation when only x moves to its new value (TIME stays at t - dt).

        Returns
        -------
        before : numpy.ndarray
            f(all inputs at t - dt), shape (n - 1, s), for steps 1..n-1.
        changes : dict
            Source display name -> Δx z, shape (n - 1, s).
        """
        steps, inputs, reads = self._programs[name]
        namespace = run.namespace
        scope = _scope(namespace, reads)
        for ident in [*inputs, TIME]:
            scope[ident] = run.lag(namespace[ident], earlier=True)
        before = np.asarray(self._execute(steps, scope))
        changes = {}
        for source in sources:
            ident = self.ident[source]
            moved = dict(scope)
            moved[ident] = run.lag(namespace[ident], earlier=False)
            changes[source] = self._execute(steps, moved) - before
        return before, changes


def _scope(namespace: dict, reads) -> dict:
    """The part of `namespace` that code reading the names `reads` needs."""
    return {name: namespace[name] for name in reads if name in namespace}


def _rows(grid, scored: np.ndarray) -> tuple[np.ndarray, slice, slice]:
    """The steps of `grid` to evaluate for scores at its steps `scored`, and where
    the rows before and after each scored step but the first lie among them.

    Every step scored: the steps themselves (row k - 1 is before row k).
    Otherwise the step before each scored time but the first, then those times.

    Examples
    --------
    >>> from flywheel.integrators import time_grid
    >>> grid = time_grid(0.0, 1.0, 0.25, 0.25)
    >>> _rows(grid, np.arange(5))
    (array([0, 1, 2, 3, 4]), slice(0, 4, None), slice(1, 5, None))
    >>> _rows(grid, np.array([0, 2, 4]))
    (array([1, 3, 2, 4]), slice(0, 2, None), slice(2, 4, None))
    """
    n = grid.steps.size
    if scored.size == n:
        return np.arange(n), slice(0, n - 1), slice(1, n)
    later = scored[1:]
    return np.concatenate([later - 1, later]), slice(0, later.size), slice(later.size, 2 * later.size)


_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def evaluator(model: Model) -> Evaluator:
    """The :class:`Evaluator` of `model`, built once per Model object: an
    :class:`~flywheel.loops.evaluate_arrays.ArrayEvaluator` (one node per
    element) for a subscripted model."""
    if model not in _CACHE:
        if any(node.dims for node in model.compiled.graph.nodes.values()):
            from flywheel.loops.evaluate_arrays import ArrayEvaluator

            _CACHE[model] = ArrayEvaluator(model)
        else:
            _CACHE[model] = Evaluator(model)
    return _CACHE[model]
