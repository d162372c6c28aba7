"""Sampling a problem: full grid, Latin hypercube, Sobol (Saltelli) and Morris.

One entry point, :func:`sample`, with the method as an argument, so every
method takes the same arguments and returns the same :class:`Samples`. The
random methods are SALib's samplers; a `seed` makes them reproducible, and a
sample drawn without one records the seed it drew, so any sample can be made
again.

Examples
--------
>>> problem = {"names": ["a", "b"], "bounds": [[0, 1], [10, 20]]}
>>> grid = sample(problem, (3, 2), method="grid")
>>> grid.to_df()
     a     b
0  0.0  10.0
1  0.0  20.0
2  0.5  10.0
3  0.5  20.0
4  1.0  10.0
5  1.0  20.0
>>> len(sample(problem, 8, method="sobol", seed=1))  # 8 x (2 x 2 + 2) runs
48
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from typing import TYPE_CHECKING

import numpy as np

from flywheel.errors import ParameterValueError
from flywheel.experiments.problem import check_problem

if TYPE_CHECKING:  # pandas is imported by to_df (cheap start-up)
    import pandas as pd

__all__ = ["SAMPLERS", "Samples", "sample"]


@dataclass(frozen=True, eq=False)
class Samples:
    """The input values of every run of an experiment, and how they were drawn.

    Attributes
    ----------
    problem : dict
        The checked problem (:func:`flywheel.experiments.check_problem`).
    values : numpy.ndarray
        Shape (n_runs, num_vars): row i holds run i's value of each name.
    method : str
        A key of :data:`SAMPLERS`, or ``"given"`` for values a user supplied.
    n : tuple of int
        The `n` passed to :func:`sample` (one entry, or one per name for a grid).
    seed : int or None
        The seed the sampler used (None for deterministic methods).
    second_order : bool
        Sobol samples: whether they support second-order indices.
    levels : int
        Morris samples: the number of grid levels.
    """

    problem: dict
    values: np.ndarray
    method: str
    n: tuple[int, ...]
    seed: int | None = None
    second_order: bool = True
    levels: int = 4

    def __len__(self) -> int:
        return self.values.shape[0]

    @property
    def names(self) -> list[str]:
        """The problem's names, one per column of :attr:`values`."""
        return list(self.problem["names"])

    def columns(self, start: int = 0, stop: int | None = None) -> dict[str, np.ndarray]:
        """Name to the values of runs ``start:stop``: a ``params`` for :func:`flywheel.simulate`."""
        block = self.values[start:stop]
        return {name: np.ascontiguousarray(block[:, i]) for i, name in enumerate(self.names)}

    def to_df(self) -> pd.DataFrame:
        """One row per run, one column per name."""
        import pandas as pd

        return pd.DataFrame(self.values, columns=self.names)


def _grid(problem: dict, n: tuple[int, ...], seed, second_order, levels) -> np.ndarray:
    if any(d != "unif" for d in problem.get("dists", ())):
        raise ParameterValueError("a full grid spans uniform ('unif') inputs only")
    axes = [np.linspace(lo, hi, k) for (lo, hi), k in zip(problem["bounds"], n)]
    return np.array(list(itertools.product(*axes)), dtype=float)


def _latin(problem: dict, n: tuple[int, ...], seed, second_order, levels) -> np.ndarray:
    from SALib.sample import latin

    return latin.sample(dict(problem), n[0], seed=seed)


def _sobol(problem: dict, n: tuple[int, ...], seed, second_order, levels) -> np.ndarray:
    from SALib.sample import sobol

    if n[0] & (n[0] - 1):
        raise ParameterValueError(
            f"Sobol sampling needs n (base samples) to be a power of 2 for the balance of "
            f"Sobol' points; got {n[0]}, try {1 << n[0].bit_length()}"
        )
    return sobol.sample(dict(problem), n[0], calc_second_order=second_order, seed=seed)


