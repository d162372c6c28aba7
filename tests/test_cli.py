"""The flywheel command line: run, models, describe, --help and errors."""

from __future__ import annotations

import shutil
import subprocess
import sysconfig
from pathlib import Path

import pandas as pd
import pytest

from flywheel.cli import command_names, main


def test_console_script_is_installed():
    script = shutil.which("flywheel") or str(Path(sysconfig.get_path("scripts")) / "flywheel")
    done = subprocess.run([script, "--help"], capture_output=True, text=True, check=True)
    assert "example: flywheel run" in done.stdout


def test_the_command_line_has_every_group():
    assert {"run", "models", "describe", "loops", "dominance", "diagram", "sweep",
            "sensitivity", "threshold", "calibrate", "check", "figures"} <= set(command_names())


@pytest.mark.parametrize("command", command_names())
def test_every_command_has_help_with_an_example(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    assert f"example: flywheel {command}" in capsys.readouterr().out


def test_run_writes_csv_and_png_of_key_outputs(tmp_path, capsys):
    out, plot = tmp_path / "run.csv", tmp_path / "fig" / "run.png"
    status = main(["run", "flywheel_minimal", "--set", "Learning Rate=0.3",
                   "--final-time", "2030", "--out", str(out), "--plot", str(plot)])
    assert status == 0
    printed = capsys.readouterr().out
    assert str(out) in printed and str(plot) in printed
    table = pd.read_csv(out, index_col="time", comment="#")  # after the provenance lines
    assert table.index[0] == 2020 and table.index[-1] == 2030
    assert "Unit Inference Cost [USD/million tokens]" in table.columns
    assert plot.read_bytes().startswith(b"\x89PNG")


def test_run_of_a_model_whose_stocks_are_all_in_macros_shows_its_flows_and_auxiliaries(tmp_path):
    out = tmp_path / "run.csv"
    models = Path(__file__).parent / "models"
    assert main(["run", str(models / "macro_smooth.mdl"), "--out", str(out)]) == 0
    table = pd.read_csv(out, index_col="time", comment="#")
    assert {c.split(" [")[0] for c in table.columns} == {
        "Demand", "Smoothed Demand", "Slow Smoothed Demand", "Doubly Smoothed Demand",
        "Scaled Demand"}


def test_run_defaults_to_the_research_model_in_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["run", "--final-time", "2022"]) == 0
    assert (tmp_path / "flywheel_run.csv").is_file() and (tmp_path / "flywheel_run.png").is_file()


def test_models_lists_the_bundled_models(capsys):
    assert main(["models"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == ["flywheel", "flywheel_minimal"]


def test_describe_prints_stocks_flows_and_constants(capsys):
    assert main(["describe", "flywheel_minimal"]) == 0
    text = capsys.readouterr().out
    for heading in ("Stocks (", "Flows (", "Constants ("):
        assert heading in text
    assert "Price Elasticity of Demand" in text and "Installed Compute" in text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "no_such_model"], "bundled models: flywheel, flywheel_minimal"),
        (["run", "flywheel_minimal", "--set", "Learning Rat=0.2"], "closest: 'Learning Rate'"),
        (["run", "flywheel_minimal", "--set", "Learning Rate=abc"], "'Learning Rate' must be a finite"),
        (["run", "flywheel_minimal", "--set", "Learning Rate=inf"], "'Learning Rate' must be a finite"),
        (["run", "flywheel_minimal", "--set", "Learning Rate"], "--set expects NAME=VALUE"),
        (["describe", "missing/model.mdl"], "no model file at"),
    ],
    ids=["unknown-model", "unknown-name", "not-a-number", "infinite", "no-equals", "missing-file"],
)
def test_bad_input_exits_2_with_a_clear_message(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert message in capsys.readouterr().err
