"""max_memory: budgets parsed, runs and sweeps chunked to fit with results equal to one call's
(exactly), results too large refused with their sizes or streamed to a netCDF file."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import flywheel
from flywheel.chunked import scenario_cost, scenarios_per_call
from flywheel.cli import main
from flywheel.errors import (
    NonFiniteWarning,
    OutputFileError,
    ParameterValueError,
    SimulationError,
)
from flywheel.memory import DEFAULT_MAX_MEMORY, as_bytes
from flywheel.outputs import read_provenance
from flywheel.params import RunTimes, scenario_params

MODELS = Path(__file__).parent / "models"
FAULTS = Path(__file__).parent / "faults" / "models"
ROOM = np.linspace(60.0, 80.0, 50)


@pytest.fixture(scope="module")
def teacup():
    return flywheel.load(MODELS / "teacup.mdl")


def _budget_for(model, n: int, n_per_call: int, column: str, saveper: float) -> int:
    """A max_memory that holds `n` scenarios' `column` and `n_per_call` scenarios running."""
    cost = scenario_cost(model, "compiled", RunTimes(model, saveper=saveper), [column])
    return n * cost.kept + n_per_call * cost.running


@pytest.mark.parametrize(("given", "size"), [
    (None, DEFAULT_MAX_MEMORY), (4096, 4096), ("2GB", 2 * 2**30), ("1.5 MiB", 3 * 2**19),
    ("512kB", 2**19), ("10 B", 10)])
def test_budgets_are_bytes_or_sizes_in_units_of_1024(given, size):
    assert as_bytes(given) == size


@pytest.mark.parametrize("given", [0, -1, "lots", "2 PB", float("nan"), True, [1]])
def test_a_budget_that_is_not_a_size_is_refused_naming_it(given):
    with pytest.raises(ParameterValueError, match=r"max_memory must be .*got"):
        as_bytes(given)


@pytest.mark.parametrize("method", ["euler", "rk4", "RK45"])
def test_a_chunked_batch_equals_one_call_exactly(teacup, method):
    # Chunks pay when the engine's working set outweighs what a scenario keeps: one
    # variable at four saved times.
    options = {"method": method, "saveper": 10.0, "return_columns": ["Teacup Temperature"]}
    budget = _budget_for(teacup, len(ROOM), 7, "Teacup Temperature", 10.0)
    params = scenario_params(teacup, {"Room Temperature": ROOM})
    assert scenarios_per_call(teacup, "compiled", params, RunTimes(teacup, saveper=10.0),
                              ["Teacup Temperature"], budget=budget) == 7  # 8 chunks
    whole = flywheel.simulate(teacup, params={"Room Temperature": ROOM}, **options)
    chunked = flywheel.simulate(teacup, params={"Room Temperature": ROOM}, max_memory=budget,
                                **options)
    xr.testing.assert_identical(chunked, whole)  # values, coordinates, attrs (stats summed)


def test_chunks_keep_failed_scenarios_in_place_with_one_warning():
    model = flywheel.load(FAULTS / "stiff.mdl")
    times = {"Adjustment Time": [1.0, 2.0, 0.001, 1.5, 0.001]}
    with pytest.warns(NonFiniteWarning, match=r"^2 of 5 scenarios failed.*scenario 2") as once:
        whole = flywheel.simulate(model, method="euler", params=times, saveper=50.0,
                                  return_columns=["Level"])
    with pytest.warns(NonFiniteWarning, match=r"^2 of 5 scenarios failed.*scenario 2") as again:
        chunked = flywheel.simulate(model, method="euler", params=times, saveper=50.0,
                                    return_columns=["Level"],
                                    max_memory=_budget_for(model, 5, 2, "Level", 50.0))
    assert len(once) == len(again) == 1
    assert chunked["status"].values.tolist() == [0, 0, 1, 0, 1]
    xr.testing.assert_identical(chunked, whole)


def test_a_result_larger_than_max_memory_is_refused_with_its_sizes(teacup):
    with pytest.raises(ParameterValueError, match=(
            r"^50 scenarios keep 753\.1 kB \(1,928 values a scenario, 8 bytes each\), and one "
            r"more running takes .* kB: more than max_memory = 100\.0 kB; keep fewer variables "
            r"\(return_columns=\[\.\.\.\]\), stream the result to disk \(out='run\.nc'\)")):
        flywheel.simulate(teacup, params={"Room Temperature": ROOM}, max_memory="100kB")
    kept = flywheel.simulate(teacup, params={"Room Temperature": ROOM}, max_memory="100kB",
                             return_columns=["Teacup Temperature"])  # 241 x 50 x 8 = 96 kB
    assert list(kept.data_vars) == ["Teacup Temperature"]


