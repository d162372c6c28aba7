"""Integration methods against closed forms, and bad input (docs/architecture.md).

Tolerances: Euler on the first-order model is exact up to rounding (1e-12).
RK4 at the models' TIME STEP has a global error of order dt^4 (dt = 1/16 to
1/32 here: below 1e-6 relative). Adaptive methods run at rtol = atol = 1e-9
and are held to 1e-6, a margin of 1000 for the accumulation of local errors
over the run.
"""

from __future__ import annotations

import numpy as np
import pytest

import flywheel
from flywheel.errors import ParameterValueError, SimulationError, UnknownParameterError
from flywheel.integrators import METHODS, time_grid

from conftest import TEST_MODELS

ADAPTIVE = ["RK45", "RK23", "DOP853", "LSODA", "Radau", "BDF"]
HIGHER_ORDER = ["rk4", *ADAPTIVE]
TIGHT = {"rtol": 1e-9, "atol": 1e-9}


def compiled(name: str) -> flywheel.Model:
    return flywheel.load(TEST_MODELS / f"{name}.mdl")


def run(model: str | flywheel.Model, params=None, **options):
    """The compiled engine's run of a test model, through flywheel.simulate."""
    model = model if isinstance(model, flywheel.Model) else compiled(model)
    return flywheel.simulate(model, params=params, engine="compiled", **options)


def series(run, name: str) -> np.ndarray:
    """`name` as a (time, scenario) array, also for a run without scenarios."""
    values = run[name].values
    return values if values.ndim == 2 else values[:, None]


def test_registry_has_every_method():
    assert list(METHODS) == ["euler", "rk4", *ADAPTIVE]


def test_time_grid_follows_pysd():
    grid = time_grid(0.0, 1.0, 0.125, 0.3)
    assert grid.steps.size == 9
    assert grid.save_times.tolist() == [0.0]  # 0.3 is never on the 0.125 grid
    assert time_grid(0.0, 1.0, 0.1, 0.2).save_times.tolist() == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]


def test_teacup_euler_is_exact():
    """T_R + (T0 - T_R)(1 - dt/tau)^n, for three room temperatures at once."""
    room = np.array([20.0, 70.0, 100.0])
    result = run("teacup", {"Room Temperature": room}, method="euler")
    n = np.round(result["time"].values / 0.125)
    expected = room + (180.0 - room) * (1 - 0.125 / 10.0) ** n[:, None]
    np.testing.assert_allclose(series(result, "Teacup Temperature"), expected, rtol=1e-12)


@pytest.mark.parametrize("method", HIGHER_ORDER)
def test_logistic_closed_form(method):
    rate = np.array([0.3, 0.5, 0.8])
    result = run("logistic", {"Growth Rate": rate}, method=method, **TIGHT)
    t = result["time"].values[:, None]
    expected = 1000.0 / (1 + (1000.0 - 10.0) / 10.0 * np.exp(-rate * t))
    np.testing.assert_allclose(series(result, "Population"), expected, rtol=1e-6)


