"""The public vocabulary of the flywheel models: key outputs and feedback strengths.

These names are the models' public vocabulary (``docs/model.md``): notebooks,
tests, benchmarks and the command line refer to them. They are names, not
equations: a user's own model that has none of them gets its stocks (and its
constants) instead.
"""

from __future__ import annotations

__all__ = ["FEEDBACK_STRENGTHS", "KEY_OUTPUTS", "feedback_strengths", "key_outputs"]

#: The knobs users sweep: each a constant of the research model with a range.
FEEDBACK_STRENGTHS = (
    "Price Elasticity of Demand",
    "Learning Rate",
    "Capability Elasticity of Demand",
    "Scarcity Pricing Strength",
    "Imitation Coefficient",
    "Training Reinvestment Fraction",
    "Supply Line Weight",
    "Forecast Horizon",
)

#: The flywheel's key outputs, in the order the baseline figure shows them.
KEY_OUTPUTS = (
    "Unit Inference Cost",
    "Inference Price",
    "Tokens Served",
    "Adopters",
    "Installed Compute",
    "Compute Under Construction",
    "Utilization",
    "Capex",
    "AI Revenue",
    "Total Compute Spend",
    "Inference Compute Spend",
    "Training Compute Spend",
    "Inference Share of Compute Spend",
    "Hardware Cost per Compute",
    "Model Capability",
)


def key_outputs(model) -> list[str]:
    """The names of :data:`KEY_OUTPUTS` that `model` has, else its stocks, else its
    flows and auxiliaries (a model whose stocks are all inside macros).

    Examples
    --------
    >>> import flywheel
    >>> key_outputs(flywheel.load("flywheel_minimal"))[:2]
    ['Unit Inference Cost', 'Inference Price']
    """
    present = [name for name in KEY_OUTPUTS if name in model.elements]
    return present or list(model.stocks) or [
        name for name, element in model.elements.items() if element.kind in ("flow", "auxiliary")]


def feedback_strengths(model) -> list[str]:
    """The names of :data:`FEEDBACK_STRENGTHS` that are constants of `model`, else all its constants.

    Examples
    --------
    >>> import flywheel
    >>> feedback_strengths(flywheel.load("flywheel"))[:2]
    ['Price Elasticity of Demand', 'Learning Rate']
    """
    present = [name for name in FEEDBACK_STRENGTHS if name in model.constants]
    return present or list(model.constants)
