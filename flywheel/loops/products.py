"""Loop scores and relative loop scores from link scores, compiled (numba).

:func:`loop_scores` multiplies, for every time and scenario, the link
scores around each loop, and divides each by the sum of the absolute loop
scores of its cycle partition: one pass over the loops' links, in parallel
over the loops when the work is large, each link's scores along time
multiplied as one vector. It is the fast path of :func:`flywheel.loop_dominance` (whose
numpy path is the reference it is tested against); importing this module
needs numba.

Examples
--------
>>> import numpy as np
>>> from flywheel.loops.dominance import incidence
>>> scores = np.array([[[2.0], [-0.5], [3.0]]])  # 1 time, 3 links, 1 scenario
>>> product, relative = loop_scores(scores, incidence([[0, 1], [0, 2], [1]], [0, 0, 1]))
>>> product[0, :, 0].tolist(), relative[0, :, 0].tolist()
([-1.0, 6.0, -0.5], [-0.14285714285714285, 0.8571428571428571, -1.0])
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit, prange

if TYPE_CHECKING:
    from flywheel.loops.dominance import Incidence

__all__ = ["loop_scores"]


#: Multiplications below which one thread is faster than starting both
#: (and than waiting for a core another process is using).
_PARALLEL_WORK = 50_000_000


def _scores(scores, links, starts, partition, n_partitions, product, relative):
    # scores (scenarios, links, times), product and relative (scenarios, loops, times):
    # the innermost loop runs along time, contiguous, so it vectorises
    n_loops, n_times = starts.shape[0] - 1, scores.shape[2]
    for w in range(scores.shape[0]):
        for loop in prange(n_loops):
            row = product[w, loop]
            row[:] = 1.0
            for k in range(starts[loop], starts[loop + 1]):
                link = scores[w, links[k]]
                for t in range(n_times):
                    row[t] *= link[t]
        total = np.zeros((n_partitions, n_times))
        for loop in range(n_loops):
            part = total[partition[loop]]
            row = product[w, loop]
            for t in range(n_times):
                part[t] += abs(row[t])
        for loop in prange(n_loops):
            part = total[partition[loop]]
            for t in range(n_times):
                share = part[t]
                relative[w, loop, t] = product[w, loop, t] / share if share > 0 else 0.0


_serial = njit(cache=True)(_scores)
_parallel = njit(cache=True, parallel=True)(_scores)


def loop_scores(scores: np.ndarray, loops: Incidence) -> tuple[np.ndarray, np.ndarray]:
    """Each loop's score and relative score.

    Parameters
    ----------
    scores : numpy.ndarray
        Link scores, shape (times, links, scenarios).
    loops : Incidence
        Each loop's links (indices along the second axis of `scores`) and
        cycle partition (:func:`flywheel.loops.dominance.incidence`).

    Returns
    -------
    loop_score, relative_loop_score : numpy.ndarray
        Shape (times, loops, scenarios): the product of the loop's link
        scores, and that over the sum of |loop score| in its partition (0
        where that sum is 0).
    """
    shape = (scores.shape[2], loops.starts.size - 1, scores.shape[0])
    product, relative = np.empty(shape), np.empty(shape)
    kernel = _parallel if loops.links.size * scores.shape[0] * scores.shape[2] > _PARALLEL_WORK \
        else _serial
    kernel(np.ascontiguousarray(np.transpose(scores, (2, 1, 0)), dtype=float), loops.links,
           loops.starts, loops.partition, loops.n_partitions, product, relative)
    return np.transpose(product, (2, 1, 0)), np.transpose(relative, (2, 1, 0))
