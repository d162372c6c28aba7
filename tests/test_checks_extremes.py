"""Extreme conditions: the battery read off the model, and what counts as a failure."""

from __future__ import annotations

import pytest

import flywheel
from flywheel.checks.extremes import (
    NEAR_ZERO,
    ExtremeCase,
    extreme_battery,
    extreme_conditions,
    physical_stocks,
)

from conftest import TEST_MODELS


@pytest.fixture(scope="module")
def negative():
    return flywheel.load(TEST_MODELS / "extremes_negative.mdl")


def test_a_stock_whose_range_allows_negative_values_is_not_physical(negative):
    assert physical_stocks(negative) == ["Inventory"]


def test_battery_of_a_model_without_the_vocabulary_sets_every_constant(negative):
    names = [case.name for case in extreme_battery(negative)]
    assert names == ["Production Rate = 0", "Production Rate = 4", "Shipment Rate = 0",
                     "Shipment Rate = 6", "Initial Inventory = 0", "Initial Inventory = 50"]


def test_negative_physical_stocks_fail_and_the_others_pass(negative):
    outcomes = {o.case.name: o for o in extreme_conditions(negative)}
    # Inventory = 10 + (production - shipments) * 10 years: -10 and -30 at the end.
    assert outcomes["Production Rate = 0"].problems == ("Inventory negative: -10 at 10",)
    assert outcomes["Shipment Rate = 6"].problems == ("Inventory negative: -30 at 10",)
    passed = {name for name, o in outcomes.items() if o.passed}
    assert passed == {"Production Rate = 4", "Shipment Rate = 0", "Initial Inventory = 0",
                      "Initial Inventory = 50"}


def test_non_finite_stocks_fail():
    outcomes = extreme_conditions(flywheel.load(TEST_MODELS / "teacup.mdl"))
    assert [(o.case.name, o.passed) for o in outcomes] == [
        ("Characteristic Time = 0", False), ("Room Temperature = 0", True)]
    assert "not finite" in outcomes[0].problems[0]


def test_given_cases_run_instead_of_the_battery(negative):
    case = ExtremeCase("both", {"Production Rate": 0.0, "Initial Inventory": 0.0}, "test")
    [outcome] = extreme_conditions(negative, [case])
    assert outcome.problems == ("Inventory negative: -20 at 10",)


def test_research_battery_is_derived_from_the_model(research):
    cases = {case.name: case for case in extreme_battery(research)}
    strengths = flywheel.vocabulary.feedback_strengths(research)
    for name in strengths:
        assert f"{name} = 0" in cases
    # Zero initial capacity: a constant used only as a stock's initial value.
    assert cases["Initial Installed Compute = 0"].reason == "zero initial value of a stock"
    # A learning-curve reference is a parameter of an equation, not only an initial value.
    assert not any(n.startswith("Initial Cumulative Compute Shipped") for n in cases)
    # Near-zero prices: money per something, named Price or Cost.
    price = cases[f"Initial Hardware Cost per Compute = "
                  f"{research.constants['Initial Hardware Cost per Compute'] * NEAR_ZERO:g}"]
    assert price.reason == "price or cost near zero"


@pytest.mark.parametrize("name", flywheel.available_models())
def test_bundled_models_survive_every_extreme_case(name):
    failed = [o for o in extreme_conditions(flywheel.load(name)) if not o.passed]
    assert not failed, "\n".join(f"{o.case.name}: {o.problems}" for o in failed)
