"""Runs: non-finite values, time settings, documented ranges, solver failures (issue 11).

Each model lives in ``tests/faults/models/`` and shows one fault:
``ln_time.mdl`` (``LN(10 - Time)``: not finite from time 10), ``stiff.mdl``
(Euler diverges when TIME STEP is much longer than the adjustment time),
``hidden_nan.mdl`` (a NaN level between two saved times, hidden by an IF in
the only variable returned).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

import flywheel
from flywheel.errors import (
    NonFiniteWarning,
    ParameterValueError,
    RangeWarning,
    SimulationError,
    TimeSettingsWarning,
)
from flywheel.integrators import METHODS

MODELS = Path(__file__).parent / "models"
BLOWUP = Path(__file__).parents[1] / "models" / "blowup.mdl"


@pytest.fixture(scope="module")
def ln_time():
    return flywheel.load(MODELS / "ln_time.mdl")


@pytest.fixture(scope="module")
def stiff():
    return flywheel.load(MODELS / "stiff.mdl")


@pytest.mark.parametrize("method", ["euler", "rk4", "RK45", "LSODA", "Radau"])
def test_a_log_of_zero_stops_the_run_naming_variable_time_and_value(ln_time, method):
    with pytest.raises(SimulationError, match=r"'Log Value' is -inf.* at time 10\b"):
        flywheel.simulate(ln_time, method=method)


def test_the_pysd_engine_is_checked_too(ln_time):
    with warnings.catch_warnings(), pytest.raises(SimulationError, match=r"'Log Value' is -inf"):
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy's default: PySD runs on
        flywheel.simulate(ln_time, engine="pysd")


def test_a_stiff_model_under_euler_stops_where_the_level_overflows(stiff):
    with pytest.raises(SimulationError, match=r"'Level' is -?inf at time 32.25\b"):
        flywheel.simulate(stiff, method="euler")
    # Exactly where the closed form of Euler's recursion, (1 - dt / tau) ** n, overflows.
    with np.errstate(over="ignore"):
        n = np.flatnonzero(~np.isfinite((1 - 0.25 / 0.001) ** np.arange(200.0)))[0]
    assert n * 0.25 == 32.25


def test_a_nan_between_saves_is_caught_though_no_saved_value_shows_it():
    for method in ("euler", "rk4"):
        with pytest.raises(SimulationError, match=r"'Rate' is nan.* at time 1.0625"):
            flywheel.simulate(MODELS / "hidden_nan.mdl", method=method, return_columns=["Shown"])


def test_a_batch_marks_failed_scenarios_and_keeps_the_others_unchanged(stiff):
    times = [1.0, 0.001, 2.0]
    with pytest.warns(NonFiniteWarning, match=r"^1 of 3 scenarios failed") as caught:
        batch = flywheel.simulate(stiff, method="euler", params={"Adjustment Time": times})
    assert len(caught) == 1
    assert batch["status"].values.tolist() == [0, 1, 0]
    assert batch["status"].attrs["flag_meanings"] == "ok non-finite solver_failed"
    failed = batch["Level"].sel(scenario=1)
    assert np.isfinite(failed.sel(time=slice(None, 32))).all()
    assert failed.sel(time=slice(32.25, None)).isnull().all()
    alone = flywheel.simulate(stiff, method="euler", params={"Adjustment Time": [1.0, 2.0]})
    np.testing.assert_array_equal(batch["Level"].isel(scenario=[0, 2]).values,
                                  alone["Level"].values)


@pytest.mark.parametrize("method", ["RK45", "LSODA", "BDF", "rk4"])
def test_an_adaptive_batch_runs_again_without_the_failed_scenarios(method):
    model = flywheel.load(MODELS / "break_time.mdl")
    with pytest.warns(NonFiniteWarning, match="scenario 1, 'Level' is nan"):
        batch = flywheel.simulate(model, method=method, params={
            "Break Time": [100.0, 2.0, 100.0], "Growth": [0.1, 0.1, 0.2]})
    assert batch["status"].values.tolist() == [0, 1, 0]
    others = flywheel.simulate(model, method=method, params={
        "Break Time": [100.0, 100.0], "Growth": [0.1, 0.2]})
    np.testing.assert_array_equal(batch["Level"].isel(scenario=[0, 2]).values,
                                  others["Level"].values)
    assert batch["Level"].sel(scenario=1, time=slice(3, None)).isnull().all()


@pytest.mark.parametrize("method", ["euler", "RK45", "LSODA"])
def test_every_method_checks_its_states(method):
    grid = flywheel.integrators.time_grid(0.0, 2.0, 0.25, 0.5)
    rates = lambda t, y: np.log(np.array([[1.0, 1.0 - t]])) + 0 * y  # noqa: E731
    with np.errstate(divide="ignore", invalid="ignore"):
        solution = METHODS[method](rates, np.zeros((1, 2)), grid)
    assert list(solution.failures) == [1]
    assert 1.0 <= solution.failures[1].time <= 1.25  # Euler: the state after the rates at 1
    np.testing.assert_allclose(solution.states[:, 0, 0], 0.0)


@pytest.mark.parametrize("method", ["LSODA", "RK45", "BDF", "euler", "rk4"])
def test_a_model_that_blows_up_in_finite_time_stops(method):
    if method == "euler":  # Euler's x + dt x^2 stays finite over two years: it must not raise
        assert np.isfinite(flywheel.simulate(BLOWUP, method=method)["X"]).all()
        return
    with pytest.raises(SimulationError):
        flywheel.simulate(BLOWUP, method=method)


@pytest.mark.parametrize("method", ["BDF", "RK45"])
def test_solver_exceptions_become_simulation_errors(method):
    def rates(t, y):
        if t > 0.5:
            raise RuntimeError("Factor is exactly singular")  # what BDF's LU raises
        return -y

    grid = flywheel.integrators.time_grid(0.0, 1.0, 0.25, 0.25)
    with pytest.raises(SimulationError, match=f"{method} integration failed at time 0.*singular"):
        METHODS[method](rates, np.ones((1, 1)), grid)


def test_bdf_on_a_log_of_zero_names_the_variable(ln_time):
    with pytest.raises(SimulationError, match="'Log Value' is"):
        flywheel.simulate(ln_time, method="BDF")


TEACUP = Path(__file__).parents[1] / "models" / "teacup.mdl"


def test_a_time_step_longer_than_the_run_is_refused():
    with pytest.raises(ParameterValueError, match=r"TIME STEP \(50\) is longer than the run"):
        flywheel.simulate(TEACUP, method="euler", dt=50)


def test_a_saveper_off_the_time_step_grid_is_rounded_with_a_warning():
    with pytest.warns(TimeSettingsWarning, match=r"SAVEPER 0.3 is not a multiple of TIME STEP"):
        run = flywheel.simulate(TEACUP, method="euler", saveper=0.3)
    np.testing.assert_allclose(np.diff(run["time"].values), 0.25)
    exact = flywheel.simulate(TEACUP, method="euler", saveper=0.25)
    np.testing.assert_array_equal(run["Teacup Temperature"], exact["Teacup Temperature"])


def test_a_saveper_longer_than_the_run_saves_its_start_and_end():
    with pytest.warns(TimeSettingsWarning, match="SAVEPER 100 is longer than the run"):
        run = flywheel.simulate(TEACUP, method="euler", saveper=100)
    assert run["time"].values.tolist() == [0.0, 30.0]


def test_a_value_outside_the_documented_range_warns_naming_it(minimal):
    with pytest.warns(RangeWarning, match=r"Learning Rate = -1 is outside its documented "
                                          r"range \[0, 0.35\]"):
        flywheel.simulate(minimal, params={"Learning Rate": -1.0}, method="euler")


def test_strict_refuses_a_value_outside_the_range(minimal):
    with pytest.raises(ParameterValueError, match=r"Learning Rate = 5 is outside .*strict"):
        flywheel.simulate(minimal, params={"Learning Rate": 5.0}, strict=True)


def test_a_batch_names_how_many_values_leave_the_range(minimal):
    with pytest.warns(RangeWarning, match=r"2 of 3 values of Learning Rate \(the first: 0.5\)"):
        flywheel.simulate(minimal, params={"Learning Rate": [0.5, 0.2, 0.4]}, method="euler")


def test_values_inside_the_range_run_without_a_word(minimal):
    flywheel.simulate(minimal, params={"Learning Rate": [0.0, 0.35]}, method="euler")


def test_loop_dominance_refuses_a_run_that_is_not_finite(stiff):
    with pytest.raises(SimulationError, match=r"loop analysis run of 'stiff' failed: 'Level' is"):
        flywheel.loop_dominance(stiff)
