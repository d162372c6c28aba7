"""The behaviour docs/model.md asks of the research model's defaults (version 2).

Each bound is stated with its source; the data behind them are the package's
``flywheel/data/observations.csv`` and ``rates.csv``. The baseline is PySD's own
run (the reference), at the model's TIME STEP.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import flywheel
from flywheel.calibration import compare
from flywheel.calibration.data import load_mapping, load_observations
from flywheel.vocabulary import key_outputs

from conftest import REPO_MODELS

DOCS = REPO_MODELS.parent / "docs"


@pytest.fixture(scope="module")
def baseline(research):
    return flywheel.simulate(research, engine="pysd")


@pytest.fixture(scope="module")
def fit(research, baseline):
    """The baseline against every observation, as the calibration compares them."""
    return compare(research, run=baseline).points


def at(run, name, time):
    """`name` at `time`, interpolated in log space between saved times (as the fit does)."""
    return float(np.exp(np.log(run[name]).interp(time=time)))


def observed(series):
    frame = load_observations()
    return frame[frame.series == series].sort_values("time")


# ------------------------------------------------------------- the level tests
def test_global_tokens_are_1_7_to_5_times_google_at_each_google_observation(baseline):
    # Google's share of global tokens is a prior of 0.2-0.6 built from 2025 reports
    # (google_share_of_global_tokens_2025, rates.csv): global = 1.7-5x Google.
    google = observed("google_tokens_per_month")
    assert len(google) == 2
    for time, per_month in zip(google.time, google.value):
        google_per_year = per_month * 12 / 1e12  # trillion tokens a year
        ratio = at(baseline, "Tokens Served", time) / google_per_year
        assert 1.7 <= ratio <= 5, (time, ratio)


def test_installed_compute_is_1_to_2_times_epochs_nvidia_stock(baseline):
    # Epoch: about 4 million H100e of NVIDIA data-centre GPUs in early 2025; TPUs and
    # other accelerators may add about as much, so NVIDIA's stock is a lower bound.
    (time, stock), = zip(*[observed("nvidia_installed_compute")[c] for c in ("time", "value")])
    assert baseline["Installed Compute"].attrs["units"] == "million H100e"
    assert 1.0 <= at(baseline, "Installed Compute", time) / stock <= 2.0


def test_ai_revenue_exceeds_the_sum_of_the_one_firm_revenues_at_each_date(baseline):
    # Each firm's latest reported revenue (annual or run rate) at or before each date.
    firms = {"OpenAI": ["openai_revenue", "openai_revenue_run_rate"],
             "Microsoft": ["microsoft_ai_revenue_run_rate"],
             "Anthropic": ["anthropic_revenue_run_rate"]}
    frame = load_observations()
    rows = frame[frame.series.isin(sum(firms.values(), []))]
    for date in sorted(rows.time):
        total = 0.0
        for series in firms.values():
            known = rows[rows.series.isin(series) & (rows.time <= date)]
            if len(known):
                total += float(known.sort_values("time").value.iloc[-1])
        assert at(baseline, "AI Revenue", date) > total, (date, total)


def _stated_growth_changes() -> set[tuple[str, int]]:
    """(output, year) pairs whose growth change docs/model.md explains, from its table."""
    text = (DOCS / "model.md").read_text()
    section = text.split("## Changes of growth after 2025", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| ([A-Z][^|]+?) \| (\d{4}) \|", section, flags=re.M)
    return {(name.strip(), int(year)) for name, year in rows}


def test_annual_growth_factors_after_2025_change_by_at_most_2x_unless_explained(
        research, baseline):
    # No key output's annual growth factor changes by more than 2x from one year to the
    # next without a cause stated in docs/model.md ("Changes of growth after 2025").
    stated = _stated_growth_changes()
    years = np.arange(2025, 2041)
    unexplained = []
    for name in key_outputs(research):
        values = baseline[name].sel(time=years).to_numpy()
        growth = values[1:] / values[:-1]
        change = np.maximum(growth[1:] / growth[:-1], growth[:-1] / growth[1:])
        unexplained += [(name, int(years[i + 2])) for i in np.flatnonzero(change > 2)
                        if (name, int(years[i + 2])) not in stated]
    assert not unexplained
    # and every stated cause is a real change (the table does not excuse more than it must)
    for name, year in stated:
        values = baseline[name].sel(time=[year - 2, year - 1, year]).to_numpy()
        growth = values[1:] / values[:-1]
        assert max(growth[1] / growth[0], growth[0] / growth[1]) > 2, (name, year)


def test_every_level_series_is_within_a_factor_1_5(fit):
    mapping = load_mapping()
    level = fit[fit.series.map(lambda s: mapping[s].transform) == "level"]
    assert len(level) >= 12
    assert (np.abs(level.log_error.astype(float)) <= np.log(1.5)).all()


def test_bounds_hold(fit):
    # Bounds are facts: one firm's revenue or stock under the market's, list prices over
    # the served mix. A bound may be crossed only within the factor 1.5 of a fitted series.
    bounds = fit[fit["transform"].isin(["lower_bound", "upper_bound"])]
    assert (np.abs(bounds.log_error.astype(float)) <= np.log(1.5)).all()


# ------------------------------------------------------------- the brief's behaviour
def test_fixed_capability_price_falls_10_to_50x_a_year_2022_2025(baseline):
    # price_decline_fixed_capability_a16z 10x, Epoch median 46x (range 9-900) (rates.csv).
    fall = (at(baseline, "Inference Price at Fixed Capability", 2022)
            / at(baseline, "Inference Price at Fixed Capability", 2025)) ** (1 / 3)
    assert 9 <= fall <= 50


def test_served_mix_price_falls_far_more_slowly_2_to_4x_a_year(baseline):
    # Usage moves to newer models: frontier list prices fell about 4x a year in 2023-2024.
    fall = (at(baseline, "Inference Price", 2023) / at(baseline, "Inference Price", 2025)) ** 0.5
    assert 1.5 <= fall <= 4


def test_tokens_grow_tens_of_times_a_year_2024_2025(baseline):
    assert at(baseline, "Tokens Served", 2025) / at(baseline, "Tokens Served", 2024) >= 10


def test_adopters_reach_hundreds_of_millions_by_2025(baseline):
    assert "million" in baseline["Adopters"].attrs["units"].lower()
    assert 100 <= at(baseline, "Adopters", 2025) <= 2000


def test_capex_reaches_hundreds_of_billions_by_2024_2025(baseline):
    assert baseline["Capex"].attrs["units"].startswith("billion USD")
    assert 100 <= at(baseline, "Capex", 2024.5) <= 600


def test_total_spend_rises_while_unit_cost_falls_2025_2030(baseline):
    assert at(baseline, "Total Compute Spend", 2030) > at(baseline, "Total Compute Spend", 2025)
    assert at(baseline, "Unit Inference Cost", 2030) < at(baseline, "Unit Inference Cost", 2025)


@pytest.mark.parametrize(
    ("year", "low", "high"), [(2023.5, 0.22, 0.5), (2025.5, 0.33, 0.75), (2035, 0.6, 1.0)]
)
def test_inference_share_of_compute_spend(baseline, year, low, high):
    # Deloitte: about one third in 2023, about half in 2025 (within a factor 1.5),
    # a large majority later.
    assert low <= at(baseline, "Inference Share of Compute Spend", year) <= high


def test_ai_revenue_was_below_the_fleets_annual_cost_in_2023_2025(baseline):
    for year in (2023, 2024, 2025):
        assert at(baseline, "AI Revenue to Fleet Cost Ratio", year) < 1


def test_effective_elasticity_is_the_partial_of_the_demand_equation(research):
    # -d ln(Tokens per Adopter) / d ln(Perceived Price) by a finite difference: two runs
    # whose initial perceived price differs by a factor e^h. At the initial time nothing
    # else that tokens per adopter depend on differs (capability, reasoning, adoption).
    h = 1e-6
    start = research.constants["Initial Perceived Price"]
    runs = flywheel.simulate(
        research, method="euler", final_time=2021,
        return_columns=["Tokens per Adopter", "Effective Price Elasticity"],
        params={"Initial Perceived Price": [start, start * np.exp(h)]},
    ).sel(time=2020)
    tokens = runs["Tokens per Adopter"].to_numpy()
    partial = -np.log(tokens[1] / tokens[0]) / h
    # central value of the reported elasticity over the step; the finite difference is
    # accurate to O(h) relative
    reported = float(runs["Effective Price Elasticity"].mean())
    assert partial == pytest.approx(reported, rel=1e-5)
    assert 0 < reported < research.constants["Price Elasticity of Demand"]


def test_spend_grows_clearly_less_with_inelastic_demand(research):
    runs = flywheel.simulate(
        research, engine="pysd", params={"Price Elasticity of Demand": [0.5, 1.5]},
        return_columns=["Total Compute Spend"],
    )
    spend = runs["Total Compute Spend"]
    growth = spend.interp(time=2030) / spend.interp(time=2025)
    assert float(growth[1]) >= 1.5 * float(growth[0])


def test_minimal_model_flips_near_elasticity_one(minimal):
    elasticities = [0.6, 1.4]
    runs = flywheel.simulate(
        minimal, engine="pysd", params={"Price Elasticity of Demand": elasticities},
        return_columns=["Total Compute Spend"],
    )
    spend = runs["Total Compute Spend"]
    growth = (spend.interp(time=2035) / spend.interp(time=2025)).values
    # Below the Jevons threshold spend falls as unit cost falls; above it, it rises.
    assert growth[0] < 1 < growth[1]
