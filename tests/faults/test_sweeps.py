"""Sweeps: failed runs masked, checkpoints, resuming, Ctrl-C, a killed worker (issue 11)."""

from __future__ import annotations

import functools
import importlib
import os
import signal
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import flywheel
from flywheel.cli import main
from flywheel.errors import NonFiniteWarning, ParameterValueError, SimulationError, SweepInterrupted
from flywheel.experiments import sweep
from flywheel.experiments.executors import map_chunks

MODELS = Path(__file__).parent / "models"
TIMES = {"Adjustment Time": np.array([1.0, 2.0, 0.001, 3.0, 4.0, 5.0, 6.0])}
OUTCOMES = ["Level@10", "Level"]


@pytest.fixture(scope="module")
def stiff():
    return flywheel.load(MODELS / "stiff.mdl")


def _sweep(model, samples=TIMES, **options):
    return sweep(model, samples, outcomes=OUTCOMES, chunk_size=2, progress=False, **options)


@pytest.fixture(scope="module")
def whole(stiff):
    with pytest.warns(NonFiniteWarning):
        return _sweep(stiff)


def test_a_failed_run_is_masked_and_the_sweep_goes_on(stiff, whole):
    assert whole["status"].values.tolist() == [0, 0, 1, 0, 0, 0, 0]
    assert whole["Level@10"].isnull().values.tolist() == [False, False, True] + [False] * 4
    assert whole["Level"].sel(scenario=2).isnull().all()
    good = {"Adjustment Time": np.delete(TIMES["Adjustment Time"], 2)}
    alone = _sweep(stiff, good)
    np.testing.assert_array_equal(whole["Level@10"].values[[0, 1, 3, 4, 5, 6]],
                                  alone["Level@10"].values)


def test_the_sweep_warns_once_with_the_count(stiff):
    with pytest.warns(NonFiniteWarning, match=r"^1 of 7 runs failed") as caught:
        _sweep(stiff)
    assert len(caught) == 1


def test_a_solver_failure_in_a_chunk_is_narrowed_to_its_run(stiff, monkeypatch):
    module = importlib.import_module("flywheel.experiments.sweep")

    real = module.simulate

    def failing(model, params, **options):  # a solver failure no value explains
        if 3.0 in np.atleast_1d(params["Adjustment Time"]):
            raise SimulationError("BDF integration failed at time 1: Factor is exactly singular")
        return real(model, params=params, **options)

    monkeypatch.setattr(module, "simulate", failing)
    with pytest.warns(NonFiniteWarning, match=r"2 of 7 runs failed.*1 with a solver failure"):
        result = sweep(stiff, TIMES, outcomes=OUTCOMES, chunk_size=4, progress=False)
    assert result["status"].values.tolist() == [0, 0, 1, 2, 0, 0, 0]
    monkeypatch.undo()
    alone = _sweep(stiff, {"Adjustment Time": np.array([1.0, 2.0, 4.0, 5.0, 6.0])})
    np.testing.assert_array_equal(result["Level@10"].values[[0, 1, 4, 5, 6]],
                                  alone["Level@10"].values)
    assert result["Level@10"].isnull().values[[2, 3]].all()


def _interrupt_on_call(n: int, real):
    calls = []

    def simulate(*args, **kwargs):
        calls.append(1)
        if len(calls) == n:
            raise KeyboardInterrupt
        return real(*args, **kwargs)
    return simulate, calls


def test_a_checkpoint_resumes_where_the_sweep_stopped(stiff, whole, tmp_path, monkeypatch):
    module = importlib.import_module("flywheel.experiments.sweep")

    real = module.simulate
    interrupting, _ = _interrupt_on_call(3, real)
    monkeypatch.setattr(module, "simulate", interrupting)
    folder = tmp_path / "ckpt"
    with pytest.raises(SweepInterrupted, match=r"after 2 of 4 chunks.*--resume"):
        _sweep(stiff, checkpoint=folder)
    assert sorted(p.name for p in folder.iterdir()) == [
        "chunk-000000.npz", "chunk-000001.npz", "manifest.json"]
    counting, calls = _interrupt_on_call(0, real)
    monkeypatch.setattr(module, "simulate", counting)
    with pytest.raises(ParameterValueError, match="holds a sweep checkpoint"):
        _sweep(stiff, checkpoint=folder)
    with pytest.warns(NonFiniteWarning):
        resumed = _sweep(stiff, checkpoint=folder, resume=True)
    assert len(calls) == 2  # only the two chunks missing ran
    xr.testing.assert_identical(resumed, whole)


def test_ctrl_c_without_a_checkpoint_keeps_the_chunks_and_says_where(stiff, whole, monkeypatch):
    module = importlib.import_module("flywheel.experiments.sweep")

    interrupting, _ = _interrupt_on_call(4, module.simulate)
    monkeypatch.setattr(module, "simulate", interrupting)
    with pytest.raises(SweepInterrupted) as caught:
        _sweep(stiff)
    folder = str(caught.value).split("kept in '")[1].split("'")[0]
    monkeypatch.undo()
    with pytest.warns(NonFiniteWarning):
        resumed = _sweep(stiff, checkpoint=folder, resume=True)
    xr.testing.assert_identical(resumed, whole)


def test_a_checkpoint_of_another_sweep_is_refused(stiff, tmp_path):
    folder = tmp_path / "ckpt"
    good = {"Adjustment Time": np.array([1.0, 2.0, 3.0])}
    _sweep(stiff, good, checkpoint=folder)
    with pytest.raises(ParameterValueError, match=r"another sweep \(outcomes differs\)"):
        sweep(stiff, good, outcomes=["Level@5"], chunk_size=2, progress=False,
              checkpoint=folder, resume=True)
    with pytest.raises(ParameterValueError, match=r"\(model_sha256, names, options, samples_sha256 differ\)"):
        sweep(MODELS / "break_time.mdl", {"Growth": np.array([0.1, 0.2, 0.3])},
              outcomes=OUTCOMES, chunk_size=2, progress=False, checkpoint=folder, resume=True)


def _die_once(marker: str, chunk: int) -> int:
    """Kill this worker process the first time chunk 1 runs (a marker file says it did)."""
    if chunk == 1 and not os.path.exists(marker):
        open(marker, "w").close()
        os.kill(os.getpid(), signal.SIGKILL)
    return chunk * 10


def _always_die(chunk: int) -> int:
    os.kill(os.getpid(), signal.SIGKILL)
    return chunk


def test_a_killed_local_worker_loses_no_chunk(tmp_path):
    task = functools.partial(_die_once, str(tmp_path / "died"))
    assert map_chunks(task, [0, 1, 2, 3], workers=2, progress=False) == [0, 10, 20, 30]
    assert (tmp_path / "died").exists()


def test_a_chunk_whose_worker_dies_twice_stops_the_sweep():
    with pytest.raises(SimulationError, match="died twice"):
        map_chunks(_always_die, [0, 1], workers=2, progress=False)


def test_the_cli_resumes_a_sweep(tmp_path, capsys):
    model = str(MODELS / "stiff.mdl")
    args = ["sweep", model, "--param", "Adjustment Time=1:2:3", "--outcome", "Level@10",
            "-o", str(tmp_path / "s.nc"), "--checkpoint", str(tmp_path / "ck"), "--no-progress"]
    assert main(args) == 0
    assert main(args) == 2  # the folder holds a checkpoint: --resume or another folder
    assert "pass resume=True (--resume)" in capsys.readouterr().err
    assert main(args + ["--resume"]) == 0
    assert main(["sweep", model, "--param", "Adjustment Time", "--resume"]) == 2
