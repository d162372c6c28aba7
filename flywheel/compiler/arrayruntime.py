"""Array helpers used by the generated code of subscripted models.

A subscripted element's value is an array of shape ``(*range sizes, m)``
whose trailing axis is the scenario (``m`` is 1 or the number of scenarios).
Expressions over subscripts may leave some axes of length 1 (broadcast);
:func:`full` gives them their whole extent, :func:`assemble` joins the values
of an element defined in several equations (per element, per subrange,
``:EXCEPT:``).

Examples
--------
>>> full(2.0, (3,)).shape
(3, 1)
>>> assemble((2,), [((np.array([0]),), None, 1.0), ((np.array([1]),), None, 2.0)])[:, 0].tolist()
[1.0, 2.0]
"""

from __future__ import annotations

import warnings

import numpy as np

from flywheel.errors import SimulationError

__all__ = [
    "allocate_available", "allocate_by_priority", "assemble", "full", "interpolate",
    "invert_matrix", "vector_rank", "vector_reorder", "vector_select", "vector_sort_order",
]


def full(value, shape: tuple[int, ...]) -> np.ndarray:
    """`value` broadcast to ``(*shape, m)``, read-only.

    A value of at most one dimension is a scenario value (the same for every
    subscript); otherwise its leading axes follow `shape` (length 1 where it
    does not vary) and its last axis is the scenario.

    Examples
    --------
    >>> full(np.array([1.0, 2.0]), (2,)).tolist()
    [[1.0, 2.0], [1.0, 2.0]]
    >>> full(np.array([[[1.0]], [[2.0]]]), (2, 3))[:, :, 0].tolist()
    [[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]
    """
    value = np.asarray(value, dtype=float)
    if value.ndim <= 1:
        value = value.reshape((1,) * len(shape) + (-1,))
    return np.broadcast_to(value, tuple(shape) + value.shape[-1:])


def assemble(shape: tuple[int, ...], parts) -> np.ndarray:
    """An element of `shape` (plus the scenario axis) from the values of its equations.

    Parameters
    ----------
    shape : tuple of int
        The sizes of the element's subscript ranges.
    parts : sequence of (tuple of index arrays, mask or None, value)
        One per equation: the positions it defines along each range, the
        positions left out by ``:EXCEPT:`` (False in `mask`, of the block's
        shape), and its value (as :func:`full` takes it).

    Returns
    -------
    numpy.ndarray
        Shape ``(*shape, m)``; NaN where no equation defines the element.
    """
    blocks = [(index, mask, full(value, tuple(len(i) for i in index)))
              for index, mask, value in parts]
    width = max(block.shape[-1] for _, _, block in blocks)
    out = np.full(tuple(shape) + (width,), np.nan)
    for index, mask, block in blocks:
        where = np.ix_(*index)
        if mask is None:
            out[where] = block
        else:
            out[where] = np.where(mask[..., None], block, out[where])
    return out


def interpolate(value, xs, ys) -> np.ndarray:
    """A subscripted lookup: each element's own table at that element's `value`.

    `value` has shape ``(*frame, m)`` (length 1 where it does not vary), or is
    a scenario value (at most one dimension, as in :func:`full`); `xs` and
    `ys` hold each element's table along their last axis (shorter
    tables padded by repeating their last point). Outside its table an
    element's value is held at the end, as :func:`numpy.interp` (and PySD) do.

    Examples
    --------
    >>> xs = np.array([[0.0, 1.0, 1.0], [0.0, 1.0, 2.0]])
    >>> ys = np.array([[0.0, 10.0, 10.0], [5.0, 6.0, 8.0]])
    >>> interpolate(np.array([[0.5], [1.5]]), xs, ys)[:, 0].tolist()
    [5.0, 7.0]
    >>> interpolate(0.5, xs, ys).tolist()  # one argument for every element
    [[5.0], [5.5]]
    """
    value = np.asarray(value, dtype=float)
    if value.ndim <= 1:  # a scenario value: the same for every element
        value = np.reshape(value, (1,) * (xs.ndim - 1) + (value.size,))
    frame = np.broadcast_shapes(value.shape[:-1], xs.shape[:-1])
    value = np.broadcast_to(value, frame + value.shape[-1:])
    xs, ys = (np.broadcast_to(t, frame + t.shape[-1:]) for t in (xs, ys))
    out = np.empty(value.shape)
    for position in np.ndindex(*frame):
        out[position] = np.interp(value[position], xs[position], ys[position])
    return out


def vector_sort_order(vector, direction) -> np.ndarray:
    """Vensim VECTOR SORT ORDER along the last range (axis -2), as PySD: ascending when
    `direction` > 0, else the ascending order reversed.

    Examples
    --------
    >>> vector_sort_order(np.array([[3.0], [1.0], [2.0]]), 1)[:, 0].tolist()
    [1.0, 2.0, 0.0]
    """
    order = np.argsort(vector, axis=-2)
    return (np.flip(order, axis=-2) if np.all(np.asarray(direction) <= 0) else order) * 1.0


def vector_rank(vector, direction) -> np.ndarray:
    """Vensim VECTOR RANK along the last range (axis -2): 1 for the first in sort order.

    Examples
    --------
    >>> vector_rank(np.array([[3.0], [1.0], [2.0]]), 1)[:, 0].tolist()
    [3.0, 1.0, 2.0]
    """
    return np.argsort(vector_sort_order(vector, direction), axis=-2) + 1.0


