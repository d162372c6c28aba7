"""The workshop exercises of notebook 06, each with the insight it should produce.

The questions are those of ``notebooks/06_workshop_exercises.ipynb`` (a test
keeps the titles in step); the insights follow
``notebooks/06_workshop_solutions.ipynb``, which computes every number they
rest on. The page shows each insight behind a "show the insight" toggle for
the facilitator.

Examples
--------
>>> EXERCISES[0].title
'Where is the Jevons threshold in the research model?'
>>> len(EXERCISES)
6
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EXERCISES", "Exercise"]


@dataclass(frozen=True)
class Exercise:
    """One exercise: its title, the question (Markdown) and the insight (Markdown)."""

    title: str
    question: str
    insight: str


EXERCISES = (
    Exercise(
        'Where is the Jevons threshold in the research model?',
        'Move *Price Elasticity of Demand* down from its default towards 0.3 and up to 2.0.\nWatch *Total Compute Spend* after 2030, once adoption has saturated.\n\n* Below which elasticity does spend in 2040 fall below its 2030 level?\n* Why is that not 1, the textbook threshold (spend ∝ cost<sup>1−e</sup>)? Which forces\n  besides price keep usage growing?',
        'The threshold of the full model is not 1: spend keeps growing after 2030\nat elasticities far below 1, where the pure price story (notebook 03) says it should\nshrink, if it flips at all. Spend = unit cost × tokens, and in the research model tokens\ngrow for reasons of their own (try e = 0: tokens still grow):\ncapability raises tokens per adopter and reasoning multiplies tokens per task,\nwhatever the price. That non-price growth has to be outweighed by the cost decline\nbefore spend falls. At high elasticities the 2030-2040 growth shrinks again: most of\nthe growth has happened before 2030 and usage is nearer its ceiling (*Maximum Tasks\nper Adopter*). The Jevons question is never only about elasticity.',
    ),
    Exercise(
        'Boom and bust',
        'Set *Supply Line Weight* to 0 (planners forget what they already ordered) and\n*Forecast Horizon* to 3 or 4 years (they extrapolate the demand trend far ahead).\n\n* What happens to *Capex* and *Utilization* around the end of the 2020s? Compare the\n  peak capex and the lowest utilisation with the defaults.\n* Which loop did you weaken, and why does that produce overshoot?',
        'With *Supply Line Weight* 0 the B4 Supply line loop is off: planners order\nfor the capacity gap again and again while the compute they ordered is still under\nconstruction (1-2 years), and a long forecast horizon adds momentum by extrapolating\nthe boom. The result is overshoot: a higher capex peak, then idle capacity (utilisation\nfalls) and a capex slump. The delay plus a missing balancing loop makes the boom-bust;\nno outside shock is needed.',
    ),
    Exercise(
        'Who drives growth?',
        'R2 Capability (revenue → training → capability → demand) is the loop many people\nwould name first. Find it in the loop-dominance band, then switch it off\n(*Training Reinvestment Fraction* = 0).\n\n* How much of the dominance does R2 carry, and how much lower is total compute spend\n  in 2035 without it?\n* Which family dominates with the defaults? Switch that one off with its strength\n  (*Imitation Coefficient* for R3): is the loop that dominates the one whose removal\n  changes spend the most?',
        'Dominance and importance are different questions. R2 Capability barely\nregisters in the dominance summary, yet without it 2035 spend is clearly lower (the\nsolutions notebook prints by how much): a loop can set the *level* without ever driving the\n*changes*. The family that dominates with the defaults (see the band) is also one\nthe market cannot do without: knock it out and spend collapses. Loops whose knockout changes spend a lot (fixed-cost\nspreading, market saturation) need not dominate either. Read the dominance summary\nfor *when* behaviour changes character, and knockouts for *how much* a loop is worth.',
    ),
    Exercise(
        'Learning or elasticity?',
        'Set each of *Learning Rate* and *Price Elasticity of Demand* to the low and the high end\nof its range, the other at its default.\n\n* Which of the two moves the 2030 *Unit Inference Cost* more? Which moves the 2040\n  *Total Compute Spend* more?\n* Why can a strength that barely changes unit cost still change spend a lot?',
        'Both strengths move unit cost: learning directly (hardware cost per\ncompute), elasticity indirectly (more usage → more shipments and more tokens → more\nhardware and algorithmic learning). They move 2040 spend in *opposite* directions.\nHigher elasticity turns each cost saving into more usage, so spend rises. Faster\nlearning lowers unit cost but, with the default elasticity, lowers 2040 spend: by then\ntasks per adopter are well on their way to the ceiling, where a lower price adds\nlittle usage, so the demand that is left responds less than one-for-one and the\nsavings are kept rather than spent. Whether cheaper compute raises spend depends on\nhow much room demand still has to respond.',
    ),
    Exercise(
        'Scarcity pricing',
        'Set *Scarcity Pricing Strength* to 0 and to its maximum.\n\n* How does the highest utilisation change? And the price path?\n* What does loop B1 protect against, and what does it cost the flywheel?',
        "B1 Scarcity pricing is the market's short-term brake: when capacity is\ntight, prices rise and ration demand until the capacity under construction arrives.\nUtilisation cannot exceed its physical maximum either way, so the loop works through\nthe *price*: with a strong scarcity effect the price falls more slowly while capacity\nis short, which holds usage back until the capacity under construction arrives (watch\nwhat that does to spend in this model). It trades the flywheel's speed\nfor orderly rationing: no queue, no unserved demand.",
    ),
    Exercise(
        'What would you tell a CFO?',
        'Notebook 05 found which strengths the 2020-2025 data pin down and which they leave\nopen. Pick the open one that matters most for 2040 spend.\n\n* Give a range for 2040 total compute spend across its plausible values, not one number.\n* Which single observation in the coming years would narrow that range most?',
        'A range, not a number: across the elasticities the history cannot rule\nout, 2040 spend differs by a large factor (the solutions notebook prints it). The most useful new observation\nis one that separates price response from the other growth drivers, for example\ntoken volumes at a fixed capability level before and after a large price cut.\nCalibration narrows what the past allows; it does not choose among futures the past\nnever tested.',
    ),
)
