"""What every engine returns: saved times and one array per variable."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["Trajectories"]


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
    """

    times: np.ndarray
    values: dict[str, np.ndarray]
    stats: dict = field(default_factory=dict)
