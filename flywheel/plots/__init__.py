"""Figures (matplotlib): every function takes ``ax=None`` and returns what it drew on.

The modules here are the only code in flywheel that imports
:mod:`matplotlib.pyplot`.
"""

from flywheel.plots.experiments import (
    plot_indices,
    plot_phase_diagram,
    plot_sweep,
    plot_threshold_1d,
)
from flywheel.plots.runs import plot_run, plot_variable

__all__ = [
    "plot_indices",
    "plot_phase_diagram",
    "plot_run",
    "plot_sweep",
    "plot_threshold_1d",
    "plot_variable",
]
