"""Figures (matplotlib): every function takes ``ax=None`` and returns what it drew on.

The modules here are the only code in flywheel that imports
:mod:`matplotlib.pyplot`.
"""

from flywheel.plots.runs import plot_run, plot_variable

__all__ = ["plot_run", "plot_variable"]
