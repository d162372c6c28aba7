"""External data for the compiled engine: GET DIRECT/XLS DATA, CONSTANTS and LOOKUPS.

Each file is read once, when the model compiles, by PySD's own readers
(``pysd.py_backend.external``: the same cells, the same filling of missing
values), from the files :func:`flywheel.translation.data_files` resolved
against the model's folder (a file outside it refused unless the model was
loaded with ``allow_data_outside_folder=True``). The values then replace the
GET structure in a copy of the abstract model, as constructs the compiler
already has, so the cache key of the compiled model (the abstract model's
``repr``) holds the data and a changed file compiles anew:

* ``GET ... CONSTANTS`` becomes the number read, or for a subscripted
  element the table read, as a list constant;
* ``GET ... LOOKUPS`` becomes the lookup table read;
* ``GET ... DATA`` becomes a table of Time, of the data's kind, read as
  PySD's ``Data`` reads it: linearly (``:INTERPOLATE:``, the default),
  holding the last value (``:HOLD BACKWARD:``) or taking the next
  (``:LOOK FORWARD:``), the first or last value outside the data's times
  (:mod:`flywheel.compiler.lookups` makes the held kinds linear tables);
  for a subscripted element, one such table per element.

A data variable read without an equation (PySD's ``data_files``), ``:RAW:``
data (missing between its times) and GET structures with ``:EXCEPT:`` are not
compiled.

Examples
--------
>>> import flywheel
>>> from flywheel.translation import data_files
>>> model = flywheel.load("tests/models/data_get.mdl")
>>> read = with_external_data(model.abstract, data_files(model))
>>> [e.components[0].ast for e in read.sections[0].elements if e.name == "Rate"]
[0.3]
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from pysd.translators.structures import abstract_expressions as ae

from flywheel.compiler.lookups import linear
from flywheel.compiler.translate import unsupported
from flywheel.errors import ModelFileError

__all__ = ["has_external_data", "with_external_data"]

_GET = (ae.GetConstantsStructure, ae.GetLookupsStructure, ae.GetDataStructure)
_TIME = ae.ReferenceStructure("time")


def has_external_data(abstract_model) -> bool:
    """Whether an element of `abstract_model` is defined by a GET structure or is data."""
    return any(isinstance(component.ast, _GET) or component.type == "Data"
               for section in abstract_model.sections
               for element in section.elements for component in element.components)


def with_external_data(abstract_model, files: Mapping[str, Path]):
    """`abstract_model` with each GET structure replaced by the values it reads.

    Data given by an expression (``X := 2 * Time``) becomes an auxiliary, as
    PySD computes it.

    Parameters
    ----------
    abstract_model : pysd AbstractModel
        Not changed; returned as is when it reads no data.
    files : mapping
        Each file name as the model writes it -> the file it means
        (:func:`flywheel.translation.data_files`).

    Raises
    ------
    ModelFileError
        A file PySD's reader cannot read there, naming the element and file.
    UnsupportedConstructError
        ``:RAW:`` data.
    """
    if not has_external_data(abstract_model):
        return abstract_model
    from pysd.py_backend.external import Excels

    folder = Path(abstract_model.original_path).parent
    sections = []
    try:
        for section in abstract_model.sections:
            ranges = _Ranges(section.subscripts, folder)
            sections.append(dataclasses.replace(section, elements=tuple(
                dataclasses.replace(element, components=[
                    new for component in element.components
                    for new in _components(element.name, component, files, ranges)])
                for element in section.elements)))
    finally:
        Excels.clean()  # PySD keeps each file read, by name: read once here, anew next time
    return dataclasses.replace(abstract_model, sections=tuple(sections))


class _Ranges:
    """The subscript ranges of a section, resolved by PySD when first asked."""

    def __init__(self, subscripts, folder: Path) -> None:
        self._subscripts, self._folder, self._manager = subscripts, folder, None

    def coords(self, subscripts: list[str]) -> dict:
        """Range -> elements of a component's `subscripts` (ranges or single elements)."""
        return self._resolved().make_coord_dict(subscripts)

    def shape(self, subscripts: list[str]) -> tuple[int, ...]:
        """The shape PySD gives a list constant over `subscripts`: a single element
        takes no axis, a range one of its length."""
        ranges = self._resolved().subscripts
        return tuple(len(ranges[name]) for name in subscripts if name in ranges)

    def _resolved(self):
        from pysd.builders.python.subscripts import SubscriptManager

        if self._manager is None:
            self._manager = SubscriptManager(self._subscripts, self._folder)
        return self._manager


