"""Integration error: results must not depend on the time step or the tolerance (Sterman, ch. 21).

Two comparisons of the key outputs (:func:`flywheel.vocabulary.key_outputs`):

* **Euler, dt versus dt/2.** Euler's error is proportional to dt, so the
  change when halving dt estimates the error of the run at dt/2, and about
  half the error at the model's TIME STEP. Bound: :data:`EULER_BOUND`, 3%
  relative at any saved time: an order of magnitude below the data's own
  uncertainty (the fits' errors are tens of percent), so the time step never
  decides a conclusion. Growth of 10-20 times a year (the flywheel's token
  volumes in 2023-2025) makes Euler's first-order error large: the bundled
  models need a TIME STEP of 1/128 year to meet it (1/16 changed by 40%).
* **RK45, tolerance 1e-6 versus 1e-9** (rtol and atol). Bound:
  :data:`ADAPTIVE_BOUND`, 0.1% relative: an adaptive method at its default
  tolerance should be close to exact.

The change of an output is the largest relative difference over the saved
times, ``|a - b| / max(|b|, 1e-6 * max|b|)``; outputs that are zero
throughout count as unchanged when they stay zero.

Examples
--------
>>> import flywheel
>>> from flywheel.checks.integration import integration_error
>>> for row in integration_error(flywheel.load("tests/models/teacup.mdl")):
...     print(row.comparison, row.variable, row.passed)
Euler dt vs dt/2 Teacup Temperature True
RK45 tolerance 1e-6 vs 1e-9 Teacup Temperature True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flywheel.params import RunTimes
from flywheel.simulate import simulate
from flywheel.vocabulary import key_outputs

__all__ = ["ADAPTIVE_BOUND", "EULER_BOUND", "IntegrationChange", "integration_error",
           "relative_change"]

#: Largest relative change of a key output when Euler's time step is halved.
EULER_BOUND = 0.03
#: Largest relative change of a key output when RK45's tolerances go from 1e-6 to 1e-9.
ADAPTIVE_BOUND = 0.001


@dataclass(frozen=True)
class IntegrationChange:
    """How much one output moved between two integrations.

    Attributes
    ----------
    comparison : str
        ``"Euler dt vs dt/2"`` or ``"RK45 tolerance 1e-6 vs 1e-9"``.
    variable : str
    change : float
        Largest relative change over the saved times.
    time : float
        When it was largest.
    bound : float
        The stated bound.
    """

    comparison: str
    variable: str
    change: float
    time: float
    bound: float

    @property
    def passed(self) -> bool:
        """True when the change is below the bound (a NaN change fails)."""
        return bool(self.change < self.bound)


def relative_change(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``|a - b| / max(|b|, 1e-6 max|b|)`` elementwise; 0 where both are 0.

    Examples
    --------
    >>> relative_change(np.array([1.0, 2.02, 0.0]), np.array([1.0, 2.0, 0.0])).round(4)
    array([0.  , 0.01, 0.  ])
    """
    scale = np.maximum(np.abs(b), 1e-6 * np.max(np.abs(b), initial=0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.abs(a - b) / scale
    return np.where((a == b), 0.0, change)


def _changes(label: str, coarse, fine, outputs: list[str], bound: float):
    rows = []
    for name in outputs:
        change = relative_change(coarse[name].values, fine[name].values)
        where = int(np.nanargmax(change)) if np.isfinite(change).any() else 0
        worst = float(np.max(change)) if np.isfinite(change).all() else float("nan")
        rows.append(IntegrationChange(label, name, worst, float(coarse["time"][where]), bound))
    return rows


def integration_error(model, *, outputs: list[str] | None = None) -> list[IntegrationChange]:
    """Change of each key output when halving Euler's dt and tightening RK45's tolerance.

    Parameters
    ----------
    model : flywheel.Model
    outputs : list of str, optional
        Variables to compare (default: :func:`flywheel.vocabulary.key_outputs`).

    Returns
    -------
    list of IntegrationChange
        The Euler comparisons, then the RK45 ones, each in `outputs` order.
    """
    outputs = key_outputs(model) if outputs is None else [model.resolve(n) for n in outputs]
    times = RunTimes(model)
    common = {"saveper": times.saveper, "return_columns": outputs}
    euler = simulate(model, method="euler", dt=times.dt, **common)
    half = simulate(model, method="euler", dt=times.dt / 2, **common)
    loose = simulate(model, method="RK45", rtol=1e-6, atol=1e-6, **common)
    tight = simulate(model, method="RK45", rtol=1e-9, atol=1e-9, **common)
    return (_changes("Euler dt vs dt/2", euler, half, outputs, EULER_BOUND)
            + _changes("RK45 tolerance 1e-6 vs 1e-9", loose, tight, outputs, ADAPTIVE_BOUND))
