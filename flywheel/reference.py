"""PySD's own run of a model: the reference every compiled result is checked against.

PySD translates a model file into a Python module written beside the file.
flywheel never writes beside the user's file: it copies the model into a cache
folder keyed by the file's content hash and translates it there, once. Each
run loads a fresh PySD model from that module, because PySD's ``run()`` keeps
the parameters it was given: reusing one would leak one run's parameters into
the next.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from flywheel.errors import SimulationError
from flywheel.params import ScenarioParams

__all__ = ["Trajectories", "pysd_run", "translated_module"]


@dataclass(frozen=True)
class Trajectories:
    """What an engine returns: saved times and one array per variable.

    Attributes
    ----------
    times : numpy.ndarray
        The saved times, shape (n_times,).
    values : dict of str to numpy.ndarray
        Display name to values of shape (n_times, n_scenarios).
    """

    times: np.ndarray
    values: dict[str, np.ndarray]


def _cache_root() -> Path:
    base = os.environ.get("FLYWHEEL_CACHE") or os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base else Path.home() / ".cache"
    return root / "flywheel" / "pysd"


def translated_module(model) -> Path:
    """The PySD translation of `model`, made once and kept in the user's cache.

    The cache folder is ``$FLYWHEEL_CACHE`` (or ``$XDG_CACHE_HOME/flywheel``,
    or ``~/.cache/flywheel``), with one sub-folder per model content hash; a
    read-only home falls back to the system's temporary folder.
    """
    import pysd

    for root in (_cache_root(), Path(tempfile.gettempdir()) / "flywheel-pysd"):
        folder = root / f"{model.digest[:20]}-pysd{pysd.__version__}"
        module = folder / f"{model.path.stem}.py"
        if module.is_file():
            return module
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        copy = folder / model.path.name
        shutil.copyfile(model.path, copy)
        reader = pysd.read_vensim if model.path.suffix.lower() == ".mdl" else pysd.read_xmile
        with contextlib.redirect_stdout(io.StringIO()):
            reader(str(copy))
        return module
    raise OSError(f"no writable cache folder for PySD's translation of {model.path}")


def pysd_run(
    model,
    params: ScenarioParams,
    *,
    initial_time: float,
    final_time: float,
    time_step: float,
    saveper: float,
    return_columns: list[str] | None,
) -> Trajectories:
    """Run `model` with PySD (Euler), once per scenario, each from a fresh load.

    Parameters are the checked ones of :func:`flywheel.params.scenario_params`;
    the times are already resolved against the model's control values.
    """
    import pysd

    module = str(translated_module(model))
    n = params.n_scenarios or 1
    frames = []
    for index in range(n):
        fresh = pysd.load(module)
        try:
            frame = fresh.run(
                params=params.scenario(index),
                return_columns=return_columns,
                initial_condition=(initial_time, {}),
                final_time=final_time,
                time_step=time_step,
                saveper=saveper,
            )
        except Exception as error:  # PySD raises many kinds; keep its message
            raise SimulationError(f"PySD's run of {model.name!r} failed: {error}") from error
        frames.append(frame)
    times = frames[0].index.to_numpy(dtype=float)
    values = {
        str(column): np.column_stack([f[column].to_numpy(dtype=float) for f in frames])
        for column in frames[0].columns
    }
    return Trajectories(times, values)
