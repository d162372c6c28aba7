"""PySD's own run of a model: the reference every compiled result is checked against.

PySD translates a model file into a Python module. flywheel never writes
beside the user's file: :func:`flywheel.translation.translated_module` makes
the translation once, in a private cache folder, and checks it before each use.
Each run loads a fresh PySD model from that module, because PySD's ``run()``
keeps the parameters it was given: reusing one would leak one run's parameters
into the next.
"""

from __future__ import annotations

import numpy as np

from flywheel.compiler.naming import control_name
from flywheel.errors import ModelFileError, SimulationError
from flywheel.params import RunTimes, ScenarioParams
from flywheel.results import Trajectories

__all__ = ["control_values", "pysd_run"]


def pysd_run(
    model, params: ScenarioParams, times: RunTimes, *, return_columns: list[str] | None
) -> Trajectories:
    """Run `model` with PySD (Euler), once per scenario, each from a fresh load.

    The parameters and times are the checked ones of :mod:`flywheel.params`.
    """
    import pysd

    from flywheel.translation import translated_module

    module = str(translated_module(model))
    # PySD names control variables as the file spells them (FINAL_TIME); flywheel as usual
    spelled = {control_name(el.name): el.name for el in model.abstract.sections[0].elements
               if control_name(el.name)}
    if return_columns is not None:
        return_columns = [spelled.get(name, name) for name in return_columns]
    n = params.n_scenarios or 1
    frames = []
    for index in range(n):
        try:
            fresh = pysd.load(module)
        except Exception as error:  # PySD raises many kinds (a bad data cell, ...)
            detail = " ".join(str(error).split()) or type(error).__name__
            raise ModelFileError(f"{model.path}: PySD cannot load this model: {detail}") from error
        try:
            frame = fresh.run(
                params=params.scenario(index),
                return_columns=return_columns,
                initial_condition=(times.initial_time, {}),
                final_time=times.final_time,
                time_step=times.dt,
                saveper=times.saveper,
            )
        except Exception as error:  # PySD raises many kinds; keep its message
            raise SimulationError(f"PySD's run of {model.name!r} failed: {error}") from error
        frames.append(frame)
    values = {
        control_name(str(column)) or str(column): np.column_stack([f[column].to_numpy(dtype=float) for f in frames])
        for column in frames[0].columns
    }
    return Trajectories(frames[0].index.to_numpy(dtype=float), values)


def control_values(model) -> dict[str, float]:
    """INITIAL TIME, FINAL TIME, TIME STEP and SAVEPER of `model` as PySD evaluates them.

    PySD computes each from its equation at the initial time with the
    model's defaults: how a control variable given by an expression of
    constants (or of Time) gets its value.

    Raises
    ------
    ModelFileError
        PySD cannot load the model or evaluate its control variables.
    """
    import pysd

    from flywheel.translation import translated_module

    module = str(translated_module(model))
    try:
        clock = pysd.load(module).time
        return {"INITIAL TIME": float(clock.initial_time()), "FINAL TIME": float(clock.final_time()),
                "TIME STEP": float(clock.time_step()), "SAVEPER": float(clock.saveper())}
    except Exception as error:  # PySD raises many kinds; name the model
        detail = " ".join(str(error).split()) or type(error).__name__
        raise ModelFileError(f"{model.path}: PySD cannot evaluate the simulation control "
                             f"variables: {detail}") from error
