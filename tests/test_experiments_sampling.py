"""sample(): run counts per method, reproducibility with a seed, grids, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from flywheel.errors import ParameterValueError
from flywheel.experiments import SAMPLERS, sample

PROBLEM = {"names": ["a", "b", "c"], "bounds": [[0, 1], [10, 20], [-1, 1]], "num_vars": 3}


@pytest.mark.parametrize(
    "method, n, runs",
    [("grid", 3, 27), ("grid", (2, 3, 4), 24), ("latin", 10, 10), ("sobol", 8, 8 * (2 * 3 + 2)),
     ("morris", 5, 5 * (3 + 1))],
    ids=["grid", "grid-per-name", "latin", "sobol", "morris"],
)
def test_run_counts_and_values_within_bounds(method, n, runs):
    samples = sample(PROBLEM, n, method=method, seed=4)
    assert samples.values.shape == (runs, 3)
    low, high = np.array(PROBLEM["bounds"]).T
    assert np.all((samples.values >= low) & (samples.values <= high))
    assert list(samples.to_df().columns) == ["a", "b", "c"]


def test_sobol_without_second_order_has_fewer_runs():
    assert len(sample(PROBLEM, 8, method="sobol", seed=1, second_order=False)) == 8 * (3 + 2)


def test_grid_is_the_full_product_with_the_first_name_slowest():
    grid = sample({"names": ["a", "b"], "bounds": [[0, 1], [0, 2]]}, (2, 3), method="grid")
    assert grid.values.tolist() == [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]]
    assert grid.seed is None


@pytest.mark.parametrize("method", ["latin", "sobol", "morris"])
def test_a_seed_reproduces_and_another_seed_differs(method):
    first = sample(PROBLEM, 8, method=method, seed=11)
    np.testing.assert_array_equal(first.values, sample(PROBLEM, 8, method=method, seed=11).values)
    assert not np.array_equal(first.values, sample(PROBLEM, 8, method=method, seed=12).values)


def test_without_a_seed_the_drawn_seed_is_recorded_and_reproduces():
    drawn = sample(PROBLEM, 8, method="latin")
    assert isinstance(drawn.seed, int) and 0 <= drawn.seed < 2**31
    again = sample(PROBLEM, 8, method="latin", seed=drawn.seed)
    np.testing.assert_array_equal(drawn.values, again.values)


def test_sampling_does_not_change_the_problem():
    problem = {"names": ["a"], "bounds": [[0, 1]]}
    sample(problem, 4, method="latin", seed=1)
    assert problem == {"names": ["a"], "bounds": [[0, 1]]}


def test_normal_inputs_follow_their_distribution():
    # 4096 Latin-hypercube draws of N(5, 2): the sample mean is within 0.05 (10x its
    # standard error of 2/sqrt(4096) = 0.03 is loose; LHS makes it far smaller).
    problem = {"names": ["a"], "bounds": [[5.0, 2.0]], "dists": ["norm"]}
    values = sample(problem, 4096, method="latin", seed=3).values[:, 0]
    assert abs(values.mean() - 5.0) < 0.05 and abs(values.std() - 2.0) < 0.05


def test_columns_give_params_for_simulate():
    samples = sample(PROBLEM, 2, method="grid")
    columns = samples.columns(2, 4)
    assert list(columns) == ["a", "b", "c"]
    np.testing.assert_array_equal(columns["c"], samples.values[2:4, 2])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n": 4, "method": "halton"}, "unknown sampling method 'halton'; valid methods: "
                                       + ", ".join(SAMPLERS)),
        ({"n": 1000, "method": "sobol"}, "power of 2 .*; got 1000, try 1024"),
        ({"n": 0, "method": "latin"}, "integer >= 1"),
        ({"n": (2, 3), "method": "grid"}, "one count per name"),
        ({"n": 1, "method": "grid"}, "integer >= 2"),
        ({"n": 2.5, "method": "latin"}, "integer"),
        ({"n": 4, "method": "morris", "levels": 3}, "even"),
        ({"n": 4, "method": "latin", "seed": 1.5}, "seed must be an integer"),
    ],
    ids=["method", "sobol-n", "zero", "grid-counts", "grid-one", "float", "levels", "seed"],
)
def test_bad_arguments_are_errors(kwargs, message):
    with pytest.raises(ParameterValueError, match=message):
        sample(PROBLEM, **kwargs)


def test_a_grid_needs_uniform_inputs():
    problem = {"names": ["a"], "bounds": [[0.0, 1.0]], "dists": ["norm"]}
    with pytest.raises(ParameterValueError, match="uniform"):
        sample(problem, 3, method="grid")
