"""Outcome specs: parsing, checking against a model and its run, and exact values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import flywheel
from flywheel.errors import ParameterValueError, UnknownParameterError
from flywheel.experiments import Outcome, parse_outcome
from flywheel.experiments.outcomes import resolve_outcomes, saved_times
from flywheel.params import RunTimes

MODELS = Path(__file__).parent / "models"


@pytest.fixture(scope="module")
def linear():
    return flywheel.load(MODELS / "sens_linear.mdl")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Capex", Outcome("series", "Capex")),
        ("Capex@2030", Outcome("at", "Capex", times=(2030.0,))),
        (" Total Compute Spend @ 2035 / 2025 ",
         Outcome("ratio", "Total Compute Spend", times=(2035.0, 2025.0))),
        ("max:Utilization", Outcome("max", "Utilization")),
        ("min:Utilization", Outcome("min", "Utilization")),
        ("peak_time:Capex", Outcome("peak_time", "Capex")),
        ("growth_vs_decline:S, c@2035/2025",
         Outcome("growth_vs_decline", "S", "c", (2035.0, 2025.0))),
    ],
    ids=["series", "at", "ratio", "max", "min", "peak-time", "growth"],
)
def test_parse_every_form(text, expected):
    parsed = parse_outcome(text)
    assert parsed == expected
    assert parse_outcome(parsed.text) == parsed  # the canonical text parses back


@pytest.mark.parametrize(
    "text, message",
    [
        ("max:Capex@2030", "takes the whole run"),
        ("Capex@2030/2025/2020", "one time"),
        ("Capex@soon", "time 'soon' must be a finite number"),
        ("@2030", "variable name is missing"),
        ("growth_vs_decline:Spend@2035/2025", "two variables and two times"),
    ],
    ids=["reducer-time", "three-times", "bad-time", "no-name", "growth-one-name"],
)
def test_malformed_specs_are_errors(text, message):
    with pytest.raises(ParameterValueError, match=message):
        parse_outcome(text)


def test_unknown_variables_name_the_closest(linear):
    times = RunTimes(linear)
    message = "no element 'Linear Outptu'; closest: 'Linear Output'"
    with pytest.raises(UnknownParameterError, match=message):
        resolve_outcomes(linear, ["Linear Outptu@2"], times)


@pytest.mark.parametrize("spec", ["Linear Output@5", "Linear Output@4/-1"])
def test_times_outside_the_run_name_the_time_and_the_span(linear, spec):
    message = r"time (5|-1) is outside the run, which saves from 0 to 4"
    with pytest.raises(ParameterValueError, match=message):
        resolve_outcomes(linear, [spec], RunTimes(linear))


def test_the_span_follows_the_run_options(linear):
    assert saved_times(RunTimes(linear, final_time=3.5, saveper=1)) == (0.0, 3.0)
    resolve_outcomes(linear, ["Linear Output@2"], RunTimes(linear, final_time=2))
    with pytest.raises(ParameterValueError, match="saves from 0 to 2"):
        resolve_outcomes(linear, ["Linear Output@3"], RunTimes(linear, final_time=2))


def test_names_resolve_and_duplicates_drop(linear):
    found = resolve_outcomes(linear, ["linear_output@2", "Linear Output@2", "max:growing output"],
                             RunTimes(linear))
    assert [o.text for o in found] == ["Linear Output@2", "max:Growing Output"]
    assert found[0].units(linear) == "Dmnl"


def test_values_against_closed_forms(linear):
    # sens_linear: Accumulated Output = 1 + t L (Euler is exact for a constant flow),
    # Growing Output = A t + B. Tolerance: rounding (1e-12).
    a, b = np.array([1.0, -1.0, 0.5]), np.array([0.0, 0.5, -0.5])
    run = flywheel.simulate(linear, params={"Input A": a, "Input B": b}, method="euler")
    times = run["time"].values
    series = {name: run[name].values for name in ("Accumulated Output", "Growing Output",
                                                  "Linear Output")}
    slope = 4 * a + 2 * b

    def value(spec):
        return parse_outcome(spec).evaluate(times, series)

    np.testing.assert_allclose(value("Accumulated Output@2.5"), 1 + 2.5 * slope, rtol=1e-12)
    np.testing.assert_allclose(value("Accumulated Output@4/2"), (1 + 4 * slope) / (1 + 2 * slope),
                               rtol=1e-12)
    np.testing.assert_allclose(value("max:Growing Output"), np.maximum(b, 4 * a + b), rtol=1e-12)
    np.testing.assert_allclose(value("min:Growing Output"), np.minimum(b, 4 * a + b), rtol=1e-12)
    np.testing.assert_array_equal(value("peak_time:Growing Output"), np.where(a > 0, 4.0, 0.0))
    assert value("Growing Output").shape == (5, 3)


def test_growth_against_decline_is_elasticity_minus_one():
    # sens_jevons: spend is a power of unit cost, S ~ c^(1 - e), so
    # ln(S1/S0) / ln(c0/c1) = e - 1 exactly (tolerance: rounding, 1e-9).
    model = flywheel.load(MODELS / "sens_jevons.mdl")
    elasticity = np.array([0.5, 1.0, 2.5])
    run = flywheel.simulate(model, params={"Price Elasticity of Demand": elasticity})
    spec = parse_outcome("growth_vs_decline:Total Compute Spend,Unit Inference Cost@2035/2025")
    series = {n: run[n].values for n in spec.variables}
    np.testing.assert_allclose(spec.evaluate(run["time"].values, series), elasticity - 1,
                               atol=1e-9)
    assert "log growth of Total Compute Spend per log decline" in spec.description()