def _morris(problem: dict, n: tuple[int, ...], seed, second_order, levels) -> np.ndarray:
    from SALib.sample import morris

    if levels < 2 or levels % 2:
        raise ParameterValueError(f"Morris levels must be an even number >= 2, got {levels}")
    return morris.sample(dict(problem), n[0], num_levels=levels, seed=seed)


#: Method name to sampler (SALib's samplers get a copy: they add keys to the
#: problem). ``n`` counts grid points per name ("grid"), runs
#: ("latin"), base samples giving n(2k+2) runs, or n(k+2) without second order
#: ("sobol"), and trajectories of k+1 runs each ("morris"), for k names.
SAMPLERS: dict[str, Callable[..., np.ndarray]] = {
    "grid": _grid,
    "latin": _latin,
    "sobol": _sobol,
    "morris": _morris,
}
_RANDOM = ("latin", "sobol", "morris")


def _counts(n: int | Sequence[int], method: str, size: int) -> tuple[int, ...]:
    counts = (n,) if np.ndim(n) == 0 else tuple(n)
    if method == "grid" and len(counts) == 1:
        counts = counts * size
    wanted = size if method == "grid" else 1
    least = 2 if method == "grid" else 1
    if len(counts) != wanted or any(
        isinstance(c, bool) or not isinstance(c, (int, np.integer)) or c < least
        for c in counts
    ):
        what = "one count per name, or one for all" if method == "grid" else "one count"
        raise ParameterValueError(
            f"n for {method!r} sampling must be {what}, each an integer >= {least}; got {n!r}"
        )
    return tuple(int(c) for c in counts)


def sample(
    problem: Mapping,
    n: int | Sequence[int],
    *,
    method: str = "sobol",
    seed: int | None = None,
    second_order: bool = True,
    levels: int = 4,
) -> Samples:
    """Draw the runs of an experiment on `problem` with sampling `method`.

    Parameters
    ----------
    problem : dict
        A problem with bounds (:func:`flywheel.define_problem`).
    n : int or sequence of int
        How many: points per name for ``"grid"`` (one count for all, or one
        per name), runs for ``"latin"``, base samples for ``"sobol"`` (a
        power of 2), trajectories for ``"morris"`` (see :data:`SAMPLERS`).
    method : {"grid", "latin", "sobol", "morris"}
        The sampler.
    seed : int, optional
        Seed of the random methods. When None, a seed is drawn and recorded
        in :attr:`Samples.seed`. A grid is not random and ignores it.
    second_order : bool
        Sobol only: sample for second-order indices too (n(2k+2) runs rather
        than n(k+2)).
    levels : int
        Morris only: the number of levels of its grid (even).

    Returns
    -------
    Samples

    Raises
    ------
    ParameterValueError
        An unknown method, a bad count or seed, a malformed problem, or a grid
        over non-uniform inputs.

    Examples
    --------
    >>> problem = {"names": ["a", "b"], "bounds": [[0, 1], [0, 1]]}
    >>> first = sample(problem, 4, method="latin", seed=7)
    >>> np.array_equal(first.values, sample(problem, 4, method="latin", seed=7).values)
    True
    >>> sample(problem, 3, method="morris", seed=1).values.shape  # 3 x (2 + 1) runs
    (9, 2)
    """
    if method not in SAMPLERS:
        raise ParameterValueError(
            f"unknown sampling method {method!r}; valid methods: {', '.join(SAMPLERS)}"
        )
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
        raise ParameterValueError(f"seed must be an integer or None, got {seed!r}")
    checked = check_problem(problem)
    counts = _counts(n, method, checked["num_vars"])
    if method in _RANDOM and seed is None:
        seed = int(np.random.SeedSequence().generate_state(1)[0] >> 1)  # fits int32
    elif method not in _RANDOM:
        seed = None
    values = SAMPLERS[method](checked, counts, seed, second_order, levels)
    return Samples(
        problem=checked,
        values=np.asarray(values, dtype=float),
        method=method,
        n=counts,
        seed=seed,
        second_order=bool(second_order),
        levels=int(levels),
    )
