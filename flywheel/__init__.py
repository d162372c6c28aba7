"""flywheel: a system-dynamics toolkit and model of the AI compute flywheel.

Model files (Vensim ``.mdl``, XMILE) are the only place equations are written:
flywheel reads them with PySD's translators, runs them, and analyses them.

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

from flywheel.calibration import calibrate, compare
from flywheel.checks import check_model
from flywheel.experiments import (
    define_problem,
    jevons_threshold,
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

__all__ = [
    "Element",
    "Model",
    "available_models",
    "calibrate",
    "causal_graph",
    "check_model",
    "compare",
    "define_problem",
    "dominant_periods",
    "feedback_strengths",
    "feedback_loops",
    "jevons_threshold",
    "key_outputs",
    "knockout",
    "load",
    "loop_dominance",
    "loop_families",
    "sample",
    "sensitivity",
    "simulate",
    "sweep",
]
__version__ = "0.1.0"
