"""The disk cache of PySD's parse (flywheel/parsed.py): same model, fresh objects, never stale."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

import flywheel
from flywheel.errors import ModelFileError
from flywheel.model import parse_file
from flywheel.parsed import parsed_folder

from conftest import TEST_MODELS


@pytest.fixture()
def teacup_copy(tmp_path):
    path = tmp_path / "teacup.mdl"
    shutil.copy(TEST_MODELS / "teacup.mdl", path)
    return path.resolve()


def _entries():
    return set(parsed_folder().glob("*.pickle"))


def test_a_cached_parse_is_written_once_and_read_as_a_fresh_object(teacup_copy):
    before = _entries()
    first = parse_file(teacup_copy)
    written = _entries() - before
    assert len(written) == 1
    (entry,) = written
    stamp = entry.stat().st_mtime_ns
    again = parse_file(teacup_copy)
    assert _entries() - before == written and entry.stat().st_mtime_ns == stamp  # read, not rewritten
    assert repr(first[0]) == repr(again[0]) and first[1:] == again[1:]
    assert first[0] is not again[0]  # the caller's to change
    assert oct(parsed_folder().stat().st_mode & 0o777) == "0o700"


def test_the_cached_parse_equals_a_parse_without_the_cache(teacup_copy):
    from flywheel.model import _parse

    cached = parse_file(teacup_copy)
    parse_file(teacup_copy)
    assert repr(parse_file(teacup_copy)[0]) == repr(_parse(teacup_copy)[0]) == repr(cached[0])


def test_an_edited_file_is_parsed_again(teacup_copy):
    first = flywheel.load(teacup_copy)
    text = teacup_copy.read_text().replace("Room Temperature=\n\t70", "Room Temperature=\n\t60")
    assert text != teacup_copy.read_text()
    teacup_copy.write_text(text)
    second = flywheel.load(teacup_copy)
    assert first.constants["Room Temperature"] == 70 and second.constants["Room Temperature"] == 60
    run = flywheel.simulate(second, method="euler")
    assert np.isclose(float(run["Room Temperature"].isel(time=-1)), 60)


def test_a_damaged_entry_is_parsed_again_and_replaced(teacup_copy):
    before = _entries()
    expected = repr(parse_file(teacup_copy)[0])
    (entry,) = _entries() - before
    entry.write_bytes(entry.read_bytes()[:40])  # truncated
    assert repr(parse_file(teacup_copy)[0]) == expected
    assert entry.stat().st_size > 40


def test_a_file_that_fails_to_parse_is_not_cached(tmp_path):
    bad = tmp_path / "bad.mdl"
    bad.write_text("{UTF-8}\nx = (1 +\n\t~\t~\t|\n")
    before = _entries()
    for _ in range(2):
        with pytest.raises(ModelFileError, match="bad.mdl"):
            flywheel.load(bad)
    assert _entries() == before