def vector_reorder(vector, order) -> np.ndarray:
    """Vensim VECTOR REORDER along the last range (axis -2): ``vector[order]``.

    Examples
    --------
    >>> vector_reorder(np.array([[3.0], [1.0], [2.0]]), np.array([[1.0], [2.0], [0.0]]))[:, 0]
    array([1., 2., 3.])
    """
    vector, order = np.broadcast_arrays(vector, order)
    return np.take_along_axis(vector, order.astype(np.intp), axis=-2)


def invert_matrix(matrix) -> np.ndarray:
    """Vensim INVERT MATRIX of the last two ranges, for every scenario.

    Examples
    --------
    >>> invert_matrix(np.array([[[2.0], [0.0]], [[0.0], [4.0]]]))[..., 0].tolist()
    [[0.5, 0.0], [0.0, 0.25]]
    """
    return np.moveaxis(np.linalg.inv(np.moveaxis(matrix, -1, 0)), 0, -1)


#: VECTOR SELECT's numerical actions: the reduction of the selected values.
_SELECT_REDUCTIONS = {0: np.nansum, 1: np.nanprod, 2: np.nanmin, 3: np.nanmax, 4: np.nanmean,
                      5: np.nanprod, 6: np.nansum, 7: np.nanprod, 8: np.nanmin, 9: np.nanmax,
                      10: np.nanmean}


def vector_select(selection, expression, axes, missing, action, error) -> np.ndarray:
    """Vensim VECTOR SELECT over `axes` (the ``Range!`` axes), as PySD's ``vector_select``.

    Raises
    ------
    SimulationError
        With `error` 1 or 3, a selection of zeros only; with 2 or 3, more than one
        non-zero; an `action` outside 0 to 10.

    Examples
    --------
    >>> sel, values = np.array([[1.0], [0.0], [1.0]]), np.array([[2.0], [5.0], [4.0]])
    >>> vector_select(sel, values, -2, -1.0, 0, 0).tolist()
    [6.0]
    """
    action, error = int(np.max(action)), int(np.max(error))
    if action not in _SELECT_REDUCTIONS:
        raise SimulationError(f"VECTOR SELECT: numerical action {action} is not 0 to 10")
    selection, expression = np.broadcast_arrays(selection, expression)
    chosen = selection != 0
    zeros = ~np.any(chosen, axis=axes)
    if error in (1, 3) and zeros.any():
        raise SimulationError("VECTOR SELECT: all the values of the selection array are 0")
    if error in (2, 3) and (np.sum(chosen, axis=axes) > 1).any():
        raise SimulationError("VECTOR SELECT: more than one non-zero value in the selection")
    values = (selection * expression if action < 5 else
              expression ** selection if action == 5 else expression)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an empty selection: `missing` below
        out = _SELECT_REDUCTIONS[action](np.where(chosen, values, np.nan), axis=axes)
    return np.where(zeros, missing, out)


def allocate_by_priority(request, priority, width, supply) -> np.ndarray:
    """Vensim ALLOCATE BY PRIORITY along the last range (axis -2), for every other position.

    Each one-dimensional allocation is PySD's own (``_allocate_by_priority_1d``),
    so that the compiled engine allocates exactly as the reference does;
    `width` and `supply` do not vary along the allocation range.

    Raises
    ------
    SimulationError
        A negative request or supply, or a width that is not positive (PySD's checks).
    """
    from pysd.py_backend.allocation import _allocate_by_priority_1d

    request, priority, width, supply = np.broadcast_arrays(request, priority, width, supply)
    if np.any(request < 0):
        raise SimulationError("ALLOCATE BY PRIORITY: a request is negative")
    if np.any(width <= 0):
        raise SimulationError("ALLOCATE BY PRIORITY: the width must be positive")
    if np.any(supply < 0):
        raise SimulationError("ALLOCATE BY PRIORITY: the supply is negative")
    out = np.empty(request.shape)
    for index in np.ndindex(request.shape[:-2] + request.shape[-1:]):
        at = index[:-1] + (slice(None), index[-1])
        out[at] = _allocate_by_priority_1d(request[at], priority[at], width[at][0], supply[at][0])
    return out


def allocate_available(request, profiles, available) -> np.ndarray:
    """Vensim ALLOCATE AVAILABLE along the allocation range (axis -2 of `request`).

    `profiles` has the priority profile's attributes (type, priority, width,
    extra) on its axis -2 and the allocation range on axis -3. Each
    one-dimensional allocation is PySD's own (``_allocate_available_1d``).

    Raises
    ------
    SimulationError
        A negative request or available supply (PySD's checks).
    """
    from pysd.py_backend.allocation import _allocate_available_1d

    shape = np.broadcast_shapes(np.shape(request), np.shape(available),
                                np.shape(profiles)[:-2] + np.shape(profiles)[-1:])
    request = np.broadcast_to(request, shape)
    available = np.broadcast_to(available, shape)
    profiles = np.broadcast_to(profiles, shape[:-1] + np.shape(profiles)[-2:-1] + shape[-1:])
    if np.any(request < 0):
        raise SimulationError("ALLOCATE AVAILABLE: a request is negative")
    if np.any(available < 0):
        raise SimulationError("ALLOCATE AVAILABLE: the available supply is negative")
    out = np.empty(shape)
    for index in np.ndindex(shape[:-2] + shape[-1:]):
        at = index[:-1] + (slice(None), index[-1])
        attributes = index[:-1] + (slice(None), slice(None), index[-1])
        out[at] = _allocate_available_1d(request[at], profiles[attributes], available[at][0])
    return out
