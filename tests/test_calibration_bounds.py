"""Series fitted as bounds (``lower_bound``, ``upper_bound``) and the ``prior_from`` flag.

Synthetic data from the logistic test model with known constants: a bound
costs nothing while it holds and its log violation, times its weight, when
it does not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import flywheel
from flywheel.calibration import SeriesMapping, calibrate, compare
from flywheel.calibration.data import DataFileError, load_mapping

from conftest import TEST_MODELS

TRUE = {"Growth Rate": 0.8, "Carrying Capacity": 5000.0}
TIMES = np.arange(2021.0, 2034.0)


def entry(series: str, transform: str, weight: float = 1.0) -> SeriesMapping:
    return SeriesMapping(series, "Population", transform, weight, "test", "test")


@pytest.fixture(scope="module")
def logistic():
    return flywheel.load(TEST_MODELS / "calib_logistic.mdl")


@pytest.fixture(scope="module")
def population(logistic):
    run = flywheel.simulate(logistic, params=TRUE, method="euler")
    return run["Population"].interp(time=TIMES).to_numpy()


def frame(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["series", "time", "value", "unit"])


def test_a_bound_costs_its_log_violation_only_when_crossed(logistic, population):
    # At 2025: lower bounds at half and twice the model, upper bounds likewise.
    p = population[4]
    data = frame([("low_ok", 2025.0, p / 2, "people"), ("low_bad", 2025.0, 2 * p, "people"),
                  ("up_ok", 2025.0, 2 * p, "people"), ("up_bad", 2025.0, p / 2, "people")])
    mapping = {"low_ok": entry("low_ok", "lower_bound"), "low_bad": entry("low_bad", "lower_bound"),
               "up_ok": entry("up_ok", "upper_bound"), "up_bad": entry("up_bad", "upper_bound")}
    points = compare(logistic, data, params=TRUE, mapping=mapping).points.set_index("series")
    assert points["log_error"].to_dict() == pytest.approx(
        {"low_ok": 0.0, "low_bad": -np.log(2), "up_ok": 0.0, "up_bad": np.log(2)}, abs=1e-12)
    # The model column is the model's value, not the bound.
    assert points["model"].to_numpy() == pytest.approx(np.full(4, p), rel=1e-9)


def test_bounds_that_hold_leave_the_level_fit_exact(logistic, population):
    rows = [("level", t, p, "people") for t, p in zip(TIMES, population)]
    rows += [("floor", t, 0.7 * p, "people") for t, p in zip(TIMES, population)]
    rows += [("ceiling", t, 1.3 * p, "people") for t, p in zip(TIMES, population)]
    mapping = {"level": entry("level", "level"), "floor": entry("floor", "lower_bound", 0.5),
               "ceiling": entry("ceiling", "upper_bound", 0.5)}
    result = calibrate(logistic, frame(rows), list(TRUE), mapping=mapping)
    for name, value in TRUE.items():
        assert result.values[name] == pytest.approx(value, rel=1e-5)
    errors = result.series_errors
    assert errors.loc[["floor", "ceiling"], "worst_factor"].tolist() == [1.0, 1.0]


def test_a_crossed_lower_bound_pulls_the_fit_until_it_holds(logistic):
    # Nothing but a floor of 2800 people in 2033-2034: the default capacity (3000) violates it.
    data = frame([("floor", t, 2800.0, "people") for t in (2033.0, 2034.0)])
    mapping = {"floor": entry("floor", "lower_bound")}
    before = compare(logistic, data, mapping=mapping)
    assert (before.points["log_error"] < -0.1).all()
    result = calibrate(logistic, data, ["Carrying Capacity"], mapping=mapping)
    # The fit stops where the violation vanishes: on the boundary of the feasible set.
    assert result.cost < 1e-8
    assert (result.comparison.points["model"] > 2800.0 * (1 - 1e-4)).all()
    assert not result.parameters.loc["Carrying Capacity", "at_bound"]


def test_mapping_reads_bounds_and_prior_from(tmp_path):
    path = tmp_path / "mapping.toml"
    path.write_text('[s]\nvariable = "X"\ntransform = "upper_bound"\nweight = 1.0\n'
                    'proxy = "p"\nrationale = "r"\nprior_from = 2025\n')
    entry_ = load_mapping(path)["s"]
    assert entry_.transform == "upper_bound" and entry_.prior_from == 2025.0


@pytest.mark.parametrize(("extra", "message"), [
    ('transform = "bound"', "transform must be one of level, trend, lower_bound, upper_bound"),
    ('transform = "level"\nprior_from = "2025"', "prior_from must be a year"),
    ('transform = "level"\npriors = 2025', r"unknown key\(s\) priors"),
])
def test_mapping_errors_name_the_series(tmp_path, extra, message):
    path = tmp_path / "mapping.toml"
    path.write_text(f'[s]\nvariable = "X"\n{extra}\nweight = 1.0\nproxy = "p"\nrationale = "r"\n')
    with pytest.raises(DataFileError, match=f"series 's'.*{message}"):
        load_mapping(path)
