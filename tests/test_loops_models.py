"""The bundled models' loops: docs/model.md's table in the research model, the minimal model's list."""

from __future__ import annotations

import numpy as np
import pytest

import flywheel

#: docs/model.md, "Loops": id -> (name, polarity, variables on the path).
RESEARCH_LOOPS = {
    "R1": ("Learning flywheel", "reinforcing",
           ["Tokens Demanded", "Desired Installed Compute", "Compute Orders",
            "Compute Shipments", "Cumulative Compute Shipped", "Hardware Cost per Compute",
            "Unit Inference Cost", "Inference Price"]),
    "R2": ("Capability", "reinforcing",
           ["AI Revenue", "Training Compute Spend", "Cumulative Training Compute",
            "Model Capability", "Tokens Served"]),
    "R3": ("Word of mouth", "reinforcing", ["Adopters", "Adoption Rate"]),
    "R4": ("Fixed-cost spreading", "reinforcing",
           ["Tokens Demanded", "Utilization", "Unit Inference Cost", "Inference Price"]),
    "B1": ("Scarcity pricing", "balancing",
           ["Tokens Demanded", "Utilization", "Inference Price"]),
    "B2": ("Market saturation", "balancing", ["Adopters", "Potential Adopters", "Adoption Rate"]),
    "B3": ("Capacity acquisition", "balancing",
           ["Installed Compute", "Capacity Gap", "Compute Orders"]),
    "B4": ("Supply line", "balancing",
           ["Compute Under Construction", "Supply Line Gap", "Compute Orders"]),
    "B5": ("Retirement", "balancing", ["Installed Compute", "Compute Retirements"]),
    "R5": ("Algorithmic progress", "reinforcing",
           ["Training Compute Spend", "Algorithmic Efficiency", "Compute per Token",
            "Inference Price", "Tokens Served", "AI Revenue"]),
    "R7": ("Return on capacity", "reinforcing",
           ["Expected Return on Capacity", "Investment Appetite", "Compute Orders",
            "Installed Compute", "Tokens Served", "AI Revenue"]),
    "R8": ("Financing", "reinforcing",
           ["AI Revenue", "Affordable Capex", "Compute Orders", "Installed Compute",
            "Tokens Served"]),
    "B6": ("Hardware scarcity", "balancing",
           ["Compute Under Construction", "Hardware Scarcity Markup", "Compute Orders"]),
}


@pytest.fixture(scope="module")
def research_loops(research):
    return flywheel.feedback_loops(research)


@pytest.mark.parametrize("loop_id", sorted(RESEARCH_LOOPS))
def test_research_model_has_every_named_loop(research_loops, loop_id):
    name, polarity, path = RESEARCH_LOOPS[loop_id]
    loop = research_loops[loop_id]
    assert (loop.name, loop.polarity) == (name, polarity)
    assert set(path) <= set(loop.variables)


def test_research_model_loops_are_enumerated_not_searched(research_loops):
    assert research_loops.method == "exhaustive"
    assert len(research_loops) > 100
    named = [loop for loop in research_loops if loop.name]
    assert [loop.id for loop in named][:4] == ["R1", "R2", "R3", "R4"]
    assert len({loop.id for loop in research_loops}) == len(research_loops)


def test_the_named_loops_stand_on_their_equations(research):
    """With the signs the equations say (no run), the structural loops read right."""
    with pytest.warns(flywheel.errors.LoopNameWarning):  # the others need measured signs
        symbolic = flywheel.feedback_loops(research, numeric=False)
    # B3 and B4 pass through the financing switch and the investment appetite, whose
    # signs need values (1 - switch, a power of MIN(1, return)): only B5 stands alone.
    assert symbolic["B5"].polarity == RESEARCH_LOOPS["B5"][1]
    assert {symbolic[loop_id].polarity for loop_id in ("B3", "B4")} <= {"balancing",
                                                                         "undetermined"}


def test_the_feedback_strengths_switch_their_loops_off(research, research_loops):
    assert research_loops["R1"].strength == "Learning Rate"
    both = flywheel.knockout(research, loop="R1", final_time=2030)
    cost = both["Hardware Cost per Compute"].sel(run="knockout")
    np.testing.assert_allclose(cost, cost.isel(time=0))  # no learning: constant hardware cost
    assert not np.allclose(both["Hardware Cost per Compute"].sel(run="base"), cost)


def test_research_model_dominance_is_well_formed(research):
    dominance = flywheel.loop_dominance(research)
    relative = dominance["relative_loop_score"].isel(time=slice(1, None))
    assert float(np.abs(relative).max()) <= 1 + 1e-12
    for part in np.unique(dominance["partition"]):
        total = np.abs(relative.where(dominance["partition"] == part, 0)).sum("loop")
        assert np.all((np.abs(total - 1) < 1e-9) | (total == 0))
    periods = flywheel.dominant_periods(dominance)
    # Scores start at the first saved time after the start: the first needs a change.
    first = research.control["INITIAL TIME"] + research.control["SAVEPER"]
    assert len(periods) and periods["start"].min() == first


#: The minimal model's list: the research model's ids for the same loops.
MINIMAL_LOOPS = {
    "R1": ("Learning flywheel", "reinforcing"),
    "B2": ("Market saturation", "balancing"),
    "B3": ("Capacity acquisition", "balancing"),
    "B5": ("Retirement", "balancing"),
}


def test_minimal_model_yields_its_named_list(minimal):
    loops = flywheel.feedback_loops(minimal)
    named = {loop.id: (loop.name, loop.polarity) for loop in loops if loop.name}
    assert named == MINIMAL_LOOPS
    assert list(named) == ["R1", "B2", "B3", "B5"]
    # the other variant of the flywheel (through the capacity gap) is found, unnamed
    assert [loop.polarity for loop in loops if not loop.name] == ["reinforcing"]
    assert loops["R1"].variables[0] == "Cumulative Compute Shipped"


def test_one_loop_vocabulary_across_the_bundled_models(research_loops, minimal):
    """The same id is the same loop (same name and polarity) in both models."""
    minimal_loops = flywheel.feedback_loops(minimal)
    for loop in minimal_loops:
        if loop.name:
            twin = research_loops[loop.id]
            assert (twin.name, twin.polarity) == (loop.name, loop.polarity)
