"""Loop scores and relative loop scores from link scores, compiled (numba).

:func:`loop_scores` multiplies, for every time and scenario, the link
scores around each loop, and divides each by the sum of the absolute loop
scores of its cycle partition: one pass over the loops' links, in parallel
over the times. It is the fast path of :func:`flywheel.loop_dominance` (whose
numpy path is the reference it is tested against); importing this module
needs numba.

Examples
--------
>>> import numpy as np
>>> scores = np.array([[[2.0], [-0.5], [3.0]]])  # 1 time, 3 links, 1 scenario
>>> product, relative = loop_scores(scores, [[0, 1], [0, 2], [1]], np.array([0, 0, 1]))
>>> product[0, :, 0].tolist(), relative[0, :, 0].tolist()
([-1.0, 6.0, -0.5], [-0.14285714285714285, 0.8571428571428571, -1.0])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numba import njit, prange

__all__ = ["loop_scores"]


@njit(cache=True, parallel=True)
def _scores(scores, links, starts, partition, n_partitions, product, relative):
    for t in prange(scores.shape[0]):
        total = np.zeros(n_partitions)
        for w in range(scores.shape[2]):
            total[:] = 0.0
            for loop in range(starts.shape[0] - 1):
                value = 1.0
                for k in range(starts[loop], starts[loop + 1]):
                    value *= scores[t, links[k], w]
                product[t, loop, w] = value
                total[partition[loop]] += abs(value)
            for loop in range(starts.shape[0] - 1):
                share = total[partition[loop]]
                relative[t, loop, w] = product[t, loop, w] / share if share > 0 else 0.0


def loop_scores(scores: np.ndarray, members: Sequence[Sequence[int]],
                partitions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each loop's score and relative score.

    Parameters
    ----------
    scores : numpy.ndarray
        Link scores, shape (times, links, scenarios).
    members : sequence of sequences of int
        Each loop's links, as indices along the second axis of `scores`.
    partitions : numpy.ndarray of int
        Each loop's cycle partition.

    Returns
    -------
    loop_score, relative_loop_score : numpy.ndarray
        Shape (times, loops, scenarios): the product of the loop's link
        scores, and that over the sum of |loop score| in its partition (0
        where that sum is 0).
    """
    links = np.concatenate([np.asarray(m, dtype=np.int64) for m in members])
    starts = np.concatenate([[0], np.cumsum([len(m) for m in members])]).astype(np.int64)
    labels, partition = np.unique(partitions, return_inverse=True)
    shape = (scores.shape[0], len(members), scores.shape[2])
    product, relative = np.empty(shape), np.empty(shape)
    _scores(np.ascontiguousarray(scores, dtype=float), links, starts,
            partition.astype(np.int64), len(labels), product, relative)
    return product, relative
