"""flywheel.figures and ``flywheel figures OUTDIR``: every README and workshop figure is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from flywheel.cli import main
from flywheel.errors import ParameterValueError
from flywheel.figures import FIGURES, make_figures

PNG = b"\x89PNG\r\n\x1a\n"
COMMITTED = Path(__file__).parent.parent / "docs" / "figures"
SMALL_GRID = (4, 3)  # the committed figures use the default grid; this keeps the test fast


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> list[Path]:
    return make_figures(tmp_path_factory.mktemp("figures"), grid=SMALL_GRID)


def test_make_figures_writes_every_figure_in_order(written):
    assert [path.name for path in written] == list(FIGURES)
    assert "baseline.png" in FIGURES  # the README shows docs/figures/baseline.png


@pytest.mark.parametrize("name", list(FIGURES))
def test_each_figure_is_a_nonempty_png(written, name):
    path = next(p for p in written if p.name == name)
    data = path.read_bytes()
    assert data.startswith(PNG)
    assert len(data) > 10_000  # a drawn figure, not an empty canvas


def test_only_draws_the_named_figures_into_a_new_folder(tmp_path):
    out = tmp_path / "new" / "folder"
    assert make_figures(out, grid=SMALL_GRID, only=["baseline.png"]) == [out / "baseline.png"]
    assert sorted(p.name for p in out.iterdir()) == ["baseline.png"]


@pytest.mark.parametrize("kwargs, message", [
    ({"only": ["baseline.jpg"]}, "unknown figure(s) 'baseline.jpg'; the figures are baseline.png"),
    ({"grid": (1, 5)}, "grid must be two integers of at least 2"),
    ({"grid": (5,)}, "grid must be two integers of at least 2"),
    ({"grid": (5.0, 3)}, "grid must be two integers of at least 2"),
], ids=["unknown-name", "grid-too-small", "grid-one-count", "grid-float"])
def test_bad_arguments_name_what_is_wrong(tmp_path, kwargs, message):
    with pytest.raises(ParameterValueError, match="^" + message.replace("(", r"\(")
                       .replace(")", r"\)")):
        make_figures(tmp_path, **kwargs)
    assert not any(tmp_path.iterdir())


def test_command_prints_each_path_it_writes(tmp_path, capsys):
    status = main(["figures", str(tmp_path), "--grid", "3", "3", "--only", "baseline.png",
                   "--only", "stock_flow_minimal.png"])
    assert status == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"wrote {(tmp_path / name).resolve()}"
                     for name in ("baseline.png", "stock_flow_minimal.png")]
    assert all((tmp_path / name).read_bytes().startswith(PNG)
               for name in ("baseline.png", "stock_flow_minimal.png"))


def test_command_has_help_with_an_example(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["figures", "--help"])
    assert exit_.value.code == 0
    assert "example: flywheel figures docs/figures" in capsys.readouterr().out


@pytest.mark.parametrize("name", list(FIGURES))
def test_committed_figures_are_current_names_and_small(name):
    path = COMMITTED / name
    assert path.is_file(), f"run: flywheel figures {COMMITTED.relative_to(COMMITTED.parents[1])}"
    assert path.read_bytes().startswith(PNG)
    assert path.stat().st_size < 300_000
