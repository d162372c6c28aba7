"""Loop knockout (flywheel.loops.knockout): link cuts, strength constants, bad names."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import flywheel
from flywheel.errors import ParameterValueError, UnknownParameterError
from flywheel.errors import UnknownLinkError, UnknownLoopError
from flywheel.loops.knockout import cut_link

TEST_MODELS = Path(__file__).parent / "models"
LOGISTIC = TEST_MODELS / "ltm_logistic.mdl"
SUPPLY = TEST_MODELS / "ltm_supply.mdl"


def test_a_cut_link_sees_its_source_frozen_at_the_initial_value():
    both = flywheel.knockout(LOGISTIC, link=("Population", "Fractional Growth Rate"),
                             method="euler")
    assert list(both["run"].values) == ["base", "knockout"]
    assert both.attrs["knockout_kind"] == "link"
    assert "Fractional Growth Rate sees Population frozen" in both.attrs["knockout"]
    # frozen crowding: exponential growth at r (1 - P0 / K), exactly under Euler
    rate = 0.5 * (1 - 10 / 1000)
    steps = np.arange(both.sizes["time"])
    np.testing.assert_allclose(both["Population"].sel(run="knockout"),
                               10 * (1 + 0.125 * rate) ** steps, rtol=1e-12)
    base = flywheel.simulate(LOGISTIC, method="euler")
    np.testing.assert_allclose(both["Population"].sel(run="base"), base["Population"])


def test_a_loop_with_a_strength_constant_has_it_set_to_zero():
    both = flywheel.knockout(LOGISTIC, loop="R1", method="euler", final_time=10)
    assert both.attrs["knockout"] == "loop R1 Births off: Maximum Growth Rate = 0"
    assert both.attrs["knockout_kind"] == "strength"
    np.testing.assert_allclose(both["Population"].sel(run="knockout"), 10.0)


def test_a_loop_without_strength_has_its_own_link_cut():
    by_name = flywheel.knockout(LOGISTIC, loop="crowding", method="euler")
    by_link = flywheel.knockout(LOGISTIC, link=("Population", "Fractional Growth Rate"),
                                method="euler")
    assert "link Population -> Fractional Growth Rate cut" in by_name.attrs["knockout"]
    np.testing.assert_allclose(by_name["Population"], by_link["Population"])


def test_params_apply_to_both_runs():
    both = flywheel.knockout(LOGISTIC, loop="R1", params={"Maximum Growth Rate": 0.3,
                                                          "Carrying Capacity": 500},
                             method="euler")
    base = flywheel.simulate(LOGISTIC, params={"Maximum Growth Rate": 0.3,
                                               "Carrying Capacity": 500}, method="euler")
    np.testing.assert_allclose(both["Population"].sel(run="base"), base["Population"])
    np.testing.assert_allclose(both["Population"].sel(run="knockout"), 10.0)


def test_cutting_into_and_out_of_a_smooth():
    into = flywheel.knockout(SUPPLY, link=("Demand", "SMOOTH(Expected Demand)"))
    out = flywheel.knockout(SUPPLY, link=("SMOOTH(Expected Demand)", "Expected Demand"))
    for both in (into, out):
        np.testing.assert_allclose(both["Expected Demand"].sel(run="knockout"), 100.0)
        assert float(both["Expected Demand"].sel(run="base").max()) > 115


def test_cut_link_leaves_the_model_alone():
    model = flywheel.load(SUPPLY)
    before = repr(model.abstract)
    cut = cut_link(model, ("Production", "Inventory"))
    assert repr(model.abstract) == before
    assert "initialstructure" in repr(cut.abstract).lower()
    run = flywheel.simulate(cut, method="euler", saveper=0.25)
    # Inventory's inflow stays at its initial 100 units/week
    inventory = run["Inventory"].values
    shipments = run["Shipments"].values
    np.testing.assert_allclose(np.diff(inventory), 0.25 * (100 - shipments[:-1]), rtol=1e-9)


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"link": ("Prodction", "Inventory")}, UnknownParameterError,
     r"no variable 'Prodction'; closest: 'Production'"),
    ({"link": ("Demand", "Inventory")}, UnknownLinkError,
     r"no link 'Demand' -> 'Inventory'; 'Inventory' reads 'Production', 'Shipments'"),
    ({"loop": "R9"}, UnknownLoopError, r"no loop 'R9' \(it has: 'L"),
    ({}, ParameterValueError, "exactly one of"),
    ({"link": ("Demand", "Inventory"), "loop": "R1"}, ParameterValueError, "exactly one of"),
    ({"link": "Demand"}, ParameterValueError, r"\(source, target\) pair"),
    ({"link": ("Demand", "TREND(Demand Trend)")}, ParameterValueError, "cannot be cut alone"),
    ({"link": ("DELAY3(Production) stage 1", "DELAY3(Production) stage 2")},
     ParameterValueError, "cannot be cut alone"),
], ids=["unknown-name", "no-link", "unknown-loop", "neither", "both", "not-a-pair",
        "trend-input", "inside-delay"])
def test_bad_input_says_what_exists(kwargs, error, message):
    with pytest.raises(error, match=message):
        flywheel.knockout(SUPPLY, **kwargs)
