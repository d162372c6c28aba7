"""Dask helpers shared by the sweep benchmarks (run them as ``python benchmarks/NAME.py``)."""

from __future__ import annotations

import functools

__all__ = ["warm"]


def _load(shipped, column: str) -> None:
    """Load the shipped model and its kernel in this worker (a two-scenario run)."""
    import flywheel
    from flywheel.vocabulary import feedback_strengths

    model = shipped.load()
    knob = feedback_strengths(model)[0]
    flywheel.simulate(model, params={knob: [model.constants[knob]] * 2}, method="euler",
                      return_columns=[column])


def warm(client, model, column: str) -> None:
    """Load `model` and its kernel (keeping `column`) on every worker of `client`.

    A sweep's timing then excludes the workers' start-up, which is timed apart.
    """
    from flywheel.experiments.executors import ShippedModel

    client.run(functools.partial(_load, ShippedModel.of(model), column))
