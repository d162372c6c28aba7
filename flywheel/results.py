"""What every engine returns: saved times, one array per variable, and where runs failed.

A run fails where a value stops being finite (Vensim stops there too): the
engines report where a state did, and :func:`find_non_finite` adds the first
non-finite saved value of every scenario, whichever engine computed it.

Examples
--------
>>> import numpy as np
>>> run = Trajectories(np.array([0.0, 1.0]), {"X": np.array([[1.0, 2.0], [np.inf, 3.0]])})
>>> print(find_non_finite(run).failures[0])
'X' is inf at time 1
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

__all__ = ["STATUS", "STATUS_ATTRS", "Failure", "Trajectories", "find_non_finite"]

#: Values of the ``status`` coordinate of a batch run or sweep, by meaning.
STATUS = {"ok": 0, "non-finite": 1, "solver failed": 2}
#: Attributes of the ``status`` coordinate (CF flags).
STATUS_ATTRS = {"flag_values": list(STATUS.values()),
                "flag_meanings": " ".join(k.replace(" ", "_") for k in STATUS),
                "description": "0: the run is good; 1: a value stopped being finite (NaN from "
                               "then on); 2: the solver failed (sweeps)"}


@dataclass(frozen=True)
class Failure:
    """Where one scenario first produced a value that is not finite.

    Attributes
    ----------
    time : float
        The model time of the first non-finite value.
    values : tuple of (str, float)
        The variables that are not finite then, with their values (at most
        three, the first the most telling).
    """

    time: float
    values: tuple[tuple[str, float], ...]

    def __str__(self) -> str:
        named = ", ".join(f"{name!r} is {value}" for name, value in self.values)
        return f"{named or 'a value is not finite'} at time {self.time:g}"


@dataclass(frozen=True)
class Trajectories:
    """The trajectories of one run of N scenarios.

    Attributes
    ----------
    times : numpy.ndarray
        The saved times, shape (n_times,).
    values : dict of str to numpy.ndarray
        Display name to values of shape (n_times, n_scenarios). Values that
        are constant during a run may be read-only broadcast views.
    stats : dict
        What the engine reports about the work done (e.g. ``nfev``, the
        right-hand side evaluations); empty when it reports nothing.
    failures : dict of int to Failure
        Scenario index to where it first produced a non-finite value.
    """

    times: np.ndarray
    values: dict[str, np.ndarray]
    stats: dict = field(default_factory=dict)
    failures: dict[int, Failure] = field(default_factory=dict)

    def masked(self) -> Trajectories:
        """These trajectories with every value of a failed scenario NaN from its failure on."""
        if not self.failures:
            return self
        mask = np.zeros((len(self.times), _width(self)), bool)
        for scenario, failure in self.failures.items():
            mask[self.times >= failure.time - 1e-9 * max(1.0, abs(failure.time)), scenario] = True
        values = {name: np.where(mask, np.nan, v) for name, v in self.values.items()}
        return dataclasses.replace(self, values=values)


def _width(result: Trajectories) -> int:
    return max((v.shape[1] for v in result.values.values()), default=1)


def find_non_finite(result: Trajectories) -> Trajectories:
    """`result` with the first non-finite saved value of every scenario among its failures.

    A failure the engine found earlier in a scenario (a state between two
    saved times) is kept.
    """
    first = np.full(_width(result), len(result.times))
    names: dict[int, list[tuple[str, float]]] = {}
    for name, values in result.values.items():
        bad = ~np.isfinite(values)
        if not bad.any():
            continue
        rows = np.where(bad.any(axis=0), bad.argmax(axis=0), len(result.times))
        for scenario in np.flatnonzero(bad.any(axis=0) & (rows <= first)):
            row = rows[scenario]
            if row < first[scenario]:
                first[scenario], names[scenario] = row, []
            names[scenario].append((name, float(values[row, scenario])))
    failures = dict(result.failures)
    for scenario, found in names.items():
        time = float(result.times[first[scenario]])
        if scenario not in failures or time < failures[scenario].time:
            failures[scenario] = Failure(time, tuple(found[:3]))
    return dataclasses.replace(result, failures=failures)