def _plain(attrs: dict) -> dict:
    """`attrs` with lists and arrays as lists (a netCDF attribute reads back as an array)."""
    return {k: v if isinstance(v, str) else np.asarray(v).tolist() for k, v in attrs.items()}


@pytest.mark.parametrize("method", ["euler", "RK45"])
def test_a_result_streamed_to_netcdf_equals_the_run_in_memory(teacup, tmp_path, method):
    whole = flywheel.simulate(teacup, params={"Room Temperature": ROOM}, method=method)
    path = tmp_path / "run.nc"
    cost = scenario_cost(teacup, "compiled", RunTimes(teacup), None)
    with flywheel.simulate(teacup, params={"Room Temperature": ROOM}, method=method,
                           max_memory=6 * cost.running, out=path) as disk:  # 9 chunks
        assert disk.sizes == whole.sizes
        for name, variable in whole.variables.items():
            np.testing.assert_array_equal(disk[name].values, variable.values, err_msg=name)
            assert _plain(disk[name].attrs) == _plain(variable.attrs), name
        assert set(disk.coords) == set(whole.coords)
        assert _plain({k: disk.attrs[k] for k in whole.attrs}) == _plain(whole.attrs)
    assert read_provenance(path)["model_sha256"] == teacup.digest
    assert not [p for p in tmp_path.iterdir() if p != path]  # no temporary file left


def test_a_single_run_streams_too(teacup, tmp_path):
    with flywheel.simulate(teacup, out=tmp_path / "one.nc") as disk:
        np.testing.assert_array_equal(disk["Teacup Temperature"].values,
                                      flywheel.simulate(teacup)["Teacup Temperature"].values)
        assert "scenario" not in disk.dims


def test_a_stream_cut_short_leaves_the_file_as_it_was(tmp_path):
    path = tmp_path / "run.nc"
    path.write_bytes(b"before")
    model = flywheel.load(FAULTS / "stiff.mdl")
    with pytest.raises(SimulationError, match="'Level' is"):
        flywheel.simulate(model, method="euler", out=path)  # a single run that fails
    assert path.read_bytes() == b"before"
    assert [p.name for p in tmp_path.iterdir()] == ["run.nc"]


def test_streaming_over_the_model_file_is_refused(teacup):
    with pytest.raises(OutputFileError, match="is the input"):
        flywheel.simulate(teacup, out=teacup.path)


@pytest.fixture(scope="module")
def minimal():
    model = flywheel.load("flywheel_minimal")
    samples = flywheel.sample(flywheel.define_problem(model), 300, method="latin", seed=3)
    return model, samples


OUTCOMES = ["Total Compute Spend@2035/2025", "Total Compute Spend"]


def test_a_sweep_chunked_to_fit_max_memory_equals_the_default(minimal, tmp_path):
    model, samples = minimal
    whole = flywheel.sweep(model, samples, outcomes=OUTCOMES, progress=False)
    small = flywheel.sweep(model, samples, outcomes=OUTCOMES, progress=False,
                           max_memory="400kB", checkpoint=tmp_path)
    assert len(list(tmp_path.glob("chunk-*.npz"))) > 4  # the budget cut it into chunks
    xr.testing.assert_identical(small, whole)


def test_a_sweep_whose_outcomes_do_not_fit_is_refused_before_any_run(minimal):
    model, samples = minimal
    with pytest.raises(ParameterValueError, match=(
            r"^300 scenarios keep .* kB .*more than max_memory = 100\.0 kB; keep fewer outcomes")):
        flywheel.sweep(model, samples, outcomes=OUTCOMES, progress=False, max_memory="100kB")


def test_flywheel_sweep_takes_max_memory(tmp_path, capsys):
    argv = ["sweep", str(MODELS / "sens_jevons.mdl"), "--param",
            "Price Elasticity of Demand=0.5:2.5:5", "--out", str(tmp_path / "s.nc"),
            "--no-progress"]
    with warnings.catch_warnings():
        assert main([*argv, "--max-memory", "1MB"]) == 0
    assert main([*argv, "--max-memory", "lots"]) == 2
    assert "max_memory must be" in capsys.readouterr().err