@pytest.mark.parametrize("method", HIGHER_ORDER)
def test_bass_closed_form(method):
    result = run("bass", method=method, **TIGHT)
    p, q, t = 0.03, 0.38, result["time"].values
    expected = (1 - np.exp(-(p + q) * t)) / (1 + q / p * np.exp(-(p + q) * t))
    np.testing.assert_allclose(series(result, "Adopters")[:, 0], expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("method", HIGHER_ORDER)
def test_oscillator_keeps_its_amplitude(method):
    omega = np.array([0.5, 1.0, 2.0])
    result = run("oscillator", {"Angular Frequency": omega}, method=method, **TIGHT)
    x, v = series(result, "Position"), series(result, "Velocity")
    # 1e-5: about three periods at omega = 2, where RK4's (omega dt)^4 error and
    # BDF's variable order make a few 1e-6
    np.testing.assert_allclose(x, np.cos(np.outer(result["time"].values, omega)), atol=1e-5)
    np.testing.assert_allclose(x**2 + (v / omega) ** 2, 1.0, atol=1e-5)


def test_oscillator_euler_amplitude_grows_as_predicted():
    """Euler multiplies the amplitude by sqrt(1 + w^2 dt^2) each step."""
    result = run("oscillator", method="euler")
    x, v, n = series(result, "Position")[:, 0], series(result, "Velocity")[:, 0], \
        np.round(result["time"].values / 0.03125)
    np.testing.assert_allclose(np.hypot(x, v), (1 + 0.03125**2) ** (n / 2), rtol=1e-12)


@pytest.mark.parametrize("method", HIGHER_ORDER)
def test_lotka_volterra_invariant(method):
    result = run("lotka_volterra", method=method, **TIGHT)
    x, y = series(result, "Prey")[:, 0], series(result, "Predators")[:, 0]
    alpha, beta, delta, gamma = 1.1, 0.4, 0.1, 0.4
    h = delta * x - gamma * np.log(x) + beta * y - alpha * np.log(y)
    np.testing.assert_allclose(h, h[0], rtol=1e-6)


@pytest.mark.parametrize("method", ADAPTIVE)
def test_adaptive_converges_to_small_dt_limit(method):
    """Tight adaptive runs agree with RK4 at dt = 1/256 (error ~1e-10) on smooth delays."""
    cm = compiled("lotka_volterra")
    reference = run(cm, method="rk4", dt=1 / 256, saveper=0.5)
    result = run(cm, method=method, saveper=0.5, **TIGHT)
    np.testing.assert_allclose(series(result, "Prey"), series(reference, "Prey"), rtol=1e-6)


@pytest.mark.parametrize("method", ["euler", "rk4", "RK45", "BDF"])
def test_batch_equals_separate_runs(method):
    """Fixed steps: identical. Adaptive: the batch shares one step sequence (error
    norm over all scenarios), so agreement is to the tolerance, not to rounding."""
    cm = compiled("delays")
    times = np.array([4.0, 6.0, 9.0])
    batch = run(cm, {"Delay Time": times}, method=method, **TIGHT)
    for k, value in enumerate(times):
        single = run(cm, {"Delay Time": value}, method=method, **TIGHT)
        np.testing.assert_allclose(
            series(batch, "Backlog")[:, k], series(single, "Backlog")[:, 0],
            rtol=1e-6 if method in ADAPTIVE else 1e-12)


@pytest.mark.parametrize("method", ["Radau", "BDF"])
def test_implicit_cost_does_not_grow_with_scenarios(method):
    """Block-diagonal jac_sparsity: a Jacobian costs n_stocks calls whatever N is."""
    cm = compiled("lotka_volterra")
    one = run(cm, {"Alpha": [1.1]}, method=method)
    many = run(cm, {"Alpha": np.full(200, 1.1)}, method=method)
    assert many.attrs["stats: nfev"] <= 1.5 * one.attrs["stats: nfev"]


def test_failed_integration_reports_message_and_time():
    failed = r"RK45 integration failed at time (0\.99\d*|1): Required step size"
    with pytest.raises(SimulationError, match=failed):
        run("blowup", method="RK45")


@pytest.mark.parametrize(
    ("params", "options", "error", "match"),
    [
        ({"Room Temperature": [1.0, 2.0], "Characteristic Time": [1.0, 2.0, 3.0]}, {},
         ParameterValueError, "one common length"),
        ({"Room Temperature": float("nan")}, {}, ParameterValueError, "finite"),
        ({"Room Temperature": [1.0, np.inf]}, {}, ParameterValueError, "finite"),
        ({"Room Temperatur": 3.0}, {}, UnknownParameterError, "closest: 'Room Temperature'"),
        ({"Heat Loss to Room": 3.0}, {}, UnknownParameterError, "no constant"),
        ({}, {"dt": 0.0}, ParameterValueError, "time step.* must be positive"),
        ({}, {"dt": -1.0}, ParameterValueError, "time step.* must be positive"),
        ({}, {"final_time": -5.0}, ParameterValueError, "must be after initial_time"),
        ({}, {"method": "heun"}, ParameterValueError, "euler, rk4, RK45, RK23, DOP853"),
        ({}, {"rtol": float("nan")}, ParameterValueError, "rtol must be a finite number"),
        ({}, {"return_columns": ["Teacup Temp"]}, UnknownParameterError, "closest"),
    ],
    ids=["unequal-lengths", "nan", "inf", "unknown-name", "not-a-constant", "zero-dt",
         "negative-dt", "final-before-initial", "unknown-method", "nan-rtol", "unknown-column"],
)
def test_bad_input_is_refused_clearly(params, options, error, match):
    with pytest.raises(error, match=match):
        run("teacup", params, **options)


def test_saveper_follows_a_changed_dt():
    result = run("teacup", method="euler", dt=0.5, final_time=2.0)
    assert result["time"].values.tolist() == [0.0, 0.5, 1.0, 1.5, 2.0]  # SAVEPER = TIME STEP
