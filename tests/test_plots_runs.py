"""Run figures: one line per scenario or per knockout run, log scale when it spans decades."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import flywheel  # noqa: E402
from flywheel.plots import plot_run, plot_variable  # noqa: E402


def test_one_line_per_scenario_labelled_by_its_parameters(minimal):
    run = flywheel.simulate(minimal, params={"Learning Rate": [0.1, 0.3]})
    ax = plot_variable(run, "Unit Inference Cost")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Learning Rate=0.1", "Learning Rate=0.3"]
    assert ax.get_yscale() == "log"


def test_a_knockout_draws_base_and_knockout(minimal):
    both = flywheel.knockout(minimal, loop="R1")
    ax = plot_variable(both, "Total Compute Spend")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["base", "knockout"]


def test_small_multiples_hide_unused_panels(minimal):
    axes = plot_run(flywheel.simulate(minimal), ["Tokens Served", "Installed Compute",
                                                  "Total Compute Spend", "Adopters", "Capacity Gap"])
    assert len(axes) == 5
    assert sum(ax.get_visible() for ax in axes[0].figure.axes) == 5
