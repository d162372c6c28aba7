"""Parameter assessment: units, a full range with the default inside, a source."""

from __future__ import annotations

import pytest

import flywheel
from flywheel.checks.parameters import check_parameters

from conftest import TEST_MODELS


def test_sourced_ranged_constants_pass():
    assert check_parameters(flywheel.load(TEST_MODELS / "calib_logistic.mdl")) == []


def test_each_missing_piece_is_named(tmp_path):
    text = (TEST_MODELS / "calib_logistic.mdl").read_text()
    text = text.replace("1/Year [0.1,2]", "[0.1,2]")  # Growth Rate: no units
    text = text.replace("people [1000,20000]", "people [5000,20000]")  # default 3000 outside
    text = text.replace("people [1,100]\n\t~\tSource: test value.", "people [1,?]\n\t~\tNone.")
    path = tmp_path / "gaps.mdl"
    path.write_text(text)
    issues = [str(i) for i in check_parameters(flywheel.load(path))]
    assert issues == [
        "Growth Rate: no units",
        "Carrying Capacity: default 3000 outside its range [5000, 20000]",
        "Initial Population: no range [min,max]",
        "Initial Population: no source in its documentation",
    ]


@pytest.mark.parametrize("name", flywheel.available_models())
def test_bundled_models_have_units_ranges_and_sources(name):
    issues = check_parameters(flywheel.load(name))
    assert not issues, "\n".join(map(str, issues))
