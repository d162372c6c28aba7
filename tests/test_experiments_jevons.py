"""The Jevons threshold: an exact toy model, the minimal model's flip near elasticity 1."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import flywheel
from flywheel.errors import ParameterValueError, UnknownParameterError
from flywheel.experiments import jevons_threshold
from flywheel.experiments.jevons import crossing

MODELS = Path(__file__).parent / "models"


@pytest.mark.parametrize(
    "x, f, expected",
    [
        ([0.0, 1.0, 2.0], [-1.0, -0.5, 0.5], 1.5),
        ([0.0, 1.0, 2.0], [1.0, 0.0, -1.0], 1.0),
        ([0.0, 1.0, 2.0, 3.0], [-1.0, 1.0, -1.0, 1.0], 0.5),  # the lowest crossing
        ([0.0, 1.0, 2.0], [np.nan, -1.0, 1.0], 1.5),
        ([0.0, 1.0], [1.0, 2.0], np.nan),
    ],
    ids=["interpolated", "on-a-point", "lowest", "nan-skipped", "none"],
)
def test_crossing(x, f, expected):
    found = crossing(np.array(x), np.array(f))
    assert found == pytest.approx(expected, nan_ok=True)


def test_toy_model_flips_exactly_at_elasticity_one_for_every_learning_rate():
    # sens_jevons: spend = c^(1 - e) with c falling, so spend 2035/2025 < 1 exactly when
    # e < 1, whatever the learning rate; ln(ratio) is linear in e, so interpolation is
    # exact. Tolerance: rounding (1e-9).
    result = jevons_threshold(MODELS / "sens_jevons.mdl", n=(6, 3), progress=False)
    assert result["spend ratio"].dims == ("Price Elasticity of Demand", "Learning Rate")
    np.testing.assert_allclose(result["threshold"], 1.0, atol=1e-9)
    elasticity = result["Price Elasticity of Demand"]
    np.testing.assert_allclose(result["growth vs decline"], (elasticity - 1).broadcast_like(
        result["growth vs decline"]), atol=1e-9)
    assert result["threshold"].attrs["units"] == "Dmnl"
    assert result.attrs["default: Learning Rate"] == 0.2


def test_one_strength_gives_a_scalar_threshold():
    result = jevons_threshold(MODELS / "sens_jevons.mdl", y=None, n=4, bounds=[[0.5, 2.0]],
                              progress=False)
    assert result["threshold"].ndim == 0 and float(result["threshold"]) == pytest.approx(1.0)
    assert "y" not in result.attrs


def test_no_flip_in_the_grid_gives_nan():
    result = jevons_threshold(MODELS / "sens_jevons.mdl", y=None, n=3, bounds=[[1.2, 2.0]],
                              progress=False)
    assert np.isnan(float(result["threshold"]))


def test_bad_input():
    path = MODELS / "sens_jevons.mdl"
    with pytest.raises(UnknownParameterError, match="no constant 'Elasticity'"):
        jevons_threshold(path, x="Elasticity", progress=False)
    with pytest.raises(ParameterValueError, match="time 2050 is outside the run"):
        jevons_threshold(path, years=(2025, 2050), progress=False)
    with pytest.raises(ParameterValueError, match="reversed"):
        jevons_threshold(path, y=None, bounds=[[2.0, 1.0]], progress=False)


def test_minimal_model_flips_near_elasticity_one(minimal):
    # In the minimal model demand is constant-elasticity in price (its cap is far away
    # near the flip) and Adopters grow whatever the price, so spend 2035/2025 is
    # (A35/A25) (c35/c25)^(1 - e): the flip sits at e* = 1 - ln(A35/A25) / ln(c25/c35),
    # just below 1. With learning rate 0 the cost falls by exactly exp(-10 g) (g the
    # algorithmic efficiency growth rate). Tolerances: 0.005 for the formula (the
    # log-linear interpolation between grid points 0.0625 apart and the far cap),
    # 0.15 for "near 1" (adopters' log growth is a small share of the cost's log fall).
    result = jevons_threshold(minimal, n=(41, 3), progress=False)
    threshold = result["threshold"].values
    base = flywheel.simulate(minimal, params={"Learning Rate": 0.0}, method="euler",
                             return_columns=["Adopters"])
    adopters = base["Adopters"].sel(time=[2025.0, 2035.0]).values
    decline = 10 * minimal.constants["Algorithmic Efficiency Growth Rate"]
    assert threshold[0] == pytest.approx(1 - np.log(adopters[1] / adopters[0]) / decline,
                                         abs=0.005)
    assert np.all(np.abs(threshold - 1.0) < 0.15), threshold
    assert np.all(np.diff(threshold) > 0)  # faster learning: a steeper fall, closer to 1


def test_research_model_crosses_the_threshold_in_time_not_across_elasticities(research):
    # docs/model.md: non-price growth (adoption, capability, reasoning, the race) keeps
    # total spend rising 2025-2035 at every elasticity; once tasks per adopter saturate,
    # spend falls 2030-2040 at every elasticity. No elasticity in the range flips either.
    early = jevons_threshold(research, y=None, n=(11,), bounds=[[0.0, 2.5]], progress=False)
    assert (early["spend ratio"] > 1).all() and np.isnan(float(early["threshold"]))
    late = jevons_threshold(research, y=None, n=(11,), bounds=[[0.0, 2.5]],
                            years=(2030, 2040), progress=False)
    assert (late["spend ratio"] < 1).all() and np.isnan(float(late["threshold"]))