"""The compiled form of a model: generated source plus the functions it defines.

Examples
--------
>>> import flywheel
>>> from flywheel.compiler import compile_model
>>> cm = compile_model(flywheel.load("tests/models/teacup.mdl").abstract)
>>> bound = cm.bind({"Room Temperature": np.array([60.0, 70.0])}, cm.controls())
>>> bound.rhs(0.0, bound.y0).round(1).tolist()
[[-12.0, -11.0]]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from flywheel.compiler.arrays import row_names
from flywheel.compiler.graph import ModelGraph
from flywheel.compiler.source import make_source
from flywheel.errors import UnsupportedConstructError

__all__ = ["Bound", "CompiledModel"]


@dataclass(frozen=True)
class Bound:
    """A model bound to one set of parameters and control values.

    Attributes
    ----------
    y0 : numpy.ndarray
        Initial state, shape (n_stocks, n_scenarios).
    rhs : callable
        ``rhs(t, y) -> dy/dt``, both of shape (n_stocks, n_scenarios).
    outputs : callable
        ``outputs(t, y) -> tuple`` of the values of `columns` (floats or arrays).
    columns : tuple of str
        Display names returned by `outputs`.
    blocks : callable or None
        For a subscripted model: ``blocks(t, y) -> tuple`` of the same values,
        one item per variable (a subscripted one as one array of shape
        ``(*range sizes, n)``), cheaper than `outputs` per call; None otherwise.
    block_columns : tuple of tuple of str
        The columns of each item of `blocks`, in row-major order.
    """

    y0: np.ndarray
    rhs: Callable[[float, np.ndarray], np.ndarray]
    outputs: Callable[[float, np.ndarray], tuple]
    columns: tuple[str, ...]
    blocks: Callable[[float, np.ndarray], tuple] | None = None
    block_columns: tuple[tuple[str, ...], ...] = ()


class CompiledModel:
    """A model compiled to numpy; built by :func:`flywheel.compiler.compile_model`.

    Attributes
    ----------
    source : str
        The generated Python module (all columns), readable and inspectable.
    stock_names : tuple of str
        Display names of the state rows: INTEG stocks, then hidden stocks.
    variable_names : tuple of str
        Output columns in PySD's column order (control variables first); a
        subscripted element has one per element, ``Name[a,b]``.
    dimensions : dict of str to tuple of str
        Each subscripted element's subscript ranges, in the order of its axes.
    constants : dict of str to float
        Constants a run may override (display name -> default value): every
        element whose value cannot change during a run, except INITIALs.
    control : dict of str to float
        Defaults of ``initial_time``, ``final_time``, ``time_step``, ``saveper``.
    static_names : frozenset of str
        Output variables that are constant during a run.
    kernel_refusal : str or None
        Why the numba kernel does not run this model (None when it does).
    graph : flywheel.compiler.graph.ModelGraph
        The ordered nodes the source is generated from (the loop analysis
        evaluates them one link at a time).
    """

    def __init__(self, abstract_model, title: str = "a model") -> None:
        self.graph = graph = ModelGraph(abstract_model)
        self._abstract = abstract_model
        self._kernels: dict[str, object] = {}
        self._title = title
        self._rows = {name: tuple(row_names(name, graph.nodes[ident].dims))
                      if ident in graph.nodes else (name,)
                      for name, ident in graph.columns.items()}
        self.variable_names = tuple(r for rows in self._rows.values() for r in rows)
        self.stock_names = tuple(row for s in graph.stocks
                                 for row in row_names(graph.nodes[s].name, graph.nodes[s].dims))
        self.static_names = frozenset(
            row for name, ident in graph.columns.items() if ident in graph.static
            for row in self._rows[name])
        self.dimensions = {name: tuple(r for r, _ in graph.nodes[ident].dims)
                           for name, ident in graph.columns.items()
                           if ident in graph.nodes and graph.nodes[ident].dims}
        self.kernel_refusal = ("the numba kernel does not run subscripted models; they run on "
                               "the numpy path (jit=False)"
                               if any(node.dims for node in graph.nodes.values()) else None)
        self._modules: dict[tuple[str, ...], dict] = {}
        self.source = self._module(tuple(graph.columns))["__source__"]
        t0, tf, dt, saveper = self._module(tuple(graph.columns))["controls"]()
        self.control = {"initial_time": t0, "final_time": tf, "time_step": dt,
                        "saveper": saveper}
        names = [graph.nodes[i].name for i in graph.nodes
                 if i in graph.static and graph.nodes[i].kind == "aux"
                 and graph.nodes[i].name in graph.columns and not graph.nodes[i].dims]
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):  # inf is kept
            bound = self.bind({}, self.controls(), names)
            values = bound.outputs(t0, bound.y0)
        self.constants = {n: float(np.asarray(v).reshape(-1)[0]) for n, v in zip(names, values)}

    def __repr__(self) -> str:
        return (f"<CompiledModel of {self._title}: {len(self.stock_names)} stocks, "
                f"{len(self.variable_names)} variables>")

    def _module(self, columns: tuple[str, ...]) -> dict:
        if columns not in self._modules:
            source = make_source(self.graph, columns, self._title)
            namespace: dict = {"__name__": "flywheel_compiled", "__source__": source}
            exec(compile(source, f"<flywheel compiled {self._title}>", "exec"), namespace)
            self._modules[columns] = namespace
        return self._modules[columns]

    def kernel(self):
        """The model's compiled kernels, built once (every constant a runtime input).

        See :class:`flywheel.compiler.kernels.Kernel`; needs numba.

        Raises
        ------
        UnsupportedConstructError
            The model is one the kernel does not run (`kernel_refusal`).
        """
        from flywheel.compiler.kernels import Kernel

        if self.kernel_refusal:
            raise UnsupportedConstructError(f"{self._title}: {self.kernel_refusal}")
        if "kernel" not in self._kernels:
            graph = ModelGraph(self._abstract, scalar=True)
            self._kernels["kernel"] = Kernel(graph, list(self.constants))
        return self._kernels["kernel"]

    def controls(self, initial_time: float | None = None, final_time: float | None = None,
                 time_step: float | None = None, saveper: float | None = None
                 ) -> tuple[float, float, float, float]:
        """(initial time, final time, time step, saveper), the model's where not given.

        A SAVEPER defined as ``TIME STEP`` follows a changed time step, as in PySD.
        """
        values = self._module(tuple(self.graph.columns))["controls"](
            initial_time, final_time, time_step, saveper)
        return tuple(float(v) for v in values)

    def bind(self, params: Mapping[str, float | np.ndarray],
             control: tuple[float, float, float, float],
             columns: Sequence[str] | None = None, seed: int = 0, first: int = 0) -> Bound:
        """Bind checked `params` (display names) and `control` values.

        Parameters
        ----------
        params : mapping
            Constant display name -> float or array of shape (N,); a
            subscripted constant's value is an array of shape
            ``(*range sizes, N or 1)`` (see :mod:`flywheel.compiler.arrays`).
        control : tuple
            (initial time, final time, time step, saveper), e.g. from :meth:`controls`.
        columns : sequence of str, optional
            Output variables to compute (default: every element). A
            subscripted element's output is one column per element,
            ``Name[a,b]``, as in `variable_names`.
        seed, first : int
            The random functions' stream: the run's seed, and the index of the
            first scenario (each scenario draws its own numbers).
        """
        columns = tuple(self.graph.columns) if columns is None else tuple(columns)
        make = self._module(columns)["make"]
        params = {k: np.asarray(v, dtype=float) if np.ndim(v) else v for k, v in params.items()}
        y0, rhs, outputs, blocks = make(params, *control, seed, first)
        n = max([np.shape(v)[-1] for v in params.values() if np.ndim(v)] + [1])
        state = np.empty((len(y0), n))
        for row, value in zip(state, y0):
            row[:] = value
        rows = tuple(self._rows[c] for c in columns)
        subscripted = any(len(r) > 1 for r in rows)
        return Bound(state, rhs, outputs, tuple(r for group in rows for r in group),
                     blocks if subscripted else None, rows if subscripted else ())

