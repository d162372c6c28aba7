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

from flywheel.compiler.graph import ModelGraph
from flywheel.compiler.source import make_source

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
    """

    y0: np.ndarray
    rhs: Callable[[float, np.ndarray], np.ndarray]
    outputs: Callable[[float, np.ndarray], tuple]
    columns: tuple[str, ...]


class CompiledModel:
    """A model compiled to numpy; built by :func:`flywheel.compiler.compile_model`.

    Attributes
    ----------
    source : str
        The generated Python module (all columns), readable and inspectable.
    stock_names : tuple of str
        Display names of the state rows: INTEG stocks, then hidden stocks.
    variable_names : tuple of str
        Output variables in PySD's column order (control variables first).
    constants : dict of str to float
        Constants a run may override (display name -> default value): every
        element whose value cannot change during a run, except INITIALs.
    control : dict of str to float
        Defaults of ``initial_time``, ``final_time``, ``time_step``, ``saveper``.
    static_names : frozenset of str
        Output variables that are constant during a run.
    graph : flywheel.compiler.graph.ModelGraph
        The ordered nodes the source is generated from (the loop analysis
        evaluates them one link at a time).
    """

    def __init__(self, abstract_model, title: str = "a model") -> None:
        self.graph = graph = ModelGraph(abstract_model)
        self._abstract = abstract_model
        self._kernels: dict[str, object] = {}
        self._title = title
        self.variable_names = tuple(graph.columns)
        self.stock_names = tuple(graph.nodes[s].name for s in graph.stocks)
        self.static_names = frozenset(
            name for name, ident in graph.columns.items() if ident in graph.static)
        self._modules: dict[tuple[str, ...], dict] = {}
        self.source = self._module(self.variable_names)["__source__"]
        t0, tf, dt, saveper = self._module(self.variable_names)["controls"]()
        self.control = {"initial_time": t0, "final_time": tf, "time_step": dt,
                        "saveper": saveper}
        names = [graph.nodes[i].name for i in graph.nodes
                 if i in graph.static and graph.nodes[i].kind == "aux"
                 and graph.nodes[i].name is not None]
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
        """
        from flywheel.compiler.kernels import Kernel

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
        values = self._module(self.variable_names)["controls"](
            initial_time, final_time, time_step, saveper)
        return tuple(float(v) for v in values)

    def bind(self, params: Mapping[str, float | np.ndarray],
             control: tuple[float, float, float, float],
             columns: Sequence[str] | None = None) -> Bound:
        """Bind checked `params` (display names) and `control` values.

        Parameters
        ----------
        params : mapping
            Constant display name -> float or array of shape (N,).
        control : tuple
            (initial time, final time, time step, saveper), e.g. from :meth:`controls`.
        columns : sequence of str, optional
            Output variables to compute (default: all of `variable_names`).
        """
        columns = self.variable_names if columns is None else tuple(columns)
        make = self._module(columns)["make"]
        y0, rhs, outputs = make(dict(params), *control)
        n = max([np.size(v) for v in params.values()] + [1])
        state = np.empty((len(y0), n))
        for row, value in zip(state, y0):
            row[:] = value
        return Bound(state, rhs, outputs, columns)

