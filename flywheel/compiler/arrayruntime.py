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

import numpy as np

__all__ = ["assemble", "full"]


def full(value, shape: tuple[int, ...]) -> np.ndarray:
    """`value` broadcast to ``(*shape, m)``, read-only.

    A value of at most one dimension is a scenario value (the same for every
    subscript); otherwise its leading axes follow `shape` (length 1 where it
    does not vary) and its last axis is the scenario.

    Examples
    --------
    >>> full(np.array([1.0, 2.0]), (2,)).tolist()
    [[1.0, 2.0], [1.0, 2.0]]
    >>> full(np.array([[1.0], [2.0]]), (2, 3))[:, :, 0].tolist()
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
