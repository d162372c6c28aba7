"""Subscripted results: one array per element, one dimension per subscript range.

PySD reports a subscripted element as flat columns named as Vensim does,
``Price[North,Chips]``; :func:`stack_subscripted` gathers them into one array
per element whose dimensions are the element's subscript ranges (named after
the range, with the range's elements as coordinates), between ``time`` and
``scenario``.

Examples
--------
>>> import flywheel
>>> model = flywheel.load("tests/models/subscripted.mdl")
>>> flat = {"Demand[North]": np.array([[10.0]]), "Demand[South]": np.array([[20.0]])}
>>> stacked = stack_subscripted(model, flat)
>>> stacked.arrays["Demand"][0], stacked.arrays["Demand"][1][0, :, 0].tolist()
(('Region',), [10.0, 20.0])
>>> sorted(stacked.columns)
['Demand[North]', 'Demand[South]']
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

__all__ = ["Stacked", "stack_subscripted"]


@dataclass(frozen=True)
class Stacked:
    """Subscripted elements gathered from flat columns.

    Attributes
    ----------
    arrays : dict of str to (tuple of str, numpy.ndarray)
        Element name to its subscript ranges and its values, of shape
        (n_times, *range sizes, n_scenarios).
    coords : dict of str to tuple of str
        Each range used to the names of its elements.
    columns : set of str
        The flat columns gathered.
    """

    arrays: dict[str, tuple[tuple[str, ...], np.ndarray]]
    coords: dict[str, tuple[str, ...]]
    columns: set[str]


def stack_subscripted(model, values: Mapping[str, np.ndarray]) -> Stacked:
    """Gather the flat columns ``Name[a,b]`` of `values` by element (see the module).

    `values` maps column names to arrays of shape (n_times, n_scenarios); an
    element whose columns are not all there is left as it is.
    """
    arrays, coords, columns = {}, {}, set()
    for name in model.elements if model.subscripts else ():
        dims = model.dimensions(name)
        if not dims:
            continue
        items = [model.subscripts[dim] for dim in dims]
        keys = [f"{name}[{','.join(combo)}]" for combo in itertools.product(*items)]
        if not all(key in values for key in keys):
            continue
        first = values[keys[0]]
        stacked = np.stack([values[key] for key in keys], axis=1)
        arrays[name] = dims, stacked.reshape(first.shape[:1] + tuple(map(len, items))
                                             + first.shape[1:])
        coords.update(zip(dims, items))
        columns.update(keys)
    return Stacked(arrays, coords, columns)
