"""A netCDF file written in pieces: the layout first, then each slice of scenarios as it is run.

xarray's netCDF writers need the whole Dataset in memory (scipy's keeps every
array until the file closes; netCDF4 and zarr are not dependencies). A
:class:`NetCDFWriter` writes the classic format with 64-bit offsets (what
``xarray.open_dataset(path, engine="scipy")`` reads, lazily) itself: the
header is laid out from the first chunk's Dataset and the total number of
scenarios, each variable's values go to their place in the file through a
memory map, and the header is written again at the end with the final
attributes (numbers keep their size, so it still fits in the room left for
it). Variables become netCDF variables with their dimensions and attributes,
coordinates included (as :func:`flywheel.outputs.write_netcdf` does), in
big-endian float64 (``f8``), int32 (integers) or int8 (flags).

Examples
--------
>>> import tempfile, xarray as xr
>>> from pathlib import Path
>>> chunk = xr.Dataset({"x": (("time", "scenario"), np.ones((2, 3)), {"units": "m"})},
...                    coords={"time": [0.0, 1.0], "scenario": [0, 1, 2]})
>>> path = Path(tempfile.mkdtemp()) / "x.nc"
>>> with open(path, "w+b") as file:
...     writer = NetCDFWriter(file, chunk, n=6, attrs={"model": "m"})
...     writer.write(chunk, 0)
...     writer.write(chunk.assign_coords(scenario=[3, 4, 5]) * 2, 3)
...     writer.close({"model": "m"})
>>> with xr.open_dataset(path, engine="scipy") as back:
...     back["x"].values.tolist(), back["x"].attrs["units"], back.attrs["model"]
([[1.0, 1.0, 1.0, 2.0, 2.0, 2.0], [1.0, 1.0, 1.0, 2.0, 2.0, 2.0]], 'm', 'm')
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from typing import BinaryIO

import numpy as np

from flywheel.errors import ParameterValueError

__all__ = ["NetCDFWriter"]

_DIMENSION, _VARIABLE, _ATTRIBUTE = 10, 11, 12
_BYTE, _CHAR, _INT, _DOUBLE = 1, 2, 4, 6
_TYPES = {_BYTE: np.dtype("i1"), _INT: np.dtype(">i4"), _DOUBLE: np.dtype(">f8")}
#: Bytes left after the header for the final attributes.
HEADER_ROOM = 4096


def _nc_type(values: np.ndarray, name: str) -> int:
    if values.dtype.kind == "f":
        return _DOUBLE
    if values.dtype.kind == "b" or values.dtype == np.int8:
        return _BYTE
    if values.dtype.kind in "iu" and (values.size == 0 or (
            values.min() >= -2**31 and values.max() < 2**31)):
        return _INT
    raise ParameterValueError(
        f"{name!r} holds {values.dtype} values, which a netCDF file streamed to disk cannot "
        "hold (numbers only: a subscripted model's element names are not streamed)")


def _name(text: str) -> bytes:
    raw = text.encode("utf-8")
    return struct.pack(">i", len(raw)) + raw + b"\0" * (-len(raw) % 4)


def _attribute(name: str, value: object) -> bytes:
    if isinstance(value, str):
        raw, kind, count = value.encode("utf-8"), _CHAR, len(value.encode("utf-8"))
    else:
        array = np.atleast_1d(np.asarray(value))
        kind = _INT if array.dtype.kind in "iub" and np.all(np.abs(array) < 2**31) else _DOUBLE
        raw, count = array.astype(_TYPES[kind]).tobytes(), array.size
    return (_name(name) + struct.pack(">ii", kind, count) + raw + b"\0" * (-len(raw) % 4))


def _attributes(attrs: Mapping[str, object]) -> bytes:
    if not attrs:
        return struct.pack(">ii", 0, 0)
    return struct.pack(">ii", _ATTRIBUTE, len(attrs)) + b"".join(
        _attribute(k, v) for k, v in attrs.items())


class NetCDFWriter:
    """Write a Dataset of `n` scenarios to `file` one chunk of scenarios at a time.

    Parameters
    ----------
    file : binary file
        Open for reading and writing (``"w+b"``), empty; grown to its full size at once.
    first : xarray.Dataset
        The first chunk: its variables, dimensions and attributes lay the file
        out (every chunk must have the same; only ``scenario`` may differ).
    n : int
        Scenarios in all (the length of ``scenario`` in the file).
    attrs : mapping
        The file's attributes as the header first holds them
        (netCDF-ready values: text, numbers, arrays of numbers).

    Raises
    ------
    ParameterValueError
        A variable of text (a subscripted model's element names).
    """

    def __init__(self, file: BinaryIO, first, n: int, attrs: Mapping[str, object]) -> None:
        self._file = file
        sizes = {**dict(first.sizes), "scenario": n} if "scenario" in first.dims else dict(
            first.sizes)
        self._dims = list(sizes)
        self._sizes = sizes
        self._variables = []
        for name, variable in first.variables.items():
            kind = _nc_type(np.asarray(variable.values), str(name))
            shape = tuple(sizes[d] for d in variable.dims)
            self._variables.append((str(name), variable.dims, kind, shape,
                                    {k: v for k, v in variable.attrs.items() if v is not None}))
        self._begins = []
        header = len(self._header(attrs, [0] * len(self._variables)))
        offset = header + HEADER_ROOM
        for _, _, kind, shape, _ in self._variables:
            self._begins.append(offset)
            size = _TYPES[kind].itemsize * int(np.prod(shape, dtype=np.int64))
            offset += size + (-size % 4)
        file.truncate(offset)
        self._maps = {}

    def _header(self, attrs: Mapping[str, object], begins: list[int]) -> bytes:
        dims = struct.pack(">ii", _DIMENSION, len(self._dims)) + b"".join(
            _name(d) + struct.pack(">i", self._sizes[d]) for d in self._dims)
        variables = [struct.pack(">ii", _VARIABLE, len(self._variables))]
        for (name, vdims, kind, shape, vattrs), begin in zip(self._variables, begins):
            size = _TYPES[kind].itemsize * int(np.prod(shape, dtype=np.int64))
            variables.append(
                _name(name) + struct.pack(f">i{len(vdims)}i", len(vdims),
                                          *[self._dims.index(d) for d in vdims])
                + _attributes(vattrs) + struct.pack(">iIq", kind,
                                                    min(size + (-size % 4), 2**32 - 1), begin))
        return b"CDF\x02" + struct.pack(">i", 0) + dims + _attributes(attrs) + b"".join(variables)

    def write(self, chunk, start: int) -> None:
        """Write `chunk`'s values, its scenarios from position `start` on.

        Variables without a ``scenario`` dimension are written from the chunk
        at ``start == 0`` only.
        """
        for (name, dims, kind, shape, _), begin in zip(self._variables, self._begins):
            if "scenario" not in dims and start:
                continue
            if name not in self._maps:
                self._maps[name] = np.memmap(self._file, _TYPES[kind], "r+", begin, shape)
            target = self._maps[name]
            values = np.asarray(chunk[name].transpose(*dims).values)
            if "scenario" in dims:
                target[..., start:start + values.shape[-1]] = values
            else:
                target[...] = values

    def close(self, attrs: Mapping[str, object]) -> None:
        """Write the header with the final `attrs` and flush every value to the file."""
        for values in self._maps.values():
            values.flush()
        self._maps.clear()
        header = self._header(attrs, self._begins)
        if len(header) > self._begins[0]:
            raise ParameterValueError("the file's final attributes outgrew the room left for them")
        self._file.seek(0)
        self._file.write(header)
        self._file.flush()
