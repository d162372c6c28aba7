"""The workshop page's rules, without a browser: settings, sectors, the session's state."""

from __future__ import annotations

import io
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

import flywheel
from flywheel.app.controls import parse_settings, query_string, sectors, slider_specs
from flywheel.app.exercises import EXERCISES
from flywheel.app.figures import band_columns
from flywheel.app.runs import Simulator, solver_options
from flywheel.app.server import allowed_origins
from pathlib import Path

ROOT = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def runs():
    return Simulator(flywheel.load("flywheel"))


def test_every_strength_has_a_sector_of_the_model_file(runs):
    groups = sectors(runs.model)
    text = runs.model.path.read_text()
    for spec in slider_specs(runs.model):
        assert spec.sector == groups[spec.name]
        assert f".{spec.sector}\n" in text.replace("\t", "")
        assert spec.low <= spec.default <= spec.high
        assert spec.units in spec.tooltip and spec.documentation[:40] in spec.tooltip


@pytest.mark.parametrize("name", ["INITIAL TIME", "FINAL TIME", "TIME STEP", "SAVEPER"])
def test_control_variables_cannot_be_set_from_the_page(runs, name):
    values, problems = parse_settings(runs.model, {name: "1"})
    assert values == {}
    assert problems == [f"{name} is a control variable: it cannot be set from the page"]


@pytest.mark.parametrize("text", ["abc", "nan", "inf", "-inf", "", "1e999", "0x10"])
def test_text_that_is_not_a_finite_number_is_refused(runs, text):
    values, problems = parse_settings(runs.model, {"Learning Rate": text})
    assert values == {} and "not a finite number" in problems[0]


def test_values_are_held_to_the_range_and_names_resolved(runs):
    low, high = runs.model.element("Forecast Horizon").range
    values, problems = parse_settings(runs.model, {"forecast_horizon": [b"1", str(high + 5)],
                                                   "Learning Rate": str(low - 1)})
    assert values == {"Forecast Horizon": high, "Learning Rate": runs.model.element(
        "Learning Rate").range[0]}
    assert len(problems) == 2 and all("held to" in p for p in problems)
    assert parse_settings(runs.model, {"Adopters": "5"})[1] == [
        "Adopters is a stock, not a constant"]
    assert "no such constant" in parse_settings(runs.model, {"<script>": "1"})[1][0]


def test_query_string_round_trips(runs):
    values = {**runs.defaults, "Learning Rate": 0.1234567890123}
    query = query_string(values, runs.defaults)
    from urllib.parse import parse_qs

    parsed, problems = parse_settings(runs.model, parse_qs(query[1:]))
    assert problems == [] and parsed == {"Learning Rate": 0.1234567890123}


def test_the_run_is_flywheel_simulate_with_the_named_method(runs):
    values = {**runs.defaults, "Learning Rate": 0.3}
    run = runs.run(values)
    expected = flywheel.simulate(runs.model, params=values, **solver_options())
    for name in runs.shown:
        np.testing.assert_array_equal(run[name].values, expected[name].values)
    assert run.attrs["method"] == runs.method


def test_the_band_is_loop_dominance_at_the_models_own_step(runs):
    values = {**runs.defaults, "Learning Rate": 0.3}
    families = runs.families(values)
    expected = flywheel.loop_families(flywheel.loop_dominance(runs.model, params=values),
                                      runs.model)
    np.testing.assert_array_equal(families["relative_family_score"].values,
                                  expected["relative_family_score"].values)
    assert families.attrs["dt"] == runs.model.control["TIME STEP"]


def test_the_band_stacks_each_polarity_from_zero(runs):
    families = runs.families(runs.defaults)
    band = band_columns(families)
    scores = np.nan_to_num(families["relative_family_score"].values)
    for k, family in enumerate(families["family"].values):
        np.testing.assert_allclose(band[f"{family} high"] - band[f"{family} low"],
                                   np.abs(scores[:, k]), atol=1e-12)
    top = np.max([band[f"{f} high"] for f in families["family"].values], axis=0)
    np.testing.assert_allclose(top, np.clip(scores, 0, None).sum(axis=1), atol=1e-12)


def test_history_ends_at_the_last_observation(runs):
    from flywheel.calibration.data import observations_for

    assert runs.history_end == observations_for(runs.model).points["time"].max()
    assert set(runs.observations["variable"]) <= set(runs.shown)


def test_a_session_pins_resets_and_downloads(runs):
    from flywheel.app.page import Workshop

    page = Workshop(runs, query={"Learning Rate": [b"0.3"], "FINAL TIME": [b"2100"]})
    assert page.values()["Learning Rate"] == 0.3
    assert page.problems.visible and "control variable" in page.problems.object
    page.pin()
    pinned = page.views.sources["pin 1"].data
    np.testing.assert_array_equal(pinned["Capex"], page.current["Capex"].values)
    page.reset()
    assert page.values() == runs.defaults
    frame = pd.read_csv(io.BytesIO(page.csv().getvalue()))
    assert list(frame.columns) == ["time", *runs.shown]
    assert page.png().getvalue()[:8] == b"\x89PNG\r\n\x1a\n"


def test_origins_allow_any_page_only_on_every_interface():
    assert allowed_origins("0.0.0.0", 80) == ["*"]
    assert "*" not in allowed_origins("127.0.0.1", 5006)


def test_exercises_follow_notebook_06():
    notebook = nbformat.read(ROOT / "notebooks" / "06_workshop_exercises.ipynb", 4)
    text = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    for exercise in EXERCISES:
        assert exercise.title in text


def test_the_projection_band_is_flywheel_project_around_the_settings(runs):
    from flywheel.app.page import Workshop
    from flywheel.app.runs import PROJECTION_MEMBERS

    assert runs.has_projection
    page = Workshop(runs, query={"Learning Rate": "0.25"})
    page.project()
    data = page.views.sources["projection"].data
    bands = flywheel.project(runs.model, n=PROJECTION_MEMBERS, seed=0,
                             params=page.values(), outputs=runs.shown)
    for name in runs.shown:
        np.testing.assert_array_equal(data[f"{name} low"], bands[name].sel(quantile=0.05))
        np.testing.assert_array_equal(data[f"{name} high"], bands[name].sel(quantile=0.95))
    page.update()  # a new setting: the band of the old one goes
    assert len(page.views.sources["projection"].data["time"]) == 0


def test_the_page_runs_a_subscripted_model_which_the_kernel_declines():
    """METHOD asks for Euler, not for the kernel: a model the kernel declines (arrays) runs
    on the numpy path, and its loop families come from its element loops."""
    runs = Simulator(flywheel.load(Path(__file__).parent / "models" / "sub_migration.mdl"))
    run = runs.run(runs.defaults)
    assert run.attrs["method"] == runs.method == "euler" and not run.attrs.get("stats: jit")
    assert runs.families(runs.defaults).sizes["loop"] == len(runs.loops) > 0
