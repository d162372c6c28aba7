"""calibrate and compare: known parameters recovered from synthetic data, a real fit.

The logistic test model (``calib_logistic.mdl``) generates the data with
known constants; the fit starts from the model's defaults.
"""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

import flywheel
from flywheel.calibration import SeriesMapping, calibrate, compare
from flywheel.errors import ParameterValueError, UnknownParameterError
from flywheel.experiments.uncertainty import load_uncertainty

from conftest import TEST_MODELS

TRUE = {"Growth Rate": 0.8, "Carrying Capacity": 5000.0}
TIMES = np.arange(2021.0, 2034.0)
MAPPING = {
    "population": SeriesMapping("population", "Population", "level", 1.0, "test", "test"),
    "tenth": SeriesMapping("tenth", "Population", "trend", 0.5, "a tenth of it", "test"),
}


@pytest.fixture(scope="module")
def logistic():
    return flywheel.load(TEST_MODELS / "calib_logistic.mdl")


def synthetic(model, noise: float = 0.0) -> pd.DataFrame:
    """Population in thousands and a tenth of it, from the TRUE constants (Euler, as fitted)."""
    run = flywheel.simulate(model, params=TRUE, method="euler")
    population = run["Population"].interp(time=TIMES).to_numpy()
    wobble = np.exp(noise * (-1.0) ** np.arange(len(TIMES)))  # deterministic +-noise
    rows = [("population", t, p / 1000 * w, "thousand people") for t, p, w in
            zip(TIMES, population, wobble)]
    rows += [("tenth", t, p / 10 / w, "people") for t, p, w in zip(TIMES, population, wobble)]
    return pd.DataFrame(rows, columns=["series", "time", "value", "unit"])


def test_exact_data_recovers_the_constants(logistic):
    result = calibrate(logistic, synthetic(logistic), list(TRUE), mapping=MAPPING)
    assert result.success
    for name, value in TRUE.items():
        assert result.values[name] == pytest.approx(value, rel=1e-5)
    assert result.comparison.shares["tenth"] == pytest.approx(0.1, rel=1e-5)
    assert result.series_errors["worst_factor"].max() == pytest.approx(1.0, abs=1e-5)


def test_noisy_data_intervals_contain_the_truth(logistic):
    result = calibrate(logistic, synthetic(logistic, noise=0.05), list(TRUE), mapping=MAPPING)
    table = result.parameters
    for name, value in TRUE.items():
        assert table.loc[name, "lower"] < value < table.loc[name, "upper"]
        assert table.loc[name, "fitted"] == pytest.approx(value, rel=0.05)
    # Both positive lower bounds: log space; 26 points - 2 parameters - 1 profiled share.
    assert list(table["space"]) == ["log", "log"] and result.dof == 23
    # Each point is off by exp(+-0.05) about the truth: mean absolute log error about 0.05.
    errors = result.series_errors
    assert errors.loc["population", "mean_abs_log_error"] == pytest.approx(0.05, abs=0.01)
    assert errors.loc["population", "worst_factor"] < np.exp(0.08)


def test_bounds_are_kept_and_reported(logistic):
    result = calibrate(logistic, synthetic(logistic), ["Growth Rate"], mapping=MAPPING,
                       bounds={"Growth Rate": (0.1, 0.6)})
    row = result.parameters.loc["Growth Rate"]
    assert row["fitted"] == pytest.approx(0.6, rel=1e-4) and row["at_bound"]


def test_report_names_parameters_and_series(logistic):
    result = calibrate(logistic, synthetic(logistic), list(TRUE), mapping=MAPPING)
    text = result.report()
    assert "Calibration of calib_logistic: 26 observations, 2 parameters" in text
    assert "Growth Rate" in text and "tenth" in text and "95% interval" in text


def test_bad_parameters_are_refused(logistic):
    data = synthetic(logistic)
    with pytest.raises(ParameterValueError, match="at least one constant"):
        calibrate(logistic, data, [], mapping=MAPPING)
    with pytest.raises(UnknownParameterError, match="Growth Rat"):
        calibrate(logistic, data, ["Growth Rat"], mapping=MAPPING)
    with pytest.raises(ParameterValueError, match="contain its default"):
        calibrate(logistic, data, ["Growth Rate"], mapping=MAPPING,
                  bounds={"Growth Rate": (1.0, 2.0)})


def test_compare_without_fitting_uses_the_given_constants(logistic):
    at_truth = compare(logistic, synthetic(logistic), params=TRUE, mapping=MAPPING)
    at_defaults = compare(logistic, synthetic(logistic), mapping=MAPPING)
    assert at_truth.weighted_mean_abs_log_error < 1e-9
    assert at_defaults.weighted_mean_abs_log_error > 0.1


def test_research_model_fit_improves(research):
    # Two of the constants the research model's uncertainty file marks calibrated (the
    # names change with the model's version); speed is benchmarks/' job, not a test's.
    names = [p.name for p in load_uncertainty(research).parameters if p.calibrated][:2]
    result = calibrate(research, params=names)
    assert result.success
    # least_squares never ends above where it started: compare the objective itself.
    before = result.before.points
    assert result.cost <= 0.5 * np.sum((before["weight"] * before["log_error"]) ** 2)
