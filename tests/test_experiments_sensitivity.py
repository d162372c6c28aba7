"""Sobol and Morris indices against closed forms, over time, and bad input.

Tolerance of the Sobol checks: the estimate lies within its own 95 % bootstrap
confidence interval of the closed-form value (the issue's criterion), and the
intervals are narrow enough to mean something (half-width < 0.1).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import flywheel
from flywheel.errors import ParameterValueError
from flywheel.experiments import define_problem, sample, sensitivity, sweep

MODELS = Path(__file__).parent / "models"


def g_function_indices(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Closed-form S1 and ST of Sobol's G-function (Saltelli et al. 2008, 3.6)."""
    partial = 1 / (3 * (1 + a) ** 2)
    total = np.prod(1 + partial) - 1
    s_total = [partial[i] * np.prod(np.delete(1 + partial, i)) for i in range(a.size)]
    return partial / total, np.array(s_total) / total


@pytest.fixture(scope="module")
def linear():
    return flywheel.load(MODELS / "sens_linear.mdl")


@pytest.fixture(scope="module")
def linear_sobol(linear):
    samples = sample(define_problem(linear, ["Input A", "Input B", "Input C"]), 1024,
                     method="sobol", seed=1)
    outcomes = ["Interaction Output@1", "Linear Output@1", "Growing Output",
                "Accumulated Output"]
    return sweep(linear, samples, outcomes=outcomes, progress=False)


def _within_interval(found, key: str, exact) -> None:
    estimate, conf = found.data[key].values, found.data[f"{key}_conf"].values
    assert np.all(conf < 0.1), conf
    assert np.all(np.abs(estimate - exact) <= conf), (key, estimate, exact, conf)


def test_sobol_indices_of_the_g_function_match_the_closed_form():
    model = flywheel.load(MODELS / "sens_gfunction.mdl")
    samples = sample(define_problem(model, ["X1", "X2", "X3", "X4"]), 1024, method="sobol",
                     seed=1)
    found = sensitivity(sweep(model, samples, outcomes=["G@1"], progress=False))
    first, total = g_function_indices(np.array([0.0, 1.0, 4.5, 9.0]))
    _within_interval(found, "S1", first)
    _within_interval(found, "ST", total)
    assert found.method == "sobol" and found.outcome == "G@1"


def test_sobol_total_and_second_order_indices_of_an_interaction(linear_sobol):
    # A + B + 2 A C on [-1, 1]^3: V(A) = V(B) = 1/3, V(AC) = 4/9, V = 10/9.
    found = sensitivity(linear_sobol, "Interaction Output@1")
    _within_interval(found, "S1", [0.3, 0.3, 0.0])
    _within_interval(found, "ST", [0.7, 0.3, 0.4])
    s2 = found.data["S2"].sel(input="Input A", input_2="Input C")
    conf = found.data["S2_conf"].sel(input="Input A", input_2="Input C")
    assert abs(float(s2) - 0.4) <= float(conf)


def test_sobol_indices_over_time(linear_sobol):
    # A t + B: S1(A) = t^2 / (1 + t^2), S1(B) = 1 / (1 + t^2), S1(C) = 0.
    found = sensitivity(linear_sobol, "Growing Output")
    assert found.data["S1"].dims == ("time", "input")
    t = found.data["time"].values
    exact = np.column_stack([t**2 / (1 + t**2), 1 / (1 + t**2), 0 * t])
    estimate, conf = found.data["S1"].values, found.data["S1_conf"].values
    assert np.all(np.abs(estimate - exact) <= conf + 1e-12)
    frame = found.to_df()
    assert frame.index.names == ["time", "input"] and len(frame) == 5 * 3


def test_an_outcome_that_does_not_vary_at_a_time_has_nan_indices_there(linear_sobol):
    found = sensitivity(linear_sobol, "Accumulated Output")  # 1 in every run at t = 0
    assert np.all(np.isnan(found.data["ST"].sel(time=0.0)))
    assert np.all(np.isfinite(found.data["ST"].sel(time=4.0)))


def test_morris_ranks_the_inputs_of_a_linear_model(linear):
    # 4 A + 2 B + C over [-1, 1]: every elementary effect is the coefficient times
    # the range width, so mu* = 8, 4, 2 exactly and sigma = 0 (tolerance 1e-9).
    samples = sample(define_problem(linear, ["Input C", "Input A", "Input B"]), 20,
                     method="morris", seed=2)
    found = sensitivity(sweep(linear, samples, outcomes=["Linear Output@1"], progress=False))
    frame = found.to_df()
    assert list(frame.sort_values("mu_star", ascending=False).index) == [
        "Input A", "Input B", "Input C"]
    np.testing.assert_allclose(frame.loc[["Input A", "Input B", "Input C"], "mu_star"],
                               [8, 4, 2], atol=1e-9)
    np.testing.assert_allclose(frame["sigma"], 0, atol=1e-9)


def test_morris_sees_the_interaction(linear):
    samples = sample(define_problem(linear, ["Input A", "Input B", "Input C"]), 20,
                     method="morris", seed=2)
    found = sensitivity(sweep(linear, samples, outcomes=["Interaction Output@1"],
                              progress=False))
    sigma = found.data["sigma"].to_series()
    assert sigma["Input B"] < 1e-9 < sigma["Input A"] and sigma["Input C"] > 0.1


def test_the_same_sweep_gives_the_same_intervals(linear_sobol):
    first = sensitivity(linear_sobol, "Linear Output@1").to_df()
    assert first.equals(sensitivity(linear_sobol, "Linear Output@1").to_df())


def test_bad_input(linear, linear_sobol):
    with pytest.raises(ParameterValueError, match="name the outcome to analyse"):
        sensitivity(linear_sobol)
    with pytest.raises(ParameterValueError, match="no outcome 'Linear Output@2'"):
        sensitivity(linear_sobol, "Linear Output@2")
    with pytest.raises(ParameterValueError, match=r"need samples from .*method='morris'"):
        sensitivity(linear_sobol, "Linear Output@1", method="morris")
    with pytest.raises(ParameterValueError, match="unknown sensitivity method 'fast'"):
        sensitivity(linear_sobol, "Linear Output@1", method="fast")
    with pytest.raises(ParameterValueError, match="conf_level"):
        sensitivity(linear_sobol, "Linear Output@1", conf_level=95)
    grid = sweep(linear, sample(define_problem(linear, ["Input A"]), 3, method="grid"),
                 outcomes=["Linear Output@1"], progress=False)
    with pytest.raises(ParameterValueError, match="this sweep's samples are 'grid'"):
        sensitivity(grid, method="sobol")


def test_an_outcome_that_is_not_finite_is_an_error(linear):
    # Accumulated Output is 1 at t = 0 and 1 + 4 L at t = 4: negative where L < -1/4,
    # so the log of its ratio is NaN in those runs.
    samples = sample(define_problem(linear, ["Input A", "Input B", "Input C"]), 8,
                     method="sobol", seed=1)
    result = sweep(linear, samples, outcomes=[
        "growth_vs_decline:Accumulated Output,Accumulated Output@4/0"], progress=False)
    with pytest.raises(ParameterValueError, match="not finite in .* runs"):
        sensitivity(result)
