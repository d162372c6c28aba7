"""flywheel.project: Latin-hypercube ensembles over the uncertainty sidecar, as quantile bands.

On the research model only invariants are checked (its numbers change with
its version): quantiles ordered, at least 500 members, the run at the middle
of every interval inside the bands. Exact numbers on the logistic test model.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import flywheel  # noqa: E402
from flywheel.errors import DataFileError, ParameterValueError, UnknownParameterError  # noqa: E402
from flywheel.experiments.projection import history_end, observed_points, project  # noqa: E402
from flywheel.experiments.uncertainty import load_uncertainty  # noqa: E402
from flywheel.plots import plot_bands, plot_run  # noqa: E402

from conftest import TEST_MODELS  # noqa: E402

SIDECAR = """
[history]
end = 2026

[parameters."Growth Rate"]
low = 0.4
high = 0.8
why = "test"

[parameters."Carrying Capacity"]
low = 2000
high = 8000
scale = "log"
calibrated = true
"""


@pytest.fixture(scope="module")
def logistic(tmp_path_factory):
    folder = tmp_path_factory.mktemp("logistic")
    path = folder / "calib_logistic.mdl"
    path.write_text((TEST_MODELS / "calib_logistic.mdl").read_text())
    (folder / "calib_logistic.uncertainty.toml").write_text(SIDECAR)
    return flywheel.load(path)


@pytest.fixture(scope="module")
def research_bands(research):
    return project(research, n=500, seed=3, members=True)


def test_research_bands_are_ordered_quantiles_of_500_members(research, research_bands):
    bands = research_bands
    assert bands.attrs["members"] >= 500 and bands.attrs["non_finite"] == 0
    assert list(bands["quantile"].values) == [0.05, 0.5, 0.95]
    for name in flywheel.key_outputs(research):
        low, mid, high = (bands[name].sel(quantile=q).values for q in (0.05, 0.5, 0.95))
        assert (low <= mid).all() and (mid <= high).all(), name
        assert bands[f"{name} (members)"].sizes["member"] == 500
    assert bands.attrs["history_end"] == 2025.5


def test_research_bands_cover_the_run_at_the_middle_of_every_interval(research, research_bands):
    spec = load_uncertainty(research)
    middle = {p.name: (np.sqrt(p.low * p.high) if p.scale == "log" else (p.low + p.high) / 2)
              for p in spec.parameters}
    run = flywheel.simulate(research, params=middle, method="euler")
    for name in flywheel.key_outputs(research):
        value = run[name].values
        low = research_bands[name].sel(quantile=0.05).values
        high = research_bands[name].sel(quantile=0.95).values
        assert ((value >= low * (1 - 1e-9)) & (value <= high * (1 + 1e-9))).all(), name


def test_quantiles_are_those_of_the_members_and_the_hypercube_is_stratified(logistic):
    bands = project(logistic, n=40, seed=5, members=True, outputs=["Population"])
    members = bands["Population (members)"]
    assert np.allclose(bands["Population"].values,
                       np.quantile(members.values, [0.05, 0.5, 0.95], axis=0), rtol=1e-12)
    # One member in each of the 40 equal strata of each interval (log strata for the log scale).
    rate = members["Growth Rate"].values
    capacity = np.log(members["Carrying Capacity"].values)
    for values, (low, high) in ((rate, (0.4, 0.8)), (capacity, np.log([2000, 8000]))):
        strata = np.floor((values - low) / (high - low) * 40).astype(int)
        assert sorted(strata) == list(range(40))
    # Each member is the model's own run at its sampled constants.
    one = flywheel.simulate(logistic, method="euler", params={
        "Growth Rate": float(rate[7]), "Carrying Capacity": float(np.exp(capacity[7]))})
    assert np.allclose(members.isel(member=7).values, one["Population"].values, rtol=1e-12)


def test_the_same_seed_gives_the_same_bands(logistic):
    first = project(logistic, n=20, seed=1, outputs=["Population"])
    assert first.identical(project(logistic, n=20, seed=1, outputs=["Population"]))
    assert not first.identical(project(logistic, n=20, seed=2, outputs=["Population"]))


def test_ranges_replace_the_sidecars(logistic):
    bands = project(logistic, n=10, seed=1, members=True, outputs=["Population"],
                    ranges={"growth_rate": (0.5, 0.6)})
    rate = bands["Population (members)"]["Growth Rate"].values
    assert rate.min() >= 0.5 and rate.max() <= 0.6


def test_history_end_comes_from_the_sidecar_or_the_data(logistic, research, minimal):
    assert history_end(logistic) == 2026.0 and history_end(research) == 2025.5
    # No sidecar: the latest observation fitted to the model.
    fitted = flywheel.calibration.observations_for(minimal).points
    assert history_end(minimal) == fitted["time"].max() > 2025


@pytest.mark.parametrize(("text", "error", "message"), [
    ('[parameters."Growth Rate"]\nlow = 1\nhigh = 0.5\n', DataFileError, "needs low < high"),
    ('[parameters."Growth Rate"]\nlow = 0\nhigh = 1\nscale = "log"\n', DataFileError, "low > 0"),
    ('[parameters."Growth Rate"]\nlow = 0.1\n', DataFileError, "missing high"),
    ('[parameters."Growth Rat"]\nlow = 0.1\nhigh = 1\n', UnknownParameterError, "'Growth Rate'"),
    ('[parameter]\n', DataFileError, "unknown table"),
])
def test_bad_sidecars_name_what_is_wrong(logistic, tmp_path, text, error, message):
    path = tmp_path / "bad.uncertainty.toml"
    path.write_text(text)
    with pytest.raises(error, match=message):
        project(logistic, n=10, uncertainty=path)


def test_a_missing_sidecar_names_the_path(minimal):
    with pytest.raises(DataFileError, match=r"flywheel_minimal\.uncertainty\.toml"):
        project(minimal)


def test_bad_counts_and_quantiles(logistic):
    with pytest.raises(ParameterValueError, match="n must be an integer >= 2"):
        project(logistic, n=1)
    with pytest.raises(ParameterValueError, match="quantiles"):
        project(logistic, n=10, quantiles=[0.5, 1.0])


def test_figures_draw_bands_data_and_the_history_line(research, research_bands):
    run = flywheel.simulate(research, method="euler")
    points = observed_points(research, run)
    assert {"chatgpt_weekly_users", "big_six_capex"} <= set(points["series"])
    axes = plot_bands(research_bands, ["Adopters", "Capex"], observations=points)
    adopters = axes[0]
    assert len(adopters.collections) == 1  # the band
    users = points[points["series"] == "chatgpt_weekly_users"]
    drawn = [line for line in adopters.lines if line.get_label() == "observed"]
    assert list(drawn[0].get_xdata()) == list(users["time"])
    assert [line.get_xdata()[0] for line in adopters.lines
            if line.get_label() == "history ends"] == [2025.5]
    axes = plot_run(run, ["Adopters", "Capex"], observations=points, history_end=2025.5)
    assert any(line.get_label() == "history ends" for line in axes[1].lines)


def test_a_trend_series_is_drawn_on_its_variables_curve(research):
    run = flywheel.simulate(research, method="euler")
    points = observed_points(research, run)
    trends = points[points["transform"] == "trend"]
    assert len(trends)
    for _, group in trends.groupby("series"):
        variable = group["variable"].iloc[0]
        model = np.exp(np.interp(group["time"], run["time"], np.log(run[variable])))
        # One share per series: the geometric mean of its points sits on the
        # (log-interpolated) curve.
        ratio = np.exp(np.mean(np.log(group["value"] / model)))
        assert ratio == pytest.approx(1.0, rel=1e-9)


def test_cli_run_bands_draws_the_ensemble_with_data_and_history(tmp_path, capsys):
    from flywheel.cli import main

    out = tmp_path / "run.csv"
    assert main(["run", "flywheel", "--bands", "--final-time", "2030", "--out", str(out)]) in (
        0, None)
    assert "wrote" in capsys.readouterr().out
    assert out.with_suffix(".png").stat().st_size > 50_000


def test_observed_points_keep_to_the_runs_times(research):
    run = flywheel.simulate(research, method="euler", final_time=2024.5)
    points = observed_points(research, run)
    assert len(points) and points["time"].max() <= 2024.5
