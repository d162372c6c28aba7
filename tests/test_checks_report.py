"""The report of all checks, and ``flywheel check`` (exit status 1 on any failure)."""

from __future__ import annotations

import pytest

import flywheel
from flywheel.checks.report import CHECKS, check_model
from flywheel.cli import main
from flywheel.errors import ParameterValueError

from conftest import TEST_MODELS


def test_every_check_runs_in_order():
    report = check_model(flywheel.load(TEST_MODELS / "calib_logistic.mdl"))
    assert [s.name for s in report.sections] == list(CHECKS)
    # No observed series maps to the logistic test model: behaviour has nothing to compare.
    assert report.sections[-1].summary == "no observed series maps to this model"


def test_failures_are_listed_under_their_check():
    report = check_model(flywheel.load(TEST_MODELS / "units_mismatch.mdl"), checks=["units"])
    assert not report.passed
    text = str(report)
    assert "FAIL  units: 10 equations, 9 mismatches" in text
    assert "Mixed Sum: (Stock A + Rate): Widget vs 1/Month (+ needs equal units)" in text
    assert text.endswith("1 of 1 checks failed: units")


def test_unknown_check_names_are_refused():
    with pytest.raises(ParameterValueError, match="valid checks: units, parameters"):
        check_model(flywheel.load(TEST_MODELS / "teacup.mdl"), checks=["unit"])


def test_cli_check_exits_zero_when_all_pass(capsys):
    assert main(["check", str(TEST_MODELS / "units_ok.mdl"), "--only", "units",
                 "--only", "parameters"]) == 0
    assert "all 2 checks passed" in capsys.readouterr().out


def test_cli_check_exits_one_on_a_failure(capsys):
    assert main(["check", str(TEST_MODELS / "units_mismatch.mdl"), "--only", "units"]) == 1
    assert "Bad Exp: Stock A: Widget vs Dmnl" in capsys.readouterr().out


@pytest.mark.parametrize("name", flywheel.available_models())
def test_bundled_models_pass_every_check(name):
    report = check_model(flywheel.load(name))
    assert report.passed, str(report)
