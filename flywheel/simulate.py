"""Run a model: one entry point for every engine, returning an xarray Dataset.

Examples
--------
>>> import flywheel
>>> run = flywheel.simulate("flywheel_minimal", params={"Learning Rate": 0.2})
>>> run["Unit Inference Cost"].attrs["units"]
'USD/million tokens'
>>> sweep = flywheel.simulate(
...     "flywheel_minimal", params={"Price Elasticity of Demand": [0.5, 1.0, 1.5]}
... )
>>> dict(sweep.sizes)["scenario"]
3
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import xarray as xr

from flywheel.errors import ParameterValueError
from flywheel.model import Model, load
from flywheel.params import ScenarioParams, finite_number, scenario_params
from flywheel.reference import Trajectories, pysd_run

__all__ = ["ENGINES", "RunTimes", "simulate", "to_dataset"]


class RunTimes:
    """The start, end, time step and save period of a run, checked.

    Each defaults to the model's INITIAL TIME, FINAL TIME, TIME STEP and SAVEPER.

    Raises
    ------
    ParameterValueError
        A value that is not a finite number, a non-positive time step or save
        period, or a final time not after the initial time.
    """

    def __init__(
        self,
        model: Model,
        *,
        initial_time: float | None = None,
        final_time: float | None = None,
        dt: float | None = None,
        saveper: float | None = None,
    ) -> None:
        control = model.control
        given = {
            "initial_time": (initial_time, control["INITIAL TIME"]),
            "final_time": (final_time, control["FINAL TIME"]),
            "dt": (dt, control["TIME STEP"]),
            "saveper": (saveper, control["SAVEPER"]),
        }
        values = {
            name: finite_number(default if value is None else value, name)
            for name, (value, default) in given.items()
        }
        self.initial_time = values["initial_time"]
        self.final_time = values["final_time"]
        self.dt = values["dt"]
        self.saveper = values["saveper"]
        if self.dt <= 0:
            raise ParameterValueError(f"dt (the time step) must be positive, got {self.dt}")
        if self.saveper <= 0:
            raise ParameterValueError(f"saveper must be positive, got {self.saveper}")
        if self.final_time <= self.initial_time:
            raise ParameterValueError(
                f"final_time ({self.final_time}) must be after initial_time ({self.initial_time})"
            )


def _run_pysd(
    model: Model,
    params: ScenarioParams,
    times: RunTimes,
    *,
    method: str | None,
    rtol: float | None,
    atol: float | None,
    return_columns: list[str] | None,
) -> Trajectories:
    if method not in (None, "euler"):
        raise ParameterValueError(
            f"engine 'pysd' integrates with method 'euler' only, not {method!r}; "
            "use engine='compiled' for other methods"
        )
    if rtol is not None or atol is not None:
        raise ParameterValueError("engine 'pysd' is fixed-step Euler: rtol and atol do not apply")
    return pysd_run(
        model,
        params,
        initial_time=times.initial_time,
        final_time=times.final_time,
        time_step=times.dt,
        saveper=times.saveper,
        return_columns=return_columns,
    )


#: Engine name to the function that runs a model with it.
ENGINES: dict[str, Callable[..., Trajectories]] = {"pysd": _run_pysd}


def simulate(
    model: Model | str | Path,
    *,
    params: Mapping[str, float | Sequence[float] | np.ndarray] | None = None,
    engine: str = "pysd",
    method: str | None = None,
    dt: float | None = None,
    saveper: float | None = None,
    initial_time: float | None = None,
    final_time: float | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    return_columns: Sequence[str] | None = None,
) -> xr.Dataset:
    """Simulate `model` and return its trajectories as an xarray Dataset.

    The model is never changed: two runs with different `params` are
    independent whatever ran before.

    Parameters
    ----------
    model : Model, str or path
        A loaded model, a bundled model's name or a model file's path.
    params : mapping, optional
        Constant name to value. A value may be a 1-D array; all arrays must
        share one length N, and the N scenarios run in one call.
    engine : str
        A name from :data:`ENGINES`: ``"pysd"`` is PySD's own run, the reference.
    method : str, optional
        The integration method; ``"euler"`` for the PySD engine.
    dt, saveper, initial_time, final_time : float, optional
        Override the model's TIME STEP, SAVEPER, INITIAL TIME and FINAL TIME.
    rtol, atol : float, optional
        Tolerances of adaptive methods.
    return_columns : sequence of str, optional
        Only these variables (default: every variable PySD reports).

    Returns
    -------
    xarray.Dataset
        Dimension ``time`` (and ``scenario`` when `params` holds arrays, with
        each array parameter as a coordinate instead of a data variable); one
        data variable per model element, named by its display name, with
        ``units`` and ``description`` attrs.

    Raises
    ------
    UnknownParameterError, ParameterValueError, SimulationError
        Unknown names, bad values or a failed integration.
    """
    model = model if isinstance(model, Model) else load(model)
    if engine not in ENGINES:
        raise ParameterValueError(
            f"unknown engine {engine!r}; valid engines: {', '.join(sorted(ENGINES))}"
        )
    checked = scenario_params(model, params)
    times = RunTimes(
        model, initial_time=initial_time, final_time=final_time, dt=dt, saveper=saveper
    )
    columns = None if return_columns is None else [model.resolve(c) for c in return_columns]
    result = ENGINES[engine](
        model, checked, times, method=method, rtol=rtol, atol=atol, return_columns=columns
    )
    dataset = to_dataset(model, result, checked)
    dataset.attrs.update(engine=engine, method=method or "euler")
    return dataset


def to_dataset(model: Model, result: Trajectories, params: ScenarioParams) -> xr.Dataset:
    """Wrap an engine's `result` as a Dataset with units and documentation.

    A run without array parameters has no ``scenario`` dimension.
    """
    single = params.n_scenarios is None
    dims = ("time",) if single else ("time", "scenario")
    variables = {}
    for name, values in result.values.items():
        if name in params.varying:
            continue  # a coordinate along scenario, not a time series
        element = model.elements.get(name)
        attrs = (
            {"units": element.units, "description": element.documentation}
            if element
            else {"units": "", "description": "hidden stock of a delay or smoothing function"}
        )
        variables[name] = xr.Variable(dims, values[:, 0] if single else values, attrs)
    coords: dict[str, object] = {"time": ("time", result.times)}
    if not single:
        coords["scenario"] = ("scenario", np.arange(params.n_scenarios))
        for name, values in params.varying.items():
            coords[name] = ("scenario", values)
    dataset = xr.Dataset(variables, coords=coords)
    dataset["time"].attrs["units"] = model.elements["INITIAL TIME"].units
    dataset.attrs.update(model=model.name, model_file=str(model.path))
    for name, value in params.values.items():
        if not isinstance(value, np.ndarray):
            dataset.attrs[f"param: {name}"] = value
    return dataset
