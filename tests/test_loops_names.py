"""Loop-name sidecar files (flywheel.loops.names): format, matching rule, bad input."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import flywheel
from flywheel.errors import LoopNameError, LoopNameWarning
from flywheel.loops.names import LoopName, match_names, read_loop_names, sidecar_path

TEST_MODELS = Path(__file__).parent / "models"


@pytest.fixture
def logistic_copy(tmp_path):
    """The logistic test model in a folder of its own, for sidecars written by the test."""
    path = tmp_path / "logistic.mdl"
    shutil.copy(TEST_MODELS / "ltm_logistic.mdl", path)
    return path


def test_sidecar_beside_the_model_file():
    model = flywheel.load(TEST_MODELS / "ltm_logistic.mdl")
    assert sidecar_path(model) == TEST_MODELS / "ltm_logistic.loops.toml"
    entries = read_loop_names(sidecar_path(model))
    assert entries[0] == LoopName("R1", "Births", ("Population", "Net Growth"),
                                  "reinforcing", "Maximum Growth Rate")


def test_a_sidecar_naming_variables_the_model_lacks_is_an_error(logistic_copy):
    logistic_copy.with_suffix(".loops.toml").write_text(
        '[[loop]]\nid = "R1"\nname = "Births"\nvariables = ["Populaton", "Net Growth"]\n'
        'strength = "Growth Rate"\n')
    with pytest.raises(LoopNameError, match=r"no variable 'Populaton' \(closest: 'Population'"
                                            r".*strength 'Growth Rate' is not a constant"):
        flywheel.feedback_loops(logistic_copy)


def test_names_match_ignoring_case_and_underscores(logistic_copy):
    logistic_copy.with_suffix(".loops.toml").write_text(
        '[[loop]]\nid = "B9"\nname = "Crowding"\nvariables = ["fractional_growth_rate"]\n')
    loops = flywheel.feedback_loops(logistic_copy)
    assert loops["B9"].variables == ("Fractional Growth Rate", "Net Growth", "Population")


def test_an_entry_that_matches_no_loop_warns(logistic_copy):
    logistic_copy.with_suffix(".loops.toml").write_text(
        '[[loop]]\nid = "R7"\nname = "Backwards"\n'
        'variables = ["Net Growth", "Fractional Growth Rate", "Population"]\n')  # reversed
    with pytest.warns(LoopNameWarning, match="R7 .*matches no loop"):
        loops = flywheel.feedback_loops(logistic_copy)
    assert all(l.name == "" for l in loops)


def test_a_wrong_polarity_in_the_sidecar_warns(logistic_copy):
    logistic_copy.with_suffix(".loops.toml").write_text(
        '[[loop]]\nid = "R2"\nname = "Crowding"\npolarity = "reinforcing"\n'
        'variables = ["Fractional Growth Rate"]\n')
    with pytest.warns(LoopNameWarning, match="R2 .* is balancing, but its sidecar says "
                                             "reinforcing"):
        flywheel.feedback_loops(logistic_copy)


def test_names_false_and_an_explicit_path(logistic_copy, tmp_path):
    assert all(l.name == "" for l in flywheel.feedback_loops(
        TEST_MODELS / "ltm_logistic.mdl", names=False))
    other = tmp_path / "names.toml"
    other.write_text('[[loop]]\nid = "X1"\nname = "Only births"\nvariables = ["Net Growth"]\n')
    loops = flywheel.feedback_loops(logistic_copy, names=other)
    assert loops["X1"].variables == ("Net Growth", "Population")  # shortest, from the entry's first


def test_matching_rule_cyclic_order_shortest_and_first_come():
    cycles = [("P", "g"), ("P", "f", "g"), ("P", "h", "f", "g")]
    assert match_names([LoopName("A", "a", ("g", "P"))], cycles) == {
        0: LoopName("A", "a", ("g", "P"))}
    # any rotation of the listed order matches; the reverse order does not
    assert set(match_names([LoopName("A", "a", ("g", "P", "f"))], cycles)) == {1}
    assert match_names([LoopName("A", "a", ("g", "f", "P"))], cycles) == {}
    first, second = LoopName("A", "a", ("f",)), LoopName("B", "b", ("f",))
    assert match_names([first, second], cycles) == {1: first, 2: second}


@pytest.mark.parametrize(("text", "message"), [
    ('[[loop]\nid = "R1"', "cannot read"),
    ('[[loop]]\nname = "x"\nvariables = ["a"]', "needs a non-empty string 'id'"),
    ('[[loop]]\nid = "R1"\nname = "x"\nvariables = []', "needs 'variables'"),
    ('[[loop]]\nid = "R1"\nname = "x"\nvariables = ["a"]\ncolour = "red"', "unknown keys"),
    ('[[loop]]\nid = "R1"\nname = "x"\nvariables = ["a"]\npolarity = "positive"',
     "polarity must be"),
    ('[[loop]]\nid = "R1"\nname = "x"\nvariables = ["a"]\n'
     '[[loop]]\nid = "R1"\nname = "y"\nvariables = ["b"]', "duplicate id 'R1'"),
    ('[loops]\nid = "R1"', "expected only"),
])
def test_malformed_sidecars_are_errors_naming_the_file(tmp_path, text, message):
    path = tmp_path / "bad.loops.toml"
    path.write_text(text)
    with pytest.raises(LoopNameError, match=message) as caught:
        read_loop_names(path)
    assert str(path) in str(caught.value)
