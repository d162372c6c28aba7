"""Observations and the mapping as package data; each bad input names its row or series."""

from __future__ import annotations

import pandas as pd
import pytest

import flywheel
from flywheel.calibration.data import (
    DataFileError,
    SeriesMapping,
    load_mapping,
    load_observations,
    load_rates,
    observations_for,
)

from conftest import TESTS

SHARED = TESTS.parents[1] / "shared" / "data"


def test_package_data_are_copies_of_the_shared_data():
    for name in ("observations.csv", "rates.csv"):
        shared = SHARED / name
        if not shared.exists():
            pytest.skip("the copies are checked where their source, the project's shared/data "
                        "beside the work tree, exists (there and in CI), not in a bare clone")
        ours = flywheel.calibration.data._package_file(name)
        assert ours.read_bytes() == shared.read_bytes()


def test_every_series_has_a_complete_mapping_entry():
    mapping = load_mapping()
    assert set(load_observations()["series"]) == set(mapping)
    for entry in mapping.values():
        assert entry.proxy and entry.rationale
        assert (entry.weight > 0) == bool(entry.variable)


def test_rates_are_indexed_by_quantity():
    assert load_rates().loc["llm_api_price_elasticity_provider_level", "value"] == 1.11


def test_units_are_converted_into_the_model_variables_units(research):
    points = observations_for(research).points.set_index(["series", "time"])["observed"]
    assert points[("big_six_capex", 2024.5)] == 212
    assert points[("inference_share_of_ai_compute", 2025.5)] == 0.5
    # 9.7e12 tokens a month is 116.4 trillion tokens a year; a mapping unit that folds
    # in a share of 0.4 ("tokens per 0.4 month") reads it as 116.4 / 0.4.
    frame = load_observations().query("series == 'google_tokens_per_month'")
    yearly = 9.7e12 * 12 / 1e12
    for unit, expected in (("", yearly), ("tokens/(0.4*Month)", yearly / 0.4)):
        mapping = {"google_tokens_per_month": SeriesMapping(
            "google_tokens_per_month", "Tokens Served", "level", 1.0, "p", "r", unit)}
        observed = observations_for(research, frame, mapping).points["observed"]
        assert observed.iloc[0] == pytest.approx(expected, rel=1e-12)


def test_every_fitted_series_converts_into_the_research_models_units(research):
    skipped = observations_for(research).skipped
    assert not skipped["reason"].str.contains("another quantity").any()


def test_a_variable_that_measures_another_quantity_leaves_the_series_out(minimal):
    # The minimal model counts compute in exaFLOP/s; a series in H100-equivalents
    # has no dimension in common with it: left out, both units named.
    frame = pd.DataFrame([("stock", 2024.5, 4.0, "million H100e")],
                         columns=["series", "time", "value", "unit"])
    mapping = {"stock": SeriesMapping("stock", "Installed Compute", "level", 1.0, "p", "r")}
    data = observations_for(minimal, frame, mapping)
    assert data.points.empty
    assert data.skipped["reason"].iloc[0] == (
        "the model's 'Installed Compute' is in 'exaFLOP/s', another quantity than 'million H100e'")


def test_left_out_observations_say_why(research):
    skipped = observations_for(research).skipped.groupby("series")["reason"].first()
    assert skipped["big_six_capex"] == "outside the run"  # 2014
    assert skipped["frontier_training_cost"].startswith("not fitted")


def test_series_of_variables_the_model_lacks_are_left_out(minimal):
    data = observations_for(minimal)
    lacking = {series for series, entry in data.mapping.items()
               if entry.variable and entry.variable not in minimal.elements}
    assert lacking and not lacking & set(data.points["series"])
    reasons = data.skipped.groupby("series")["reason"].first()
    assert all(reasons[s].startswith("the model has no") for s in lacking)


def write(tmp_path, frame: pd.DataFrame):
    path = tmp_path / "observations.csv"
    frame.to_csv(path, index=False)
    return path


def test_missing_columns_are_named(tmp_path):
    frame = load_observations().drop(columns=["unit"])
    with pytest.raises(DataFileError, match=r"missing column\(s\) unit"):
        load_observations(write(tmp_path, frame))


def test_a_bad_value_names_its_row(tmp_path):
    frame = load_observations()
    frame.loc[3, "value"] = -1  # the fourth data row, line 5 of the file
    with pytest.raises(DataFileError, match=r"row 5 \(hyperscaler_capex_4\): value must be "
                                            r"a positive number"):
        load_observations(write(tmp_path, frame))


def test_unknown_series_are_named(research, tmp_path):
    frame = load_observations()
    frame.loc[len(frame)] = ["gpu_shipments", 2024.5, 3.0, "million units", "reported", "x"]
    row = len(frame) + 1  # the header is line 1
    with pytest.raises(DataFileError, match=rf"unknown series 'gpu_shipments' \(first at row {row}\)"):
        observations_for(research, write(tmp_path, frame))


def test_units_that_do_not_convert_name_the_series_and_both_units(research, tmp_path):
    frame = load_observations()
    frame.loc[frame.series == "big_six_capex", "unit"] = "USD billion"  # a stock, not a rate
    with pytest.raises(DataFileError, match=r"series 'big_six_capex': cannot convert its unit "
                                            r"'USD billion' into the units 'billion USD/Year'"):
        observations_for(research, write(tmp_path, frame))


def test_a_bad_mapping_entry_names_the_series(tmp_path):
    path = tmp_path / "mapping.toml"
    path.write_text('[capex]\nvariable = "Capex"\ntransform = "share"\nweight = 1\n'
                    'proxy = "p"\nrationale = "r"\n')
    with pytest.raises(DataFileError, match="series 'capex': transform must be one of level"):
        load_mapping(path)
    path.write_text('[capex]\nvariable = "Capex"\n')
    with pytest.raises(DataFileError, match="series 'capex' lacks transform, weight"):
        load_mapping(path)


def test_the_documentation_covers_every_series():
    text = (TESTS.parent / "docs" / "calibration.md").read_text()
    missing = [series for series in load_mapping() if f"`{series}`" not in text]
    assert not missing
