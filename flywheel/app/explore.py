"""``flywheel.explore(model)``: the workshop page in a Jupyter notebook, in one call.

The same :class:`~flywheel.app.page.Workshop` as ``flywheel serve``: sliders
by sector, live runs, the loop-dominance band, pins, the loop diagram, the
Jevons phase diagram and the exercises. In a notebook the page lives in the
kernel, so the sliders move only while it runs.

Examples
--------
>>> import flywheel
>>> page = flywheel.explore("flywheel_minimal", **{"Learning Rate": 0.3})
>>> page.values()["Learning Rate"]
0.3
"""

from __future__ import annotations

from pathlib import Path

from flywheel.model import Model, load

__all__ = ["explore"]


def explore(model: Model | str | Path = "flywheel", **settings: float):
    """The workshop page of `model` for a notebook; display it as a cell's last value.

    Parameters
    ----------
    model : Model, str or path
    **settings : float
        Constants to set at the start (held to their ranges, as from a URL).

    Returns
    -------
    flywheel.app.page.Workshop
        Displays as the page in Jupyter; :meth:`~flywheel.app.page.Workshop.values`,
        ``.current`` (the run) and ``.families`` (the loop families) hold its state.
    """
    import panel as pn

    from flywheel.app.page import Workshop
    from flywheel.app.runs import Simulator

    pn.extension()
    runs = Simulator(model if isinstance(model, Model) else load(model))
    return Workshop(runs, query={name: str(value) for name, value in settings.items()})
