"""Shared axis styling of the figures: time axes ticked at whole years.

Examples
--------
>>> from matplotlib.figure import Figure
>>> ax = Figure().subplots()
>>> _ = ax.plot([2020.0, 2040.0], [0.0, 1.0])
>>> year_axis(ax)
>>> [t.get_text() for t in ax.get_xticklabels()][:3]
['2015', '2020', '2025']
"""

from __future__ import annotations

from matplotlib.ticker import MultipleLocator, NullLocator, StrMethodFormatter

__all__ = ["year_axis"]


def year_axis(ax) -> None:
    """Tick the x axis of `ax` at whole years: every year over 12 years or less, else every 5
    (or 10) with a minor tick each year; labels without decimals."""
    low, high = ax.get_xlim()
    span = abs(high - low)
    major = 1 if span <= 12 else 5 if span <= 60 else 10
    ax.xaxis.set_major_locator(MultipleLocator(major))
    ax.xaxis.set_minor_locator(MultipleLocator(1) if major > 1 and span <= 60 else NullLocator())
    ax.xaxis.set_major_formatter(StrMethodFormatter("{x:.0f}"))
