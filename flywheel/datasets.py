"""Build an xarray Dataset from variables that are already consistent, fast.

``xarray.Dataset(variables, coords)`` checks, aligns and merges every
variable, which costs about 0.1 ms per variable: 20 ms for a run of the
research model, several times the run itself. :func:`fast_dataset` builds
the same Dataset directly from the variables (with a pandas index for every
dimension coordinate), for the engines' results, whose variables share their
dimensions by construction. ``tests/test_speed_dataset.py`` checks it equals
xarray's own construction.

Examples
--------
>>> import numpy as np, xarray as xr
>>> ds = fast_dataset({"x": xr.Variable(("time",), np.arange(3.0))},
...                   {"time": ("time", np.array([0.0, 0.5, 1.0]))})
>>> ds.equals(xr.Dataset({"x": ("time", np.arange(3.0))}, coords={"time": [0.0, 0.5, 1.0]}))
True
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import xarray as xr

__all__ = ["fast_dataset"]


def fast_dataset(variables: Mapping[str, xr.Variable], coords: Mapping[str, tuple],
                 indexes: Mapping[str, xr.indexes.PandasIndex] | None = None) -> xr.Dataset:
    """The Dataset of `variables` and `coords`, as ``xarray.Dataset(variables, coords=coords)``.

    Parameters
    ----------
    variables : mapping
        Name -> :class:`xarray.Variable`; variables sharing a dimension share its length.
    coords : mapping
        Name -> ``(dim, values)`` or ``(dim, values, attrs)``; a coordinate
        named as its dimension becomes that dimension's index.
    indexes : mapping, optional
        Dimension coordinate name -> its index, built before (e.g. once for
        many results with the same labels: a pandas index of text labels
        costs about 0.1 ms per thousand).
    """
    every: dict[str, xr.Variable] = dict(variables)
    built = {}
    for name, (dim, values, *attrs) in coords.items():
        values = np.asarray(values)
        if name == dim:
            every[name] = xr.IndexVariable((dim,), values, *attrs)
            built[name] = indexes[name] if indexes and name in indexes else \
                xr.indexes.PandasIndex(values, dim, coord_dtype=values.dtype)
        else:
            every[name] = xr.Variable((dim,), values, *attrs, fastpath=True)
    sizes: dict[str, int] = {}
    for variable in every.values():
        sizes.update(variable.sizes)
    construct = getattr(xr.Dataset, "_construct_direct", None)
    if construct is None:  # an xarray without it: its public constructor
        return xr.Dataset(variables, coords=coords)
    return construct(every, set(coords), sizes, {}, built)
