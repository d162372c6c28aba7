"""Model text never becomes code; PySD's translation cache is private, locked and checked.

See the section "Security: model text never becomes code" of docs/reliability.md.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

import flywheel
from flywheel.errors import CacheFolderError, ModelFileError
from flywheel.translation import cache_root, translated_module

FAULTS = Path(__file__).parent / "models"
TEACUP = Path(__file__).parents[1] / "models" / "teacup.mdl"
#: Touches MARKER in the working folder if any of it runs as code.
PAYLOAD = '__import__("pathlib").Path("MARKER").touch()'


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch) -> Path:
    """An empty cache folder of this test's own."""
    monkeypatch.setenv("FLYWHEEL_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.mark.parametrize("engine", ["compiled", "pysd"])
def test_file_name_never_runs_as_code(tmp_path, monkeypatch, fresh_cache, engine):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / f't"""; {PAYLOAD}; """.mdl'
    shutil.copyfile(TEACUP, path)
    run = flywheel.simulate(path, engine=engine, method="euler")
    assert not (tmp_path / "MARKER").exists()
    # the run is the teacup's: Euler from 180 towards 70, as PySD computes it
    assert float(run["Teacup Temperature"][-1]) == pytest.approx(75.374, abs=1e-3)


@pytest.mark.parametrize("engine", ["compiled", "pysd"])
def test_names_and_comments_never_run_as_code(tmp_path, monkeypatch, fresh_cache, engine):
    """A backslash and quotes in names, triple quotes in comments (odd_names.mdl)."""
    monkeypatch.chdir(tmp_path)
    run = flywheel.simulate(FAULTS / "odd_names.mdl", engine=engine, method="euler")
    assert not (tmp_path / "DOC_MARKER").exists()
    # stock' = 0.1 * stock from 1: Euler with dt = 1 gives 1.1 ** t exactly
    stock = run['"Bad \\N name"'].to_numpy()
    np.testing.assert_allclose(stock, 1.1 ** np.arange(11), rtol=1e-12)


def test_compiled_source_carries_model_text_only_as_literals():
    model = flywheel.load(FAULTS / "odd_names.mdl")
    source = model.compiled.source
    assert "STATE_ROWS = ('\"Bad \\\\N name\"', )" in source
    compile(source, "<check>", "exec")


def test_text_pysd_would_paste_unescaped_is_refused(tmp_path, fresh_cache):
    text = (TEACUP.read_text().replace(
        "Room Temperature=\n\t70",
        "Room Temperature=\n\tGET DIRECT CONSTANTS('c.csv', \"',\", 'B2')"))
    (tmp_path / "c.csv").write_text("a,70\n")
    path = tmp_path / "quoted.mdl"
    path.write_text(text)
    with pytest.raises(ModelFileError, match="element Room Temperature holds the text"):
        flywheel.simulate(path, engine="pysd")
    # refused before anything was translated (only PySD's parse, which runs nothing, is kept)
    assert not (fresh_cache / "flywheel" / "pysd").exists()
    assert [p.parent.name for p in fresh_cache.rglob("*.*")] == ["parsed"]


# ------------------------------------------------------------- the translation cache


def test_eight_threads_on_an_empty_cache_all_succeed(fresh_cache):
    stdout = sys.stdout
    results, errors = [], []

    def run():
        try:
            run = flywheel.simulate(TEACUP, engine="pysd")
            results.append(float(run["Teacup Temperature"][-1]))
        except Exception as error:  # noqa: BLE001 - every failure is reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert results == [pytest.approx(75.374, abs=1e-3)] * 8
    assert sys.stdout is stdout
    entries = [p for p in (fresh_cache / "flywheel" / "pysd").iterdir() if p.is_dir()]
    assert len(entries) == 1  # one translation, no temporary folders left


def test_truncated_module_is_translated_again(fresh_cache):
    model = flywheel.load(TEACUP)
    module = translated_module(model)
    good = module.read_text()
    module.write_text(good[: len(good) // 2])
    run = flywheel.simulate(model, engine="pysd")
    assert float(run["Teacup Temperature"][-1]) == pytest.approx(75.374, abs=1e-3)
    assert module.read_text() == good


def test_cache_is_private(fresh_cache):
    translated_module(flywheel.load(TEACUP))
    assert cache_root().stat().st_mode & 0o777 == 0o700


def test_cache_writable_by_others_is_refused(fresh_cache):
    cache_root().mkdir(parents=True)
    cache_root().chmod(0o777)
    with pytest.raises(CacheFolderError, match="may be written by other users"):
        flywheel.simulate(TEACUP, engine="pysd")


@pytest.mark.skipif(os.getuid() != 0, reason="giving a folder to another user needs root")
def test_cache_of_another_user_is_refused(fresh_cache):
    cache_root().mkdir(parents=True, mode=0o700)
    os.chown(cache_root(), 65534, -1)
    with pytest.raises(CacheFolderError, match="belongs to another user"):
        flywheel.simulate(TEACUP, engine="pysd")


def test_no_fallback_to_a_shared_folder(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("FLYWHEEL_CACHE", str(blocker))
    with pytest.raises(CacheFolderError, match="set FLYWHEEL_CACHE"):
        flywheel.simulate(TEACUP, engine="pysd")


# ------------------------------------------------------------------- data files


def _reads(tmp_path: Path, name: str, written: str) -> Path:
    """A copy of data_files/room_from_csv.mdl in `tmp_path`/model reading `written`."""
    text = (FAULTS / "data_files" / "room_from_csv.mdl").read_text()
    (tmp_path / "model").mkdir(exist_ok=True)
    path = tmp_path / "model" / name
    path.write_text(text.replace("'room.csv'", repr(written)))
    return path


def test_data_files_are_read_beside_the_model(tmp_path, monkeypatch, fresh_cache):
    monkeypatch.chdir(tmp_path)  # not the model's folder, nor the cache's
    run = flywheel.simulate(FAULTS / "data_files" / "room_from_csv.mdl", engine="pysd")
    assert float(run["Room Temperature"][0]) == 70.0  # room.csv beside the model
    assert float(run["Teacup Temperature"][-1]) == pytest.approx(75.374, abs=1e-3)
    copies = list(fresh_cache.rglob("data/*.csv"))
    assert [p.read_text() for p in copies] == ["name,value\nroom,70\n"]


def test_changed_data_file_is_read_again(tmp_path, fresh_cache):
    path = _reads(tmp_path, "room.mdl", "room.csv")
    for value in (70, 20):
        (tmp_path / "model" / "room.csv").write_text(f"name,value\nroom,{value}\n")
        run = flywheel.simulate(path, engine="pysd")
        assert float(run["Room Temperature"][0]) == value


@pytest.mark.parametrize("where", ["absolute", "parent"])
def test_data_files_outside_the_model_folder_are_refused(tmp_path, fresh_cache, where):
    (tmp_path / "outside").mkdir()
    secret = tmp_path / "outside" / "room.csv"
    secret.write_text("name,value\nroom,20\n")
    written = str(secret) if where == "absolute" else "../outside/room.csv"
    path = _reads(tmp_path, "outside.mdl", written)
    with pytest.raises(ModelFileError) as caught:
        flywheel.simulate(path, engine="pysd")
    message = str(caught.value)
    assert "element 'Room Temperature'" in message and repr(written) in message
    assert "allow_data_outside_folder=True" in message
    allowed = flywheel.load(path, allow_data_outside_folder=True)
    assert float(flywheel.simulate(allowed, engine="pysd")["Room Temperature"][0]) == 20.0


def test_missing_data_file_is_named(tmp_path, fresh_cache):
    path = _reads(tmp_path, "missing.mdl", "nowhere.csv")
    with pytest.raises(ModelFileError, match=r"element 'Room Temperature' reads the data "
                                             r"file 'nowhere.csv', but there is no file"):
        flywheel.simulate(path, engine="pysd")
