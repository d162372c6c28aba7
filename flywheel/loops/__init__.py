"""Loop analysis: causal graph, feedback loops, Loops That Matter, knockout.

* :func:`causal_graph` — the model's causal graph with link polarities.
* :func:`feedback_loops` — every loop with polarity, stable id and sidecar name.
* :func:`loop_dominance` — link, loop and relative loop scores over a run;
  :func:`dominant_periods` — which loop dominates from when to when.
* :func:`loop_families` — each sidecar loop with its parallel variants, scored together.
* :func:`knockout` — a run with a link cut or a loop switched off, beside the base run.

Examples
--------
>>> import flywheel
>>> loops = flywheel.feedback_loops("flywheel_minimal")
>>> loops["R1"].name
'Learning flywheel'
"""

from flywheel.loops.cycles import FeedbackLoops, Loop, feedback_loops
from flywheel.loops.dominance import dominant_periods, loop_dominance
from flywheel.loops.families import loop_families
from flywheel.loops.graph import causal_graph
from flywheel.loops.knockout import knockout

__all__ = [
    "FeedbackLoops",
    "Loop",
    "causal_graph",
    "dominant_periods",
    "feedback_loops",
    "knockout",
    "loop_dominance",
    "loop_families",
]
