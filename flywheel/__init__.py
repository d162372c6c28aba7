"""flywheel: a system-dynamics toolkit and model of the AI compute flywheel.

Model files (Vensim ``.mdl``, XMILE) are the only place equations are written:
flywheel reads them with PySD's translators, runs them, and analyses them.

``import flywheel`` is cheap: each public name imports its module (and the
heavy libraries behind it: xarray, pandas, scipy, PySD, numba...) the first
time it is used.

Examples
--------
>>> import flywheel
>>> flywheel.available_models()
['flywheel', 'flywheel_minimal']
>>> model = flywheel.load("flywheel")
>>> run = flywheel.simulate(model, final_time=2030)
>>> float(run["time"][-1])
2030.0
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flywheel._lazy import lazy_package

if TYPE_CHECKING:  # what the lazy names are, for type checkers and editors
    from flywheel.app.explore import explore
    from flywheel.calibration import backtest, calibrate, compare
    from flywheel.checks import check_model
    from flywheel.experiments import (
        define_problem,
        jevons_decomposition,
        jevons_threshold,
        project,
        sample,
        sensitivity,
        sweep,
    )
    from flywheel.loops import (
        causal_graph,
        dominant_periods,
        feedback_loops,
        knockout,
        loop_dominance,
        loop_families,
    )
    from flywheel.model import Element, Model, available_models, load
    from flywheel.simulate import simulate
    from flywheel.vocabulary import feedback_strengths, key_outputs

#: Public name -> the module that defines it, imported on first use.
_PUBLIC = {
    **dict.fromkeys(["Element", "Model", "available_models", "load"], "flywheel.model"),
    **dict.fromkeys(["backtest", "calibrate", "compare"], "flywheel.calibration"),
    "check_model": "flywheel.checks",
    "explore": "flywheel.app.explore",
    **dict.fromkeys(["define_problem", "jevons_decomposition", "jevons_threshold", "project",
                     "sample", "sensitivity", "sweep"], "flywheel.experiments"),
    **dict.fromkeys(["causal_graph", "dominant_periods", "feedback_loops", "knockout",
                     "loop_dominance", "loop_families"], "flywheel.loops"),
    "simulate": "flywheel.simulate",
    **dict.fromkeys(["feedback_strengths", "key_outputs"], "flywheel.vocabulary"),
}

__all__ = sorted(_PUBLIC)
__version__ = "0.1.0"
lazy_package(__name__, _PUBLIC)
