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

__all__ = ["Stacked", "constant_values", "stack_subscripted", "subscripted_constants"]


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


def subscripted_constants(model) -> tuple[str, ...]:
    """Display names of the subscripted elements given by numbers only (lists, tables, values).

    Examples
    --------
    >>> import flywheel
    >>> subscripted_constants(flywheel.load("tests/models/sub_1d.mdl"))
    ('Initial Population', 'Birth Rate')
    """
    if not model.subscripts:
        return ()
    return tuple(element.name for element in model.abstract.sections[0].elements
                 if element.name in model.elements and model.dimensions(element.name)
                 and all(_is_number(c.ast) for c in element.components))


def constant_values(model, name: str) -> np.ndarray:
    """The values of the subscripted constant `name`, shape (*range sizes,), NaN where undefined.

    Examples
    --------
    >>> import flywheel
    >>> constant_values(flywheel.load("tests/models/sub_1d.mdl"), "Birth Rate").tolist()
    [0.03, 0.02, 0.015]
    """
    dims = model.dimensions(name)
    items = [model.subscripts[dim] for dim in dims]
    values = np.full([len(i) for i in items], np.nan)
    element = next(el for el in model.abstract.sections[0].elements if el.name == name)
    manager = model._subscript_manager
    for component in element.components:
        frame = list(manager.make_coord_dict(component.subscripts[0]).values())
        block = np.broadcast_to(np.asarray(component.ast, float), [len(f) for f in frame])
        mask = np.ones(block.shape, bool)
        for excepted in component.subscripts[1]:
            out = list(manager.make_coord_dict(excepted).values())
            mask[np.ix_(*[[c in o for c in f] for f, o in zip(frame, out)])] = False
        where = np.ix_(*[[dim.index(c) for c in f] for dim, f in zip(items, frame)])
        values[where] = np.where(mask, block, values[where])
    return values


def _is_number(tree: object) -> bool:
    return isinstance(tree, (int, float, np.ndarray)) and not isinstance(tree, bool)


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