def _components(element: str, component, files: Mapping[str, Path], ranges: _Ranges) -> list:
    """The components the compiler reads in place of `component`.

    A subscripted constant becomes a list constant (a number for a single
    element); subscripted data, one component per element, each its own table
    of Time; a subscripted lookup, one table per element. GET structures with
    ``:EXCEPT:`` are left as they are.
    """
    tree = component.ast
    subscripts, excepted = component.subscripts
    keyword = getattr(component, "keyword", None)
    coords = (ranges.coords(subscripts) if subscripts and not excepted
              and isinstance(tree, _GET) else None)
    if isinstance(tree, _GET) and not subscripts:
        read = _read(element, tree, files, keyword, {})
        tree = read[0] if isinstance(tree, ae.GetConstantsStructure) else _table(tree, keyword,
                                                                                  *read)
    elif isinstance(tree, ae.GetConstantsStructure) and coords is not None:
        table = _read(element, tree, files, None, coords)[0].reshape(ranges.shape(subscripts))
        tree = table if table.ndim else float(table)
    elif isinstance(tree, ae.GetDataStructure) and coords is not None:
        times, values = _read(element, tree, files, keyword, coords)
        return [dataclasses.replace(component, subscripts=(list(position), []),
                                    ast=_table(tree, keyword, times, values[index]),
                                    type="Auxiliary", subtype="Normal")
                for index, position in _positions(coords)]
    elif isinstance(tree, ae.GetLookupsStructure) and coords is not None:
        x, values = _read(element, tree, files, keyword, coords)
        return [dataclasses.replace(component, subscripts=(list(position), []),
                                    ast=_table(tree, keyword, x, values[index]))
                for index, position in _positions(coords)]
    if isinstance(tree, (*_GET, ae.DataStructure)):  # left to the compiler's errors
        return [component]
    if component.type == "Data":  # an expression (of Time), as any auxiliary
        return [dataclasses.replace(component, ast=tree, type="Auxiliary", subtype="Normal")]
    return [component if tree is component.ast else dataclasses.replace(component, ast=tree)]


def _positions(coords: dict) -> list[tuple[tuple, tuple[str, ...]]]:
    """(index into the values after the first axis, elements) of each position of `coords`."""
    shape = [len(items) for items in coords.values()]
    return [(index, tuple(items[i] for items, i in zip(coords.values(), index)))
            for index in np.ndindex(*shape)]


def _table(tree, keyword: str | None, x, y):
    """The lookup (GET LOOKUPS) or table of Time (GET DATA) of points (`x`, `y`)."""
    x, y = tuple(float(v) for v in x), tuple(float(v) for v in y)
    table = ae.LookupsStructure(x, y, (x[0], x[-1]), (min(y), max(y)), keyword or "interpolate")
    if isinstance(tree, ae.GetLookupsStructure):
        return table
    return ae.InlineLookupsStructure(_TIME, linear(table))


def _read(element: str, tree, files: Mapping[str, Path], keyword: str | None, coords: dict):
    """What PySD's reader reads for `tree`: a constant (a float, or an array over
    `coords`, range -> elements), or the x (times) and values of a table (the
    values' first axis along x, the others over `coords`)."""
    if keyword == "raw":
        raise unsupported(element, ":RAW: data (missing between its times)")
    if tree.file not in files:
        raise ModelFileError(f"element {element!r} reads {tree.file!r}, a file not resolved "
                             "for it; load the model with flywheel.load")
    path = files[tree.file]
    common = {"file_name": str(path), "tab": tree.tab, "root": path.parent,
              "coords": coords, "final_coords": coords, "py_name": element}
    try:
        with warnings.catch_warnings():  # pandas' notices of its own changes, not the data's
            warnings.simplefilter("ignore", FutureWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            reader = _reader(tree, keyword, common)
            reader.initialize()
    except Exception as error:  # PySD's readers raise many kinds; name the element and file
        detail = " ".join(str(error).split()) or type(error).__name__
        raise ModelFileError(f"element {element!r}: PySD's reader cannot read {tree.file!r} "
                             f"({path}): {detail}") from error
    if isinstance(tree, ae.GetConstantsStructure):
        return (np.asarray(reader.data, dtype=float) if coords else float(reader.data)), None
    axis = "lookup_dim" if isinstance(tree, ae.GetLookupsStructure) else "time"
    x = np.asarray(reader.data.coords[axis].values, dtype=float)
    if np.any(np.diff(x) <= 0):
        raise ModelFileError(f"element {element!r}: the {axis.replace('_dim', '')} values read "
                             f"from {tree.file!r} do not increase: {x.tolist()}")
    values = np.asarray(reader.data.transpose(axis, *coords).values, dtype=float)
    return x, np.moveaxis(values, 0, -1)  # the axis along x last: values[index] is a series


def _reader(tree, keyword: str | None, common: dict):
    """PySD's reader of `tree` (not yet initialised)."""
    from pysd.py_backend import external

    if isinstance(tree, ae.GetConstantsStructure):
        return external.ExtConstant(cell=tree.cell, **common)
    if isinstance(tree, ae.GetLookupsStructure):
        return external.ExtLookup(x_row_or_col=tree.x_row_or_col, cell=tree.cell, **common)
    return external.ExtData(time_row_or_col=tree.time_row_or_col, cell=tree.cell,
                            interp=keyword, **common)
