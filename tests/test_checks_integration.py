"""Integration error: the stated bounds, and a model whose time step is too coarse."""

from __future__ import annotations

import numpy as np
import pytest

import flywheel
from flywheel.checks.integration import (
    ADAPTIVE_BOUND,
    EULER_BOUND,
    integration_error,
    relative_change,
)

from conftest import TEST_MODELS


def test_relative_change_is_relative_and_zero_for_equal_values():
    a = np.array([0.0, 1.0, 110.0, -2.0])
    b = np.array([0.0, 1.0, 100.0, -1.0])
    assert relative_change(a, b).tolist() == pytest.approx([0.0, 0.0, 0.1, 1.0])


def test_stated_bounds():
    assert (EULER_BOUND, ADAPTIVE_BOUND) == (0.03, 0.001)


def test_smooth_model_passes_both_comparisons(teacup):
    rows = integration_error(teacup)
    assert [(r.comparison, r.passed) for r in rows] == [
        ("Euler dt vs dt/2", True), ("RK45 tolerance 1e-6 vs 1e-9", True)]
    # Teacup: Euler's relative error after n steps of dt/tau = 1/80 is about n (dt/tau)^2 / 2.
    assert rows[0].change < 0.01


def test_time_step_too_coarse_for_the_time_constant_fails(tmp_path):
    # tau = 0.25 minute with dt = 0.125: dt/tau = 1/2, Euler is far off (7% on halving dt).
    text = (TEST_MODELS / "teacup.mdl").read_text().replace("Time=\n\t10", "Time=\n\t0.25")
    path = tmp_path / "fast_teacup.mdl"
    path.write_text(text)
    [euler, adaptive] = integration_error(flywheel.load(path))
    assert not euler.passed and euler.change > 2 * EULER_BOUND
    assert adaptive.passed


@pytest.mark.parametrize("name", flywheel.available_models())
def test_bundled_models_within_bounds(name):
    failed = [r for r in integration_error(flywheel.load(name)) if not r.passed]
    assert not failed, "\n".join(f"{r.comparison}: {r.variable} {r.change:.2%}" for r in failed)
