"""Figures (matplotlib): every function takes ``ax=None`` and returns what it drew on.

The modules here are the only code in flywheel that imports
:mod:`matplotlib.pyplot`.
"""

from flywheel.plots.calibration import plot_calibration
from flywheel.plots.diagrams import plot_causal_loop_diagram, plot_stock_flow_diagram
from flywheel.plots.dominance import plot_loop_dominance
from flywheel.plots.experiments import (
    plot_indices,
    plot_phase_diagram,
    plot_sweep,
    plot_threshold_1d,
)
from flywheel.plots.runs import plot_bands, plot_run, plot_variable
from flywheel.plots.scenarios import plot_scenarios

__all__ = [
    "plot_bands",
    "plot_calibration",
    "plot_causal_loop_diagram",
    "plot_indices",
    "plot_loop_dominance",
    "plot_phase_diagram",
    "plot_run",
    "plot_scenarios",
    "plot_stock_flow_diagram",
    "plot_sweep",
    "plot_threshold_1d",
    "plot_variable",
]
