"""simulate(): the Dataset it returns, independence of runs, and bad input."""

from __future__ import annotations

import numpy as np
import pytest

import flywheel
from flywheel.errors import ParameterValueError, UnknownParameterError
from flywheel.simulate import ENGINES as ENGINE_REGISTRY

ENGINES = sorted(ENGINE_REGISTRY)


def closed_form_teacup(t, room=70.0, tau=10.0, dt=0.125):
    """Euler's exact solution of the teacup: T_R + (T0 - T_R)(1 - dt/tau)^n."""
    return room + (180.0 - room) * (1 - dt / tau) ** np.round(t / dt)


def test_dataset_has_time_units_and_documentation(teacup):
    run = flywheel.simulate(teacup, engine="pysd")
    assert run["time"].values[0] == 0 and run["time"].values[-1] == 30
    assert np.allclose(np.diff(run["time"]), 0.125)
    temp = run["Teacup Temperature"]
    assert temp.dims == ("time",)
    assert temp.attrs["units"] == "Degrees"
    assert run["Heat Loss to Room"].attrs["description"] == "Heat flow from the teacup to the room."
    # PySD's Euler run is the closed form to rounding (tolerance: 1e-12 relative).
    np.testing.assert_allclose(temp, closed_form_teacup(run["time"].values), rtol=1e-12)


@pytest.mark.parametrize("engine", ENGINES)
def test_runs_do_not_leak_parameters_into_each_other(teacup, engine):
    before = flywheel.simulate(teacup, engine=engine)
    changed = flywheel.simulate(teacup, engine=engine, params={"Room Temperature": 20})
    after = flywheel.simulate(teacup, engine=engine)
    assert not np.allclose(changed["Teacup Temperature"], before["Teacup Temperature"])
    np.testing.assert_array_equal(after["Teacup Temperature"], before["Teacup Temperature"])
    assert float(after["Room Temperature"][0]) == 70.0
    assert teacup.constants["Room Temperature"] == 70.0


def test_array_params_run_as_scenarios_with_coordinates(teacup):
    rooms = np.array([20.0, 50.0, 70.0])
    run = flywheel.simulate(teacup, engine="pysd", params={"Room Temperature": rooms})
    assert run["Teacup Temperature"].dims == ("time", "scenario")
    np.testing.assert_array_equal(run["Room Temperature"], rooms)
    for i, room in enumerate(rooms):
        expected = closed_form_teacup(run["time"].values, room=room)
        np.testing.assert_allclose(run["Teacup Temperature"][:, i], expected, rtol=1e-12)


def test_time_options_and_return_columns(teacup):
    run = flywheel.simulate(
        teacup, engine="pysd", final_time=10, saveper=1, dt=0.25,
        return_columns=["Teacup Temperature"],
    )
    assert list(run.data_vars) == ["Teacup Temperature"]
    np.testing.assert_array_equal(run["time"], np.arange(0, 11.0))
    expected = closed_form_teacup(run["time"].values, dt=0.25)
    np.testing.assert_allclose(run["Teacup Temperature"], expected, rtol=1e-12)


def test_model_given_by_name_or_path(teacup):
    by_path = flywheel.simulate(teacup.path, engine="pysd", final_time=1)
    assert by_path.attrs["model"] == "teacup"


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"Room Temprature": 1}, UnknownParameterError, "closest: 'Room Temperature'"),
        ({"Heat Loss to Room": 1}, UnknownParameterError, "no constant 'Heat Loss to Room'"),
        ({"Room Temperature": float("nan")}, ParameterValueError, "'Room Temperature'.*finite"),
        ({"Room Temperature": float("inf")}, ParameterValueError, "'Room Temperature'.*finite"),
        ({"Room Temperature": "warm"}, ParameterValueError, "'Room Temperature'.*finite"),
        ({"Room Temperature": [1.0, np.nan]}, ParameterValueError, "element 1 is nan"),
        ({"Room Temperature": [[1.0]]}, ParameterValueError, "1-D"),
        (
            {"Room Temperature": [1.0, 2.0], "Characteristic Time": [1.0, 2.0, 3.0]},
            ParameterValueError,
            "one common length",
        ),
    ],
    ids=["misspelt", "not-a-constant", "nan", "inf", "text", "nan-in-array", "2-d", "unequal"],
)
def test_bad_params_name_the_parameter(teacup, params, error, match):
    with pytest.raises(error, match=match):
        flywheel.simulate(teacup, engine="pysd", params=params)


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"dt": 0}, "dt .* must be positive"),
        ({"dt": -0.1}, "dt .* must be positive"),
        ({"saveper": 0}, "saveper must be positive"),
        ({"final_time": -1}, r"final_time \(-1.0\) must be after initial_time \(0.0\)"),
        ({"final_time": float("nan")}, "final_time must be a finite number"),
        ({"engine": "vensim"}, "unknown engine 'vensim'; valid engines: "),
        ({"engine": "pysd", "method": "RK45"}, "engine 'pysd' integrates with method 'euler' only"),
    ],
    ids=["zero-dt", "negative-dt", "zero-saveper", "final-before-initial", "nan-time",
         "unknown-engine", "pysd-not-euler"],
)
def test_bad_options_are_named(teacup, options, match):
    options = {"engine": "pysd", **options}
    with pytest.raises(ParameterValueError, match=match):
        flywheel.simulate(teacup, **options)


def test_unknown_return_column(teacup):
    with pytest.raises(UnknownParameterError, match="no element 'Tea Temperature'"):
        flywheel.simulate(teacup, engine="pysd", return_columns=["Tea Temperature"])
