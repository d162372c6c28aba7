"""sweep(): the Dataset it returns, chunking, agreement with simulate, bad input."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import flywheel
from flywheel.errors import ParameterValueError, UnknownParameterError
from flywheel.experiments import define_problem, sample, sweep
from flywheel.experiments.sweep import GRID_POINTS

MODELS = Path(__file__).parent / "models"
SPEND = "Total Compute Spend@2035/2025"


@pytest.fixture(scope="module")
def jevons():
    return flywheel.load(MODELS / "sens_jevons.mdl")


@pytest.fixture(scope="module")
def grid(jevons):
    return sample(define_problem(jevons, ["Price Elasticity of Demand", "Learning Rate"]),
                  (5, 3), method="grid")


def test_dataset_layout_units_and_attrs(jevons, grid):
    result = sweep(jevons, grid, outcomes=[SPEND, "Unit Inference Cost"], progress=False)
    assert dict(result.sizes) == {"scenario": 15, "time": 21}
    assert result[SPEND].dims == ("scenario",)
    assert result["Unit Inference Cost"].dims == ("time", "scenario")
    assert result["Unit Inference Cost"].attrs["units"] == "USD/million tokens"
    assert result[SPEND].attrs == {
        "units": "Dmnl",
        "description": "Total Compute Spend at 2035 over its value at 2025",
    }
    np.testing.assert_array_equal(result["Price Elasticity of Demand"], grid.values[:, 0])
    assert result.attrs["sampling"] == "grid" and result.attrs["n"] == [5, 3]
    assert result.attrs["simulation_engine"] == "compiled"
    assert result.attrs["engine_note"] == "auto: compiled (the model compiles)"
    assert json.loads(result.attrs["problem"])["names"] == ["Price Elasticity of Demand",
                                                           "Learning Rate"]
    assert json.loads(result.attrs["outcomes"]) == [SPEND, "Unit Inference Cost"]


def test_each_run_equals_its_own_simulation(jevons, grid):
    result = sweep(jevons, grid, outcomes=["Total Compute Spend"], progress=False)
    assert result.attrs["method"] == "euler"  # the model's own, whatever simulate's default
    for index in (0, 7, 14):
        params = {n: float(result[n][index]) for n in ("Price Elasticity of Demand",
                                                       "Learning Rate")}
        alone = flywheel.simulate(jevons, params=params, method="euler")
        # Tolerance: rounding only (1e-12): the same equations, batched or alone.
        np.testing.assert_allclose(result["Total Compute Spend"][:, index],
                                   alone["Total Compute Spend"], rtol=1e-12)


def test_results_do_not_depend_on_the_chunk_size(jevons, grid):
    whole = sweep(jevons, grid, outcomes=[SPEND], progress=False)
    chunked = sweep(jevons, grid, outcomes=[SPEND], chunk_size=4, progress=False)
    xr.testing.assert_identical(whole, chunked)


def test_another_method_can_be_asked_for(jevons, grid):
    rk4 = sweep(jevons, grid, outcomes=["Total Compute Spend"], method="rk4", dt=0.125,
                progress=False)
    assert rk4.attrs["method"] == "rk4"
    params = {n: rk4[n].values for n in ("Price Elasticity of Demand", "Learning Rate")}
    alone = flywheel.simulate(jevons, params=params, method="rk4", dt=0.125)
    np.testing.assert_allclose(rk4["Total Compute Spend"], alone["Total Compute Spend"],
                               rtol=1e-12)


def test_a_problem_is_swept_on_a_full_grid(jevons):
    problem = define_problem(jevons, ["Learning Rate"])
    result = sweep(jevons, problem, outcomes=[SPEND], progress=False)
    np.testing.assert_allclose(result["Learning Rate"], np.linspace(0.1, 0.35, GRID_POINTS))


def test_a_mapping_of_arrays_is_one_run_per_position(jevons):
    result = sweep(jevons, {"price_elasticity_of_demand": [0.5, 1.0, 2.0]}, outcomes=[SPEND],
                   progress=False)
    assert result.attrs["sampling"] == "given"
    assert result["Price Elasticity of Demand"].values.tolist() == [0.5, 1.0, 2.0]
    assert float(result[SPEND][1]) == pytest.approx(1.0, abs=1e-12)  # elasticity 1: flat


def test_fixed_params_apply_to_every_run(jevons):
    base = sweep(jevons, {"Learning Rate": [0.2]}, outcomes=["Unit Inference Cost@2020"],
                 progress=False)
    fixed = sweep(jevons, {"Learning Rate": [0.2]}, outcomes=["Unit Inference Cost@2020"],
                  params={"Initial Unit Cost": 20}, progress=False)
    spec = "Unit Inference Cost@2020"
    assert float(fixed[spec][0]) == 2 * float(base[spec][0])
    assert fixed.attrs["param: Initial Unit Cost"] == 20.0


def test_default_outcomes_are_the_key_output_series(jevons):
    result = sweep(jevons, {"Learning Rate": [0.2, 0.3]}, progress=False)
    assert list(result.data_vars) == ["Unit Inference Cost", "Tokens Served",
                                      "Total Compute Spend"]


def test_progress_bar_only_when_asked(jevons, grid, capsys):
    sweep(jevons, grid, outcomes=[SPEND], chunk_size=5, progress=False)
    assert capsys.readouterr().err == ""
    sweep(jevons, grid, outcomes=[SPEND], chunk_size=5, progress=True)
    assert "15/15" in capsys.readouterr().err


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"outcomes": ["Total Spend@2035"]}, UnknownParameterError, "no element 'Total Spend'"),
        ({"outcomes": ["Total Compute Spend@2050"]}, ParameterValueError,
         "time 2050 is outside the run, which saves from 2020 to 2040"),
        ({"outcomes": ["Learning Rate@2030"]}, ParameterValueError, "is sampled"),
        ({"params": {"Learning Rate": 0.2}}, ParameterValueError, "belong in the samples"),
        ({"params": {"Initial Unit Cost": [1, 2]}}, ParameterValueError, "as numbers"),
        ({"chunk_size": 0}, ParameterValueError, "chunk_size must be a positive integer"),
        ({"workers": 0}, ParameterValueError, "workers must be a positive integer"),
        ({"engine": 42}, ParameterValueError, "engine must be 'local', a distributed.Client"),
        ({"final_time": 2030}, ParameterValueError, "time 2035 is outside the run"),
    ],
    ids=["unknown-variable", "late-time", "input-as-outcome", "fixed-sampled", "fixed-array",
         "chunk", "workers", "engine", "final-time"],
)
def test_bad_input_is_an_error_before_any_run(jevons, grid, kwargs, error, message):
    options = {"outcomes": [SPEND], "progress": False, **kwargs}
    with pytest.raises(error, match=message):
        sweep(jevons, grid, **options)


def test_samples_of_something_else_are_an_error(jevons):
    with pytest.raises(ParameterValueError, match="sweep takes Samples"):
        sweep(jevons, [[0.5, 0.2]], outcomes=[SPEND])
    with pytest.raises(ParameterValueError, match="1-D array per name"):
        sweep(jevons, {"Learning Rate": 0.2}, outcomes=[SPEND])
    with pytest.raises(UnknownParameterError, match="no constant 'Lerning Rate'"):
        sweep(jevons, {"Lerning Rate": [0.2]}, outcomes=[SPEND])


def test_memory_grows_with_the_outcomes_kept_not_the_simulations(jevons):
    # 81 saved times x 4 variables of each chunk's simulation are reduced to one
    # number a run at once: beyond one chunk, a sweep holds its inputs (2 x 8 bytes a
    # run, twice: samples and chunks) and outcome (8 bytes). Tolerance: 64 bytes a run.
    problem = define_problem(jevons, ["Price Elasticity of Demand", "Learning Rate"])
    sweep(jevons, {"Learning Rate": [0.2]}, outcomes=[SPEND], progress=False)  # warm up
    peaks = {}
    for n in (1024, 32768):
        samples = sample(problem, n, method="latin", seed=1)
        tracemalloc.start()
        try:
            sweep(jevons, samples, outcomes=[SPEND], chunk_size=1024, progress=False)
            peaks[n] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peaks[32768] - peaks[1024] < 64 * (32768 - 1024), peaks
