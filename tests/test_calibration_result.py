"""The fit's report pieces and figure: per-series errors, the plot, the CLI command."""

from __future__ import annotations

import math

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import flywheel
from flywheel.calibration import SeriesMapping, compare
from flywheel.cli import main
from flywheel.plots import plot_calibration

from conftest import TEST_MODELS

matplotlib.use("Agg")

MAPPING = {"population": SeriesMapping("population", "Population", "level", 2.0, "p", "r"),
           "share": SeriesMapping("share", "Population", "trend", 1.0, "p", "r")}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def comparison():
    model = flywheel.load(TEST_MODELS / "calib_logistic.mdl")
    run = flywheel.simulate(model, method="euler")
    at = {t: float(run["Population"].interp(time=t)) for t in (2022.0, 2024.0)}
    # population: exactly twice the model, then exactly the model; share: 0.3 and 0.6 of it.
    frame = pd.DataFrame(
        [("population", 2022.0, 2 * at[2022.0], "people"),
         ("population", 2024.0, at[2024.0], "people"),
         ("share", 2022.0, 0.3 * at[2022.0], "people"),
         ("share", 2024.0, 0.6 * at[2024.0], "people")],
        columns=["series", "time", "value", "unit"])
    return compare(model, frame, mapping=MAPPING)


def test_series_errors_are_mean_absolute_log_error_and_worst_factor(comparison):
    errors = comparison.series_errors
    assert errors.loc["population", "mean_abs_log_error"] == pytest.approx(math.log(2) / 2)
    assert errors.loc["population", "worst_factor"] == pytest.approx(2.0)
    # A trend series is measured about its mean log error: the two points are sqrt(2) apart.
    assert errors.loc["share", "worst_factor"] == pytest.approx(math.sqrt(2))
    assert comparison.shares["share"] == pytest.approx(math.sqrt(0.3 * 0.6))


def test_weighted_mean_uses_the_mapping_weights(comparison):
    # Weights 2 (population) and 1 (share): (2 * ln2 + 2 * ln(sqrt 2)) / 6.
    expected = (2 * math.log(2) + 2 * math.log(math.sqrt(2))) / 6
    assert comparison.weighted_mean_abs_log_error == pytest.approx(expected)


def test_plot_draws_each_series_against_the_model(comparison):
    axes = plot_calibration(comparison)
    assert [ax.get_title() for ax in axes] == ["population: Population",
                                               f"share: Population x {comparison.shares['share']:.3g}"]
    observed = axes[0].lines[1].get_ydata()
    assert np.allclose(observed, comparison.points.query("series == 'population'")["observed"])
    assert axes[0].get_yscale() == "log"


def test_plot_accepts_given_axes(comparison):
    _, given = plt.subplots(1, 2)
    assert list(comparison.plot(axes=given)) == list(given)


def test_cli_calibrate_prints_the_report_and_writes_the_plot(tmp_path, capsys):
    plot = tmp_path / "fit.png"
    assert main(["calibrate", "flywheel", "--param", "Imitation Coefficient",
                 "--bounds", "Imitation Coefficient=0.5:2.5", "--plot", str(plot)]) == 0
    out = capsys.readouterr().out
    assert "Calibration of flywheel" in out and "chatgpt_weekly_users" in out
    assert plot.stat().st_size > 0


def test_cli_calibrate_bad_bounds_exit_2(capsys):
    assert main(["calibrate", "flywheel", "--param", "Imitation Coefficient",
                 "--bounds", "Imitation Coefficient=0.5"]) == 2
    assert "NAME=LOW:HIGH" in capsys.readouterr().err
