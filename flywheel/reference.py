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
from pathlib import Path

import numpy as np

from flywheel.errors import SimulationError
from flywheel.params import RunTimes, ScenarioParams
from flywheel.results import Trajectories

__all__ = ["pysd_run", "translated_module"]


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
    model, params: ScenarioParams, times: RunTimes, *, return_columns: list[str] | None
) -> Trajectories:
    """Run `model` with PySD (Euler), once per scenario, each from a fresh load.

    The parameters and times are the checked ones of :mod:`flywheel.params`.
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
                initial_condition=(times.initial_time, {}),
                final_time=times.final_time,
                time_step=times.dt,
                saveper=times.saveper,
            )
        except Exception as error:  # PySD raises many kinds; keep its message
            raise SimulationError(f"PySD's run of {model.name!r} failed: {error}") from error
        frames.append(frame)
    values = {
        str(column): np.column_stack([f[column].to_numpy(dtype=float) for f in frames])
        for column in frames[0].columns
    }
    return Trajectories(frames[0].index.to_numpy(dtype=float), values)
