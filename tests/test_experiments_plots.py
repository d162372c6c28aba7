"""Figures of experiments: each returns its Axes and draws what it promises."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pytest

import flywheel
from flywheel.experiments import define_problem, jevons_threshold, sample, sensitivity, sweep
from flywheel.plots import plot_indices, plot_phase_diagram, plot_sweep, plot_threshold_1d

matplotlib.use("Agg")
MODELS = Path(__file__).parent / "models"


@pytest.fixture(autouse=True)
def close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="module")
def threshold():
    return jevons_threshold(MODELS / "sens_jevons.mdl", n=(5, 3), progress=False)


@pytest.fixture(scope="module")
def linear_result():
    model = flywheel.load(MODELS / "sens_linear.mdl")
    samples = sample(define_problem(model, ["Input A", "Input B"]), 16, method="sobol", seed=2)
    return sweep(model, samples, outcomes=["Linear Output@1", "Growing Output"], progress=False)


def test_phase_diagram_has_the_threshold_contour_and_the_defaults(threshold):
    ax = plot_phase_diagram(threshold)
    assert ax.get_xlabel() == "Price Elasticity of Demand [Dmnl]"
    assert ax.get_ylabel() == "Learning Rate [Dmnl]"
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["threshold (spend ratio = 1)", "model defaults"]
    np.testing.assert_allclose(ax.get_lines()[0].get_xdata(), 1.0)
    assert len(ax.collections) >= 2  # the mesh and the ratio = 1 contour


def test_threshold_1d_marks_the_flip(threshold):
    ax = plot_threshold_1d(threshold, y=0.35)
    assert ax.get_yscale() == "log" and "Learning Rate = 0.35" in ax.get_title()
    vertical = [line for line in ax.get_lines() if np.ptp(line.get_xdata()) == 0]
    assert vertical and vertical[-1].get_xdata()[0] == pytest.approx(1.0)


def test_indices_plots_for_both_methods_and_over_time(linear_result):
    sobol = sensitivity(linear_result, "Linear Output@1")
    assert len(plot_indices(sobol).patches) == 2 * 2  # S1 and ST bars per input
    assert sobol.plot().get_ylabel() == "Sobol index"
    over_time = plot_indices(sensitivity(linear_result, "Growing Output"))
    assert over_time.get_xlabel() == "time" and len(over_time.get_lines()) == 2 * 2
    model = flywheel.load(MODELS / "sens_linear.mdl")
    morris = sweep(model, sample(define_problem(model, ["Input A", "Input B"]), 4,
                                 method="morris", seed=1),
                   outcomes=["Linear Output@1"], progress=False)
    assert "μ*" in plot_indices(sensitivity(morris)).get_xlabel()


def test_sweep_plots_scalars_and_series(linear_result):
    assert plot_sweep(linear_result, "Linear Output@1").get_xlabel() == "Input A [Dmnl]"
    series = plot_sweep(linear_result, "Growing Output", x="Input B")
    assert len(series.get_lines()) == linear_result.sizes["scenario"]
