"""Loops That Matter (flywheel.loops.dominance): worked numbers, identities, timing.

Tolerances: the logistic and Bass identities hold exactly in the discrete
definitions, so they are checked to 1e-12; the Bass dominance switch is
compared with the closed form's peak time to 0.05 years (Euler at dt = 1/64
lags the closed form by about 0.01 year, and a score belongs to a dt step).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import flywheel
from flywheel.errors import ParameterValueError, UnknownParameterError
from flywheel.loops.dominance import flow_link_scores, link_score

TEST_MODELS = Path(__file__).parent / "models"
LOGISTIC = TEST_MODELS / "ltm_logistic.mdl"
BASS = TEST_MODELS / "ltm_bass.mdl"
SUPPLY = TEST_MODELS / "ltm_supply.mdl"


@pytest.fixture(scope="module")
def logistic():
    model = flywheel.load(LOGISTIC)
    return model, flywheel.loop_dominance(model), flywheel.simulate(model, method="euler")


# ---------------------------------------------------------------- worked numbers (2020, Tables 1-2)
def test_worked_numbers_sum():
    scores = link_score(lambda x, y: 2 * x + y, before={"x": 5, "y": 4}, after={"x": 7, "y": 5})
    assert scores == pytest.approx({"x": 0.8, "y": 0.2}, abs=1e-12)


def test_worked_numbers_quotient():
    scores = link_score(lambda w, x, y: (w + x) / y,
                        before={"w": 7, "x": 2, "y": 3}, after={"w": 10, "x": 4, "y": 5})
    assert scores == pytest.approx({"w": 5.0, "x": 10 / 3, "y": -6.0}, abs=1e-12)


def test_worked_numbers_flows_corrected_form():
    scores = flow_link_scores({"inflow": (5, 10)}, {"outflow": (4, 5)}, stock=(100, 101, 106))
    assert scores == pytest.approx({"inflow": 1.25, "outflow": -0.25}, abs=1e-12)


def test_no_change_scores_zero():
    assert link_score(lambda x, y: x * y, {"x": 2, "y": 3}, {"x": 2, "y": 3}) == {
        "x": 0.0, "y": 0.0}
    assert link_score(lambda x, y: x + y, {"x": 2, "y": 3}, {"x": 2, "y": 5})["x"] == 0.0


def test_flow_links_along_a_run_are_the_corrected_form():
    """Production and Shipments into Inventory, from the run's own values."""
    dominance = flywheel.loop_dominance(SUPPLY, saveper=0.25)  # every TIME STEP
    run = flywheel.simulate(SUPPLY, method="euler", saveper=0.25)
    production, shipments = run["Production"].values, run["Shipments"].values
    inventory = run["Inventory"].values
    for k in (4, 25, 117):  # a score at t_k: flows at t_k-1 and t_k, stock at t_k-1..t_k+1
        expected = flow_link_scores({"p": (production[k - 1], production[k])},
                                    {"s": (shipments[k - 1], shipments[k])},
                                    stock=tuple(inventory[k - 1:k + 2]), dt=0.25)
        got = dominance["link_score"].isel(time=k)
        assert float(got.sel(link="Production -> Inventory")) == pytest.approx(
            expected["p"], rel=1e-6)
        assert float(got.sel(link="Shipments -> Inventory")) == pytest.approx(
            expected["s"], rel=1e-6)


# ---------------------------------------------------------------- logistic identity and timing
def test_logistic_identity_at_every_step(logistic):
    """Relative scores are 1 - P/K (births) and -P/K (crowding), P at the step's start."""
    _, dominance, run = logistic
    population = run["Population"].values
    births = dominance["relative_loop_score"].sel(loop="R1").values
    crowding = dominance["relative_loop_score"].sel(loop="B1").values
    np.testing.assert_allclose(births[1:], 1 - population[:-1] / 1000, rtol=0, atol=1e-12)
    np.testing.assert_allclose(crowding[1:], -population[:-1] / 1000, rtol=0, atol=1e-12)


