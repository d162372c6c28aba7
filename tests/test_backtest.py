"""flywheel.backtest: fit up to a cutoff, measure the error after it, count the band's coverage.

Exact numbers on synthetic data from the logistic test model (known
constants, errors put in by hand); structure only on the research model,
whose numbers change with its version.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import flywheel  # noqa: E402
from flywheel.calibration import SeriesMapping  # noqa: E402
from flywheel.calibration.backtest import COLUMNS, backtest  # noqa: E402
from flywheel.cli import main  # noqa: E402
from flywheel.errors import DataFileError, ParameterValueError  # noqa: E402

from conftest import TEST_MODELS  # noqa: E402

TRUE = {"Growth Rate": 0.8, "Carrying Capacity": 5000.0}
TIMES = np.arange(2021.0, 2034.0)
CUTOFF = 2027.5
SIDECAR = """
[history]
end = 2027.5

[parameters."Growth Rate"]
low = 0.6
high = 1.0
calibrated = true

[parameters."Carrying Capacity"]
low = 3000
high = 8000
scale = "log"
calibrated = true
"""


def entry(series: str, transform: str, prior_from: float | None = None) -> SeriesMapping:
    return SeriesMapping(series, "Population", transform, 1.0, "test", "test",
                         prior_from=prior_from)


MAPPING = {"level": entry("level", "level"), "tenth": entry("tenth", "trend", prior_from=2030),
           "floor": entry("floor", "lower_bound"), "ceiling": entry("ceiling", "upper_bound")}


@pytest.fixture(scope="module")
def logistic(tmp_path_factory):
    folder = tmp_path_factory.mktemp("logistic")
    path = folder / "calib_logistic.mdl"
    path.write_text((TEST_MODELS / "calib_logistic.mdl").read_text())
    (folder / "calib_logistic.uncertainty.toml").write_text(SIDECAR)
    return flywheel.load(path)


@pytest.fixture(scope="module")
def truth(logistic):
    run = flywheel.simulate(logistic, params=TRUE, method="euler")
    return run["Population"].interp(time=TIMES).to_numpy()


def synthetic(truth, later: float = 1.0) -> pd.DataFrame:
    """Level, a tenth (trend), a floor at 0.7x and a ceiling at 1.3x; later points times `later`."""
    factor = np.where(TIMES > CUTOFF, later, 1.0)
    rows = []
    for t, p, f in zip(TIMES, truth, factor):
        rows += [("level", t, p * f, "people"), ("tenth", t, p * f / 10, "people"),
                 ("floor", t, 0.7 * p * f, "people"), ("ceiling", t, 1.3 * p * f, "people")]
    return pd.DataFrame(rows, columns=["series", "time", "value", "unit"])


@pytest.fixture(scope="module")
def shifted(logistic, truth):
    # The later observations are 1.2x the truth: the fit (on exact earlier data) misses by that.
    return backtest(logistic, CUTOFF, data=synthetic(truth, later=1.2), mapping=MAPPING, n=50,
                    seed=1)


def test_the_fit_uses_only_the_observations_up_to_the_cutoff(shifted):
    assert shifted.fit.comparison.points["time"].max() <= CUTOFF
    for name, value in TRUE.items():
        assert shifted.fit.values[name] == pytest.approx(value, rel=1e-5)
    table = shifted.to_frame()
    assert list(table.columns) == COLUMNS
    assert (table["time"] > CUTOFF).all() and len(table) == 4 * (TIMES > CUTOFF).sum()


def test_later_errors_are_the_log_ratios_put_in(shifted):
    table = shifted.to_frame().groupby("series")
    # Level and trend: log(model / observed) = -log 1.2 (the trend's share, 0.1, fitted
    # before the cutoff, is kept).
    for series in ("level", "tenth"):
        assert table.get_group(series)["error"].to_numpy() == pytest.approx(-np.log(1.2), abs=1e-5)
    assert table.get_group("tenth")["share"].to_numpy() == pytest.approx(0.1, rel=1e-5)
    # A floor at 0.84x the model holds (error 0, the model clears it by log(1/0.84));
    # a ceiling at 1.56x holds too.
    floor, ceiling = table.get_group("floor"), table.get_group("ceiling")
    assert (floor["error"] == 0).all() and (ceiling["error"] == 0).all()
    assert floor["log_ratio"].to_numpy() == pytest.approx(-np.log(0.84), abs=1e-5)
    assert ceiling["log_ratio"].to_numpy() == pytest.approx(-np.log(1.56), abs=1e-5)


def test_a_crossed_bound_is_its_log_violation(logistic, truth):
    result = backtest(logistic, CUTOFF, data=synthetic(truth, later=2.0), mapping=MAPPING, n=20,
                      seed=1)
    floor = result.to_frame().query("series == 'floor'")
    assert floor["error"].to_numpy() == pytest.approx(np.log(1 / 1.4), abs=1e-5)


def test_coverage_counts_observations_inside_the_projection_band(shifted):
    table = shifted.to_frame()
    bands = shifted.bands
    row = table[table["series"] == "tenth"].iloc[0]
    q05 = bands["Population"].sel(quantile=0.05)
    expected = np.exp(np.interp(row["time"], bands["time"], np.log(q05))) * row["share"]
    assert row["band_low"] == pytest.approx(expected, rel=1e-12)
    inside = (table["band_low"] <= table["observed"]) & (table["observed"] <= table["band_high"])
    bound = table["transform"].str.endswith("bound")
    assert (table.loc[~bound, "covered"] == inside[~bound]).all()
    # A lower bound is covered when the band reaches above it, an upper bound when below.
    floor = table["transform"] == "lower_bound"
    assert (table.loc[floor, "covered"] == (table["band_high"] >= table["observed"])[floor]).all()
    assert shifted.covered == int(table["covered"].sum())
    assert f"covers {shifted.covered} of {len(table)}" in shifted.report()


def test_priors_from_after_the_cutoff_are_named(shifted):
    assert shifted.named_priors == ["tenth"]
    text = shifted.report()
    assert "tenth *" in text and "built from data after the cutoff" in text


def test_research_model_back_test_structure(research):
    result = backtest(research, n=500, seed=2)
    table = result.to_frame()
    fitted = flywheel.calibration.observations_for(research).points
    assert len(table) == (fitted["time"] > 2024.99).sum() > 0
    assert set(result.fit.parameters.index) == {
        p.name for p in flywheel.experiments.uncertainty.load_uncertainty(research).parameters
        if p.calibrated}
    assert (table["band_low"] <= table["band_high"]).all()
    assert np.isfinite(table["log_ratio"]).all()
    assert 0 <= result.covered <= len(table) and result.bands.attrs["members"] == 500
    axes = result.plot()
    assert len(axes) >= table["series"].nunique()


def test_bad_cutoffs_and_missing_parameters(logistic, truth, minimal):
    with pytest.raises(DataFileError, match="needs some on each side"):
        backtest(logistic, 2040, data=synthetic(truth), mapping=MAPPING, n=10)
    with pytest.raises(ParameterValueError, match="cutoff must be"):
        backtest(logistic, float("nan"), data=synthetic(truth), mapping=MAPPING, n=10)
    with pytest.raises(DataFileError, match="no uncertainty file"):
        backtest(minimal, n=10)


def test_cli_backtest_writes_table_and_figure(logistic, truth, tmp_path, capsys):
    data, mapping, out = tmp_path / "data.csv", tmp_path / "mapping.toml", tmp_path / "bt.csv"
    synthetic(truth, later=1.2).to_csv(data, index=False)
    mapping.write_text("".join(
        f'[{e.series}]\nvariable = "Population"\ntransform = "{e.transform}"\nweight = 1.0\n'
        f'proxy = "test"\nrationale = "test"\n' for e in MAPPING.values()))
    status = main(["backtest", str(logistic.path), "--cutoff", str(CUTOFF), "--data", str(data),
                   "--mapping", str(mapping), "--members", "20", "-o", str(out)])
    assert status in (0, None)
    text = capsys.readouterr().out
    assert "Back-test of calib_logistic" in text and "covers" in text
    table = pd.read_csv(out, comment="#")  # after the provenance lines
    assert list(table.columns) == COLUMNS
    assert table.loc[table["series"] == "level", "error"].to_numpy() == pytest.approx(
        -np.log(1.2), abs=1e-5)
    assert out.with_suffix(".png").stat().st_size > 10_000
