"""Outputs: provenance in every file, atomic writes, refused paths, the CLI's exit codes (issue 11)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest
import xarray as xr

import flywheel
from flywheel.cli import main
from flywheel.errors import OutputFileError
from flywheel.outputs import check_outputs, read_provenance, save_figure, write_atomic, write_csv

MODELS = Path(__file__).parent / "models"
TESTS_MODELS = Path(__file__).parents[1] / "models"


@pytest.fixture
def model_copy(tmp_path) -> Path:
    path = tmp_path / "stiff.mdl"
    shutil.copyfile(MODELS / "stiff.mdl", path)
    return path


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_write_cut_short_leaves_the_old_file_and_no_debris(tmp_path):
    target = tmp_path / "run.csv"
    target.write_text("the good result\n")

    def half_then_disk_full(temporary: Path) -> None:
        temporary.write_text("trunc")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        write_atomic(target, half_then_disk_full)
    assert target.read_text() == "the good result\n"
    assert [p.name for p in tmp_path.iterdir()] == ["run.csv"]


def test_a_figure_cut_short_leaves_the_old_figure(tmp_path):
    import matplotlib.figure

    target = tmp_path / "fig.png"
    target.write_bytes(b"old png")
    figure = matplotlib.figure.Figure()
    with pytest.raises(TypeError):
        save_figure(figure, target, {}, dpi="not a number")
    assert target.read_bytes() == b"old png"
    assert [p.name for p in tmp_path.iterdir()] == ["fig.png"]


def test_outputs_that_are_inputs_or_each_other_are_refused(tmp_path, model_copy):
    with pytest.raises(OutputFileError, match="is the input"):
        check_outputs([model_copy], inputs=[model_copy])
    with pytest.raises(OutputFileError, match="named for two outputs"):
        check_outputs([tmp_path / "r.png", tmp_path / "." / "r.png"])
    (tmp_path / "a_file").write_text("")
    with pytest.raises(OutputFileError, match="is a file, not a folder"):
        check_outputs([tmp_path / "a_file" / "out.csv"])
    assert check_outputs([None, tmp_path / "new" / "x.csv"]) == [tmp_path / "new" / "x.csv"]


def test_run_refuses_to_write_over_its_model(model_copy, capsys):
    before = model_copy.read_bytes()
    assert main(["run", str(model_copy), "--out", str(model_copy)]) == 2
    assert model_copy.read_bytes() == before
    assert capsys.readouterr().err.count("\n") == 1


def test_run_refuses_a_csv_and_figure_on_one_path(model_copy, tmp_path, capsys):
    assert main(["run", str(model_copy), "--out", str(tmp_path / "r.png")]) == 2
    assert "named for two outputs" in capsys.readouterr().err
    assert not (tmp_path / "r.png").exists()


def test_an_unwritable_output_is_refused_before_the_run(model_copy, tmp_path, monkeypatch):
    def no_run(*args, **kwargs):
        raise AssertionError("the run started before the output path was checked")

    monkeypatch.setattr("flywheel.cli.basics.simulate", no_run)
    (tmp_path / "a_file").write_text("")
    assert main(["run", str(model_copy), "-o", str(tmp_path / "a_file" / "r.csv")]) == 2


def test_run_writes_provenance_in_the_csv_and_the_png(model_copy, tmp_path):
    out = tmp_path / "r.csv"
    assert main(["run", str(model_copy), "-o", str(out), "--method", "euler",
                 "--set", "Adjustment Time=2"]) == 0
    for path in (out, out.with_suffix(".png")):
        record = read_provenance(path)
        assert record["flywheel_version"] == flywheel.__version__
        assert record["model_file"] == str(model_copy)
        assert record["model_sha256"] == _sha256(model_copy)
        assert record["engine"] == "compiled"
        assert record["method"].startswith("euler")
        assert (record["dt"], record["saveper"]) == ("0.25", "1.0")
        assert record["param: Adjustment Time"] == "2.0"
    table = pd.read_csv(out, comment="#", index_col=0)
    run = flywheel.simulate(model_copy, method="euler", params={"Adjustment Time": 2.0})
    assert table.iloc[:, 0].tolist() == run["Level"].values.tolist()


def test_simulate_attrs_carry_the_provenance_and_writers_copy_them(tmp_path):
    run = flywheel.simulate(TESTS_MODELS / "teacup.mdl", params={"Room Temperature": 60.0},
                            rtol=1e-8)
    assert run.attrs["model_sha256"] == _sha256(TESTS_MODELS / "teacup.mdl")
    assert (run.attrs["rtol"], run.attrs["atol"]) == (1e-8, 1e-6)
    path = write_csv(run[["Teacup Temperature"]].to_dataframe(), tmp_path / "t.csv", run.attrs)
    assert read_provenance(path)["rtol"] == "1e-08"


def test_sweep_netcdf_and_figure_carry_provenance(model_copy, tmp_path):
    out, plot = tmp_path / "s.nc", tmp_path / "s.png"
    assert main(["sweep", str(model_copy), "--param", "Adjustment Time=1:2:3",
                 "--outcome", "Level@10", "-o", str(out), "--plot", str(plot),
                 "--no-progress"]) == 0
    with xr.open_dataset(out, engine="scipy") as result:
        assert result.attrs["model_sha256"] == _sha256(model_copy)
        assert result.attrs["flywheel_version"] == flywheel.__version__
        assert result["status"].values.tolist() == [0, 0, 0]
    assert read_provenance(plot)["model_sha256"] == _sha256(model_copy)


def test_a_bad_output_path_is_reported_before_a_failing_run(capsys):
    assert main(["run", str(MODELS / "ln_time.mdl"), "--method", "euler",
                 "-o", "/dev/null/never.csv"]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err


def test_a_failed_simulation_exits_1_naming_variable_and_time(tmp_path, capsys):
    status = main(["run", str(MODELS / "ln_time.mdl"), "--method", "euler",
                   "-o", str(tmp_path / "r.csv")])
    err = capsys.readouterr().err
    assert status == 1
    assert err == ("flywheel run: error: the run of 'ln_time' failed: 'Log Value' is -inf at "
                   "time 10 (a value that is not finite; Vensim stops here too)\n")
    assert not (tmp_path / "r.csv").exists()


def test_range_warnings_are_one_line_and_strict_exits_2(tmp_path, capsys):
    out = tmp_path / "r.csv"
    assert main(["run", "flywheel_minimal", "--method", "euler", "--final-time", "2022",
                 "--set", "Learning Rate=-1", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert err == ("flywheel run: warning: Learning Rate = -1 is outside its documented range "
                   "[0, 0.35]\n")
    assert main(["run", "flywheel_minimal", "--strict", "--set", "Learning Rate=-1",
                 "-o", str(out)]) == 2