def test_timing_convention_first_and_last_times(logistic):
    model, dominance, run = logistic
    times = dominance["time"].values
    assert times[0] == 0 and times[-1] == 30 and np.allclose(np.diff(times), 0.125)
    assert np.isnan(dominance["link_score"].isel(time=0)).all()
    assert np.isnan(dominance["relative_loop_score"].isel(time=0)).all()
    last = dominance["relative_loop_score"].isel(time=-1).sel(loop="R1")
    assert float(last) == pytest.approx(1 - run["Population"].values[-2] / 1000, abs=1e-12)
    assert "t - dt to t" in dominance.attrs["timing"]


def test_scores_and_relative_scores(logistic):
    _, dominance, _ = logistic
    relative = dominance["relative_loop_score"].isel(time=slice(1, None))
    assert float(np.abs(relative).max()) <= 1
    np.testing.assert_allclose(np.abs(relative).sum("loop"), 1.0, atol=1e-12)
    assert dominance["link_score"].sel(link="Net Growth -> Population").isel(
        time=slice(1, None)).values == pytest.approx(1.0)  # one flow into a stock scores 1
    loop = dominance["loop_score"].sel(loop="B1")
    product = dominance["link_score"].sel(link=[
        "Population -> Fractional Growth Rate", "Fractional Growth Rate -> Net Growth",
        "Net Growth -> Population"]).prod("link", skipna=False)
    np.testing.assert_allclose(loop, product, rtol=1e-12)


def test_dataset_layout(logistic):
    _, dominance, _ = logistic
    assert set(dominance.data_vars) == {"link_score", "loop_score", "relative_loop_score"}
    assert dominance["loop_score"].dims == ("time", "loop")
    assert list(dominance["loop"].values) == ["R1", "B1"]
    assert list(dominance["loop_name"].values) == ["Births", "Crowding"]
    assert list(dominance["loop_polarity"].values) == ["reinforcing", "balancing"]
    assert dominance["link_source"].sel(link="Population -> Net Growth") == "Population"
    assert dominance.attrs["method"] == "euler" and dominance.attrs["dt"] == 0.125


def test_dominant_periods_of_the_logistic(logistic):
    _, dominance, run = logistic
    periods = flywheel.dominant_periods(dominance)
    assert periods["loop"].tolist() == ["R1", "B1"]
    assert periods["polarity"].tolist() == ["reinforcing", "balancing"]
    births_end = periods.loc[0, "end"]
    population = run["Population"].to_series()
    # births dominate while the population at the step's start is below K / 2
    assert population[births_end - 0.125] < 500 <= population[births_end]
    assert periods.loc[0, "start"] == 0.125 and periods.loc[1, "end"] == 30
    strong = flywheel.dominant_periods(dominance, threshold=0.9)
    assert (np.abs(strong["mean_relative_score"]) > 0.9).all()


# ---------------------------------------------------------------- Bass diffusion
def test_bass_scores_match_the_closed_form():
    p, q, market = 0.03, 0.38, 1e6
    dominance = flywheel.loop_dominance(BASS)
    times = dominance["time"].values
    fraction = flywheel.simulate(BASS, method="euler")["Adopters"].values / market
    closed = (1 - np.exp(-(p + q) * times)) / (1 + q / p * np.exp(-(p + q) * times))
    assert np.max(np.abs(fraction - closed)) < 2e-3  # Euler at dt = 1/64 follows the curve
    word_of_mouth = dominance["relative_loop_score"].sel(loop="R1").values
    np.testing.assert_allclose(word_of_mouth[1:], q * (1 - fraction[:-1]) / (p + q),
                               rtol=0, atol=1e-12)
    periods = flywheel.dominant_periods(dominance)
    assert periods["loop"].tolist() == ["R1", "B1"]
    peak = np.log(q / p) / (p + q)  # the closed form's peak adoption: dominance shifts there
    assert abs(periods.loc[1, "start"] - peak) < 0.05


