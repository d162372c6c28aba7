"""The workshop's commands: selftest, export-html, --version and loops --named."""

from __future__ import annotations

import re

import pytest

import flywheel
from flywheel.app.selftest import CHECKS, Check, selftest
from flywheel.cli import main


def test_selftest_passes_here_and_reports_each_check(capsys):
    assert main(["selftest"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == len(CHECKS) + 1 and out[-1].startswith("all checks passed")
    assert all(line.split()[0] in ("ok", "skip") for line in out[:-1])


def test_selftest_fails_when_a_check_fails_or_raises():
    lines = []

    def wrong() -> Check:
        return Check("wrong", False, "a result off by 1e-3")

    def broken() -> Check:
        raise ImportError("no module named numba")

    assert not selftest((wrong, broken), echo=lines.append)
    assert lines[0].startswith("FAIL wrong") and "ImportError" in lines[1]
    assert lines[-1].startswith("2 check(s) failed")


def test_version(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"flywheel {flywheel.__version__}"


def test_loops_named_lists_only_the_sidecar_loops(capsys):
    assert main(["loops", "flywheel", "--named"]) == 0
    out = capsys.readouterr().out
    named = [loop.id for loop in flywheel.feedback_loops("flywheel") if loop.name]
    listed = re.findall(r"^([RBL]\w+)\s{2,}", out, flags=re.MULTILINE)
    assert listed == named
    assert f"{len(named)} named loops" in out


@pytest.mark.parametrize(("argv", "message"), [
    (["--vary", "Learning Rate"], "two or three different constants"),
    (["--vary", "Learning Rate,FINAL TIME"], "not a constant"),
    (["--points", "1"], "--points must be 2 to 25"),
])
def test_export_html_refuses_bad_input(tmp_path, capsys, argv, message):
    assert main(["export-html", "flywheel_minimal", str(tmp_path / "x.html"), *argv]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.html").exists()


def test_export_html_writes_one_self_contained_file(tmp_path, capsys):
    out = tmp_path / "room.html"
    assert main(["export-html", "flywheel_minimal", str(out), "--points", "3"]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    text = out.read_text(encoding="utf-8")
    assert re.findall(r"<(?:script|link)[^>]*(?:src|href)=", text) == []
    assert "flywheel workshop: flywheel_minimal (offline)" in text
