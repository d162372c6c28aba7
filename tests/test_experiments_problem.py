"""The problem dict: names, default bounds from declared ranges, and bad input."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

import flywheel
from flywheel.errors import ParameterValueError, UnknownParameterError
from flywheel.experiments import OutOfRangeWarning, check_problem, define_problem

MODELS = Path(__file__).parent / "models"


@pytest.fixture(scope="module")
def linear():
    return flywheel.load(MODELS / "sens_linear.mdl")


def test_bounds_default_to_declared_ranges_and_names_resolve(linear):
    problem = define_problem(linear, ["input_a", "INPUT C"])
    assert problem == {
        "names": ["Input A", "Input C"],
        "bounds": [[-1.0, 1.0], [-1.0, 1.0]],
        "num_vars": 2,
    }


def test_given_bounds_and_dists_are_kept(linear):
    problem = define_problem(linear, ["Input A", "Input B"], bounds=[[-0.5, 0.5], None],
                             dists=["unif", "unif"])
    assert problem["bounds"] == [[-0.5, 0.5], [-1.0, 1.0]]
    assert problem["dists"] == ["unif", "unif"]


def test_default_names_are_the_feedback_strengths_present():
    model = flywheel.load(MODELS / "sens_jevons.mdl")
    assert define_problem(model)["names"] == ["Price Elasticity of Demand", "Learning Rate"]


def test_check_problem_needs_bounds_without_a_model():
    with pytest.raises(ParameterValueError, match="no 'bounds'"):
        check_problem({"names": ["a"]})
    assert check_problem({"names": ["a"], "bounds": [[0, "1"]]})["bounds"] == [[0.0, 1.0]]


@pytest.mark.parametrize("bounds", [[[1.0, -1.0]], [[0.5, 0.5]]], ids=["reversed", "empty"])
def test_reversed_or_empty_bounds_are_errors(linear, bounds):
    with pytest.raises(ParameterValueError, match="'Input A' are reversed or empty"):
        define_problem(linear, ["Input A"], bounds=bounds)


def test_bounds_outside_the_declared_range_warn_and_are_kept(linear):
    with pytest.warns(OutOfRangeWarning, match=r"'Input A' reach outside its declared range"):
        problem = define_problem(linear, ["Input A"], bounds=[[-2.0, 0.5]])
    assert problem["bounds"] == [[-2.0, 0.5]]


def test_bounds_inside_the_range_do_not_warn(linear):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        define_problem(linear, ["Input A"], bounds=[[-1.0, 0.0]])


def test_a_name_that_is_not_a_constant_names_the_closest(linear):
    with pytest.raises(UnknownParameterError, match="no constant 'Imput A'; closest: 'Input A'"):
        define_problem(linear, ["Imput A"])
    with pytest.raises(UnknownParameterError, match="no constant 'Linear Output'"):
        define_problem(linear, ["Linear Output"])  # an auxiliary, not a constant


@pytest.mark.parametrize(
    "problem, message",
    [
        ({"names": []}, "at least one name"),
        ({"names": ["Input A", "input a"]}, "repeat: 'Input A'"),
        ({"names": ["Input A"], "bounds": [[0, 1], [0, 1]]}, "2 entries for 1 names"),
        ({"names": ["Input A"], "dists": ["beta"]}, "unknown distribution 'beta'"),
        ({"names": ["Input A"], "dists": ["norm"]}, "give bounds for 'Input A'"),
        ({"names": ["Input A"], "dists": ["norm"], "bounds": [[0, -1]]}, "positive"),
        ({"names": ["Input A"], "dists": ["triang"], "bounds": [[0, 1, 1.5]]}, "peak"),
        ({"names": ["Input A"], "bounds": [[0, "x"]]}, "must be a finite number"),
        (["Input A"], "a problem is a dict"),
    ],
    ids=["no-names", "repeat", "count", "dist", "dist-needs-bounds", "sd", "peak", "nan", "list"],
)
def test_malformed_problems_are_errors(linear, problem, message):
    with pytest.raises(ParameterValueError, match=message):
        check_problem(problem, linear)