# ---------------------------------------------------------------- scenarios, methods, errors
def test_scenarios_add_a_dimension_matching_single_runs():
    values = [0.3, 0.5]
    both = flywheel.loop_dominance(LOGISTIC, params={"Maximum Growth Rate": values})
    assert both["relative_loop_score"].dims == ("time", "loop", "scenario")
    assert both["Maximum Growth Rate"].values.tolist() == values
    for k, value in enumerate(values):
        single = flywheel.loop_dominance(LOGISTIC, params={"Maximum Growth Rate": value})
        np.testing.assert_allclose(both["loop_score"].isel(scenario=k), single["loop_score"],
                                   rtol=1e-12)
        assert single.attrs["param: Maximum Growth Rate"] == value
    periods = flywheel.dominant_periods(both)
    assert sorted(set(periods["scenario"])) == [0, 1]


def test_other_methods_and_times():
    rk4 = flywheel.loop_dominance(LOGISTIC, method="rk4", final_time=10, dt=0.25)
    assert rk4.attrs["method"] == "rk4" and float(rk4["time"][-1]) == 10
    assert rk4.sizes["time"] == 41
    assert float(np.abs(rk4["relative_loop_score"].isel(time=slice(1, None))).sum(
        "loop").min()) == pytest.approx(1)


def test_bad_input():
    with pytest.raises(ParameterValueError, match="unknown method 'euler2'.*euler"):
        flywheel.loop_dominance(LOGISTIC, method="euler2")
    with pytest.raises(UnknownParameterError, match="Maximum Growth Rate"):
        flywheel.loop_dominance(LOGISTIC, params={"Maximum Growth": 0.2})
    with pytest.raises(ParameterValueError, match="dt"):
        flywheel.loop_dominance(LOGISTIC, dt=0)


def test_dominant_periods_among_chosen_loops(logistic):
    _, dominance, _ = logistic
    only = flywheel.dominant_periods(dominance, loops=["B1"])
    assert only["loop"].tolist() == ["B1"] and only.loc[0, "start"] == 0.125
    with pytest.raises(flywheel.errors.UnknownLoopError, match=r"no loop 'B7'.*closest: 'B1'"):
        flywheel.dominant_periods(dominance, loops=["B7"])


def test_times_without_scores_do_not_split_a_period(minimal):
    """The workshop model's market partition holds one loop (B2); where the market stands
    still nothing scores, and B2's dominance runs on as one period."""
    periods = flywheel.dominant_periods(flywheel.loop_dominance(minimal))
    market = periods[periods["partition"] == 1]
    assert market["loop"].tolist() == ["B2"]
    assert float(market["mean_relative_score"].iloc[0]) == -1.0


def test_saved_times_report_the_every_step_scores_there():
    """Reporting at SAVEPER evaluates only the rows it needs; the numbers are those of
    the every-step analysis at the same times, exactly, scenarios included."""
    params = {"Price Elasticity of Demand": [0.8, 1.4]}
    saved = flywheel.loop_dominance("flywheel_minimal", params=params)
    dt = saved.attrs["dt"]
    every = flywheel.loop_dominance("flywheel_minimal", params=params, saveper=dt)
    assert saved.attrs["saveper"] > dt and every.sizes["time"] > saved.sizes["time"]
    for name in ("link_score", "loop_score", "relative_loop_score"):
        np.testing.assert_array_equal(saved[name].values,
                                      every[name].sel(time=saved["time"]).values)


@pytest.mark.parametrize("name", ["fn_random.mdl", "macro_smooth.mdl"])
def test_the_analysis_run_is_simulates_run(name):
    """The loop analysis's values are those of flywheel.simulate (Euler, seed 0), every
    step, to rounding: RANDOM draws from the run's stream, and a macro's elements (not
    outputs of a run) are computed too."""
    from flywheel.loops.evaluate import evaluator

    model = flywheel.load(TEST_MODELS / name)
    run = evaluator(model).run()
    reference = flywheel.simulate(model, method="euler", seed=0,
                                  saveper=model.control["TIME STEP"])
    compared = [name for name in run.values if name in reference.data_vars]
    assert len(compared) >= 3
    for name in compared:
        values = np.broadcast_to(np.asarray(run.values[name]), (run.times.size, 1))[:, 0]
        np.testing.assert_allclose(values, reference[name].sel(time=run.times).values,
                                   rtol=1e-12, err_msg=name)
