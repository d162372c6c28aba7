"""flywheel sweep, sensitivity and threshold: files written, tables printed, errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import xarray as xr

from flywheel.cli import main
from flywheel.cli.experiments import parse_param
from flywheel.errors import ParameterValueError
from flywheel.plots import plot_sweep

MODELS = Path(__file__).parent / "models"
JEVONS = str(MODELS / "sens_jevons.mdl")
LINEAR = str(MODELS / "sens_linear.mdl")


def test_sweep_writes_netcdf_and_a_figure(tmp_path, capsys):
    out, plot = tmp_path / "sweep.nc", tmp_path / "sweep.png"
    status = main(["sweep", JEVONS, "--param", "Price Elasticity of Demand=0.5:2.5:5",
                   "--outcome", "Total Compute Spend@2035/2025", "--outcome",
                   "Unit Inference Cost", "--out", str(out), "--plot", str(plot),
                   "--no-progress"])
    assert status == 0 and plot.stat().st_size > 0
    result = xr.load_dataset(out, engine="scipy")
    assert result["Price Elasticity of Demand"].values.tolist() == [0.5, 1.0, 1.5, 2.0, 2.5]
    assert result["Unit Inference Cost"].dims == ("time", "scenario")
    assert "Total Compute Spend@2035/2025" in capsys.readouterr().out
    assert plot_sweep(result).get_xlabel() == "Price Elasticity of Demand [Dmnl]"  # reloaded


def test_sweep_with_latin_sampling_to_csv(tmp_path):
    out = tmp_path / "sweep.csv"
    assert main(["sweep", JEVONS, "--param", "Learning Rate", "--sample", "latin", "--n", "6",
                 "--seed", "3", "--out", str(out), "--no-progress"]) == 0
    assert len(pd.read_csv(out, comment="#")) == 6


def test_sensitivity_prints_and_writes_the_indices(tmp_path, capsys):
    out, plot = tmp_path / "indices.csv", tmp_path / "indices.png"
    assert main(["sensitivity", LINEAR, "--method", "morris", "--n", "10",
                 "--param", "Input A", "--param", "Input B=-1:1", "--outcome", "Linear Output@1",
                 "--seed", "1", "--out", str(out), "--plot", str(plot), "--no-progress"]) == 0
    table = pd.read_csv(out, index_col="input", comment="#")
    assert table.loc["Input A", "mu_star"] == pytest.approx(8.0)
    assert "morris indices of Linear Output@1 (30 runs, seed 1)" in capsys.readouterr().out


def test_threshold_draws_the_phase_diagram(tmp_path, capsys):
    phase, one = tmp_path / "phase.png", tmp_path / "one.png"
    assert main(["threshold", JEVONS, "--plot", str(phase), "--n", "5,3", "--one-d", str(one),
                 "--out", str(tmp_path / "grid.nc"), "--no-progress"]) == 0
    assert phase.stat().st_size > 0 and one.stat().st_size > 0
    grid = xr.load_dataset(tmp_path / "grid.nc", engine="scipy")
    assert grid["threshold"].values == pytest.approx([1.0, 1.0, 1.0])
    printed = capsys.readouterr().out
    assert "Price Elasticity of Demand at the flip" in printed and "0.225" in printed


@pytest.mark.parametrize(
    "argv, message",
    [
        (["sweep", JEVONS], "give the constants to vary with --param"),
        (["sweep", JEVONS, "--param", "Learning Rate=0.3:0.1"], "reversed"),
        (["sweep", JEVONS, "--param", "Learning Rate=0.1:0.3:9", "--sample", "latin"],
         "POINTS in --param apply to --sample grid"),
        (["sweep", JEVONS, "--param", "Lerning Rate"], "closest: 'Learning Rate'"),
        (["sweep", JEVONS, "--param", "Learning Rate", "--outcome", "Capex@2030"],
         "no element 'Capex'"),
        (["sensitivity", JEVONS, "--n", "100"], "power of 2"),
        (["threshold", JEVONS, "--scheduler", "tcp://127.0.0.1:1"], "no Dask scheduler"),
    ],
    ids=["no-param", "reversed", "points", "unknown", "outcome", "sobol-n", "scheduler"],
)
def test_bad_input_prints_one_line_and_exits_2(argv, message, capsys, monkeypatch):
    monkeypatch.setattr("flywheel.experiments.executors.CONNECT_TIMEOUT", 1.0)
    assert main([*argv, "--no-progress"]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("text", ["=1:2", "Learning Rate=1", "Learning Rate=1:2:x"])
def test_parse_param_rejects_malformed_specs(text):
    with pytest.raises(ParameterValueError, match="--param"):
        parse_param(text)
