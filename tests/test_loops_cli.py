"""The loop commands: flywheel loops, dominance and diagram."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from flywheel.cli import main  # noqa: E402

TEST_MODELS = Path(__file__).parent / "models"
LOGISTIC = str(TEST_MODELS / "ltm_logistic.mdl")
BASS = str(TEST_MODELS / "ltm_bass.mdl")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_loops_lists_name_polarity_length_variables(capsys):
    assert main(["loops", LOGISTIC]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "ltm_logistic: 2 loops (exhaustive): 1 reinforcing, 1 balancing"
    rows = [line.split() for line in out.splitlines()[3:]]
    assert rows[0][:4] == ["R1", "Births", "reinforcing", "2"]
    assert "Population -> Net Growth" in out


def test_loops_beyond_the_bound_says_so(capsys):
    assert main(["loops", str(TEST_MODELS / "ltm_dense.mdl"), "--max-loops", "20"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("note: model 'ltm_dense' has more than 20 feedback loops")
    assert "(strongest-path)" in out


def test_dominance_prints_periods_and_writes_plot_and_csv(capsys, tmp_path):
    plot, table = tmp_path / "out" / "dominance.png", tmp_path / "scores.csv"
    assert main(["dominance", LOGISTIC, "--set", "Carrying Capacity=500",
                 "--plot", str(plot), "--out", str(table)]) == 0
    out = capsys.readouterr().out
    assert "R1          Births" in out and "B1          Crowding" in out
    assert "t - dt to t" in out
    assert plot.read_bytes()[:4] == b"\x89PNG"
    scores = pd.read_csv(table, index_col=0, comment="#")
    assert list(scores.columns) == ["R1 Births", "B1 Crowding"]
    assert len(scores) == 241


def test_diagrams_to_png_and_svg(tmp_path):
    svg, png = tmp_path / "sfd.svg", tmp_path / "cld.png"
    assert main(["diagram", BASS, "--kind", "stock-flow", "-o", str(svg)]) == 0
    assert "<svg" in svg.read_text()[:400]
    assert main(["diagram", BASS, "--loops", "R1, B1", "-o", str(png)]) == 0
    assert png.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(("argv", "message"), [
    (["diagram", BASS, "--loops", "R7", "-o", "x.png"], "no loop 'R7'"),
    (["diagram", BASS, "-o", "x.gif"], "must be a .png, .svg or .pdf"),
    (["diagram", BASS, "--kind", "stock-flow", "--loops", "R1", "-o", "x.png"],
     "--loops applies to --kind cld only"),
    (["dominance", LOGISTIC, "--set", "Carying Capacity=3"], "closest: 'Carrying Capacity'"),
    (["dominance", LOGISTIC, "--method", "heun"], "unknown method 'heun'"),
], ids=["unknown-loop", "bad-suffix", "loops-on-stock-flow", "unknown-constant", "bad-method"])
def test_bad_input_is_one_line_and_status_2(capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_dominance_among_named_or_chosen_loops(capsys):
    assert main(["dominance", LOGISTIC, "--loops", "births"]) == 0
    rows = capsys.readouterr().out.splitlines()[3:]
    assert [row.split()[1] for row in rows] == ["R1"]
    assert rows[0].split()[4:6] == ["0.125", "30"]
    assert main(["dominance", LOGISTIC, "--named"]) == 0
    assert "Crowding" in capsys.readouterr().out
    assert main(["dominance", LOGISTIC, "--loops", "R9"]) == 2
    assert "no loop 'R9'" in capsys.readouterr().err
