"""Subscripts in the compiled engine: ranges, equations per element, array functions.

A subscripted element's value is an array of shape ``(*range sizes, m)``:
one axis per subscript range of the element (in the order PySD merges its
equations' subscripts, :meth:`model.Model.dimensions`), then the scenario
axis (``m`` is 1, or the number of scenarios when a parameter varies).

Each equation (component) of an element is computed over its *frame*: the
subscripts on its left-hand side as PySD resolves them (a range, a subrange
or single elements). Every reference to a subscripted element is aligned to
the frame where it is read: elements picked out, subranges and ``:EXCEPT:``
selected, mapped ranges re-labelled, axes put in the frame's order and axes
the reference lacks inserted with length 1, so that arithmetic and the
elementwise functions broadcast with numpy. Inside SUM, PROD, VMIN and VMAX
the frame grows by the argument's ``Range!`` axes, which the function then
reduces. The equations' values are placed into the element's array by
:func:`flywheel.compiler.arrayruntime.assemble` (or are the whole array).

Index arrays, masks and list constants are module-level arrays of the
generated code, named ``_a1``, ``_a2``...: subscript names never enter the
source, only positions and ``repr`` of numbers.

Examples
--------
>>> import flywheel
>>> from flywheel.compiler import compile_model
>>> cm = compile_model(flywheel.load("tests/models/sub_1d.mdl").abstract)
>>> "population = _y[0:3].reshape((3, -1))" in cm.source
True
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
from pysd.translators.structures import abstract_expressions as ae

from flywheel.compiler.naming import reference_key
from flywheel.compiler.translate import literal
from flywheel.errors import ModelFileError

__all__ = ["Arrays", "Dim", "bang_subscripts", "row_names", "state_rows"]

#: One dimension: the range's name and the names of its elements (the coordinates).
Dim = tuple[str, tuple[str, ...]]

#: Vensim reductions over ``Range!`` axes (PySD's reference) -> numpy function.
_REDUCTIONS = {"sum": "np.sum", "prod": "np.prod", "vmin": "np.min", "vmax": "np.max"}


def row_names(name: str, dims: tuple[Dim, ...]) -> list[str]:
    """The flat names ``Name[a,b]`` of an element's values, in row-major order (as PySD).

    Examples
    --------
    >>> row_names("Stock", (("Region", ("North", "South")),))
    ['Stock[North]', 'Stock[South]']
    """
    if not dims:
        return [name]
    combos = np.array(np.meshgrid(*[c for _, c in dims], indexing="ij")).reshape(len(dims), -1)
    return [f"{name}[{','.join(combo)}]" for combo in combos.T]


class Arrays:
    """The subscript ranges of a model and the array code built from them.

    Parameters
    ----------
    section : pysd AbstractSection
        The model's main section.
    root : path
        The model file's folder (ranges may be read from files there).
    unsupported : callable
        ``unsupported(element, construct)`` -> the error to raise.

    Attributes
    ----------
    ranges : dict of str to tuple of str
        Every range's elements.
    dims : dict of str to tuple of Dim
        Identifier of every subscripted element -> its dimensions.
    frame : tuple of Dim
        The dimensions of the equation being translated (plus ``Range!`` axes
        inside an array function).
    constants : list of (str, str)
        Module-level arrays: identifier and the source of its value.
    """

    def __init__(self, section, root: Path, unsupported: Callable[..., Exception]) -> None:
        from pysd.builders.python.subscripts import SubscriptManager

        try:
            self._manager = SubscriptManager(section.subscripts, root)
        except Exception as error:  # PySD raises many kinds; name what failed
            raise ModelFileError(f"the subscript ranges cannot be resolved: "
                                 f"{' '.join(str(error).split())}") from error
        self.ranges = {name: tuple(items) for name, items in self._manager.subscripts.items()}
        self._mapping = self._manager.mapping
        self._unsupported = unsupported
        self._range_keys = {reference_key(name): name for name in self.ranges}
        self.dims: dict[str, tuple[Dim, ...]] = {}
        self.frame: tuple[Dim, ...] = ()
        self.constants: list[tuple[str, str]] = []
        self._constant_ids: dict[str, str] = {}
        self._element = ""

    # --- dimensions
    def element_dims(self, element) -> tuple[Dim, ...]:
        """The dimensions of `element` (PySD AbstractElement), () if it has none."""
        subs = [component.subscripts[0] for component in element.components]
        if not any(subs):
            return ()
        names = self._manager.make_merge_list(subs, element.name)
        return tuple((name, self.ranges[name]) for name in names)

    def coords(self, subscripts: list[str]) -> tuple[Dim, ...]:
        """PySD's coordinates of a list of subscripts (ranges, subranges, elements)."""
        return tuple((name, tuple(items))
                     for name, items in self._manager.make_coord_dict(list(subscripts)).items())

    def constant(self, values: np.ndarray) -> str:
        """The identifier of a module-level array holding `values` (shared when equal)."""
        values = np.asarray(values)
        if values.dtype == bool:
            body = f"np.array({values.ravel().tolist()!r}, dtype=bool)"
        elif values.dtype.kind in "iu":
            body = f"np.array({values.ravel().tolist()!r}, dtype=np.intp)"
        else:
            body = "np.array([" + ", ".join(literal(v) for v in values.ravel()) + "])"
        source = f"{body}.reshape({values.shape!r})"
        if source not in self._constant_ids:
            ident = f"_a{len(self.constants) + 1}"
            self._constant_ids[source] = ident
            self.constants.append((ident, source))
        return self._constant_ids[source]

    def lookup_tables(self, element, dims: tuple[Dim, ...]) -> tuple[str, str, tuple[Dim, ...]]:
        """The tables of a subscripted lookup `element`: module-level arrays of its x and y
        points over `dims` plus a last axis of points (shorter tables padded by repeating
        their last point), and `dims`.

        Raises
        ------
        UnsupportedConstructError
            A table that is not a plain interpolated one, or one defined with :EXCEPT:.
        """
        self._element = element.name
        tables = {}
        for component in element.components:
            subs, excepts = component.subscripts
            table = component.ast
            if excepts or not isinstance(table, ae.LookupsStructure) \
                    or table.type != "interpolate":
                raise self._unsupported(element.name, "a subscripted lookup other than "
                                        "interpolated tables per element or range")
            order = np.argsort(np.asarray(table.x, dtype=float), kind="stable")
            points = (np.asarray(table.x, dtype=float)[order],
                      np.asarray(table.y, dtype=float)[order])
            coords = dict(self.coords(subs))
            for combination in np.ndindex(*(len(coords.get(d, items)) for d, items in dims)):
                names = [coords.get(d, items)[k] for (d, items), k in zip(dims, combination)]
                tables[tuple(_positions(items, (name,))[0]
                             for (_, items), name in zip(dims, names))] = points
        width = max(len(x) for x, _ in tables.values())
        xs, ys = np.empty((2, *(len(items) for _, items in dims), width))
        for position, (x, y) in tables.items():
            xs[position] = np.concatenate([x, np.full(width - len(x), x[-1])])
            ys[position] = np.concatenate([y, np.full(width - len(y), y[-1])])
        return self.constant(xs), self.constant(ys), dims

    # --- references
    def align(self, code: str, dims: tuple[Dim, ...], subs: list[str], what: str) -> str:
        """`code` (an array over `dims`) subscripted by `subs`, laid out over the frame.

        The result has one axis per frame dimension (length 1 where it does
        not vary) and the scenario axis; a reference to single elements only
        is a scenario value.
        """
        if len(subs) != len(dims):
            raise self._unsupported(self._element, f"{what} with {len(subs)} subscripts "
                                    f"(it has {len(dims)})")
        frame = dict(self.frame)
        names: list[str | None] = []
        picks: list[object] = []
        for (dim, items), sub in zip(dims, subs):
            name, wanted = self._target(dim, items, sub, frame, what)
            names.append(name)
            positions = _positions(items, wanted)
            picks.append(positions[0] if name is None else positions)
        # ints and slices in one step, then each other index array along its axis
        basic, arrays, axis = [], [], 0
        for (_, items), name, pick in zip(dims, names, picks):
            if name is None:
                basic.append(str(pick))
                continue
            if pick == list(range(len(items))):
                basic.append(":")
            elif pick == list(range(pick[0], pick[0] + len(pick))):
                basic.append(f"{pick[0]}:{pick[0] + len(pick)}")
            else:
                basic.append(":")
                arrays.append((axis, self.constant(np.array(pick, dtype=np.intp))))
            axis += 1
        if any(b != ":" for b in basic):
            code = f"{code}[{', '.join(basic)}]"
        for position, ident in arrays:
            code = f"{code}[{':, ' * position}{ident}]"
        kept = [n for n in names if n is not None]
        if not kept:
            return code
        order = [kept.index(f) for f in frame if f in kept]
        if order != list(range(len(kept))):
            code = f"{code}.transpose({', '.join(map(str, order + [len(kept)]))})"
        if len(kept) < len(frame):
            code = f"{code}[{', '.join(':' if f in kept else 'None' for f in frame)}]"
        return code

    def _target(self, dim: str, items: tuple[str, ...], sub: str, frame: dict,
                what: str) -> tuple[str | None, tuple[str, ...]]:
        """(frame dimension or None for a single element, the elements it reads)."""
        def check(name, wanted):
            if not set(wanted) <= set(items):
                raise self._unsupported(self._element, f"{what}[{sub}], whose elements are not "
                                        f"all in its range {dim!r}")
            return name, wanted
        if sub in items and sub not in self.ranges:
            return None, (sub,)
        if sub in frame:
            return check(sub, frame[sub])
        if sub.endswith("!") or sub not in self.ranges:
            raise self._unsupported(self._element, f"{what}[{sub}] outside the equation's "
                                    "subscripts")
        for mapped in self._mapping.get(sub, []):
            if isinstance(mapped, str) and mapped in frame:  # positional: i-th to i-th
                source, target = self.ranges[sub], self.ranges[mapped]
                if len(source) != len(target):
                    break
                return check(mapped, tuple(source[i] for i in _positions(target, frame[mapped])))
        raise self._unsupported(self._element, f"{what}[{sub}]: the range {sub!r} is not "
                                "among the equation's subscripts nor mapped to one of them")

    def reference(self, ident: str, subs: list[str], element: str, name: str,
                  dims: tuple[Dim, ...] | None = None) -> str:
        """The code of `ident` (an element, or an array over `dims` such as a lookup's
        tables) subscripted by `subs`, in `element`'s equation."""
        self._element = element
        return self.align(ident, self.dims.get(ident, ()) if dims is None else dims, subs,
                          repr(name))

    def subscript_value(self, key: str, element: str) -> str | None:
        """A range or one of its elements used as a number (PySD's positions from 1)."""
        self._element = element
        if key in self._range_keys:
            name = self._range_keys[key]
            items = self.ranges[name]
            values = self.constant(np.arange(1.0, len(items) + 1).reshape(-1, 1))
            return self.align(values, ((name, items),), [name], repr(name))
        for name, items in self.ranges.items():
            if name in self._manager.subranges:
                for position, item in enumerate(items, start=1):
                    if reference_key(item) == key:
                        return repr(float(position))
        return None

    def literal(self, values: np.ndarray, element: str) -> str:
        """A constant given as a list or table, over the current frame."""
        self._element = element
        shape = tuple(len(c) for _, c in self.frame)
        values = np.asarray(values, dtype=float)
        if values.size != math.prod(shape):
            raise self._unsupported(element, f"a list of {values.size} values for "
                                    f"{math.prod(shape)} elements")
        return self.constant(values.reshape(shape + (1,)))

    # --- array functions
    def call(self, function: str, tree, visit: Callable[[object], str], element: str) -> str:
        """The code of the array function `function` called as `tree`."""
        self._element = element
        if function == "elmcount":
            arg = tree.arguments[0] if len(tree.arguments) == 1 else None
            name = self._range_keys.get(getattr(arg, "reference", None))
            if name is None:
                raise self._unsupported(element, "ELMCOUNT of something that is not a range")
            return repr(float(len(self.ranges[name])))
        arity = {"vector_select": (5,), "vector_sort_order": (2,), "vector_rank": (2,),
                 "vector_reorder": (2,), "invert_matrix": (1, 2)}.get(function, (1,))
        if len(tree.arguments) not in arity:
            raise self._unsupported(element, f"{_vensim(function)} with "
                                    f"{len(tree.arguments)} arguments")
        if function in _REDUCTIONS or function == "vector_select":
            reduced = 2 if function == "vector_select" else 1
            codes, axis = self._over_bangs(function, tree.arguments[:reduced], visit)
            if function in _REDUCTIONS:
                return f"{_REDUCTIONS[function]}({codes[0]}, axis={axis!r})"
            rest = ", ".join(visit(arg) for arg in tree.arguments[2:])
            return f"_ar.vector_select({codes[0]}, {codes[1]}, {axis!r}, {rest})"
        shape = tuple(len(items) for _, items in self.frame)
        if not shape or function == "invert_matrix" and (len(shape) < 2
                                                         or shape[-1] != shape[-2]):
            what = "a square matrix" if function == "invert_matrix" else "a subscripted vector"
            raise self._unsupported(element, f"{_vensim(function)} outside an equation over "
                                    f"{what}")
        # INVERT MATRIX's size argument is the matrix's own (PySD ignores it too)
        args = [visit(arg) for arg in tree.arguments[:2 if function != "invert_matrix" else 1]]
        args[0] = f"_ar.full({args[0]}, {shape!r})"
        return f"_ar.{function}({', '.join(args)})"

    def _over_bangs(self, function: str, trees: tuple, visit: Callable[[object], str]
                    ) -> tuple[list[str], int | tuple[int, ...]]:
        """The code of `trees` over the frame grown by their ``Range!`` axes, and those axes."""
        bangs = list(dict.fromkeys(b for tree in trees for b in bang_subscripts(tree)))
        if not bangs:
            raise self._unsupported(self._element, f"{_vensim(function)} without a Range! "
                                    "subscript")
        outer = self.frame
        self.frame = outer + tuple((b, self.ranges[b[:-1]]) for b in bangs
                                   if b[:-1] in self.ranges)
        try:
            codes = [visit(tree) for tree in trees]
        finally:
            self.frame = outer
        axes = tuple(range(-len(bangs) - 1, -1))
        return codes, axes[0] if len(axes) == 1 else axes

    def structure(self, tree, visit: Callable[[object], str], element: str,
                  references: dict[str, str]) -> str:
        """The code of ALLOCATE BY PRIORITY or ALLOCATE AVAILABLE (`tree`, PySD's structure).

        The allocation runs along the equation's last subscript; ALLOCATE
        AVAILABLE's priority profiles are read along their element's last
        range, whatever the reference writes there (as PySD).
        """
        self._element = element
        shape = tuple(len(items) for _, items in self.frame)
        name = type(tree).__name__
        if not shape:
            raise self._unsupported(element, f"{_vensim(name)} outside a subscripted equation")
        request = f"_ar.full({visit(tree.request)}, {shape!r})"
        if isinstance(tree, ae.AllocateByPriorityStructure):
            return (f"_ar.allocate_by_priority({request}, {visit(tree.priority)}, "
                    f"{visit(tree.width)}, {visit(tree.supply)})")
        profiles = tree.pp
        ident = references.get(getattr(profiles, "reference", None))
        if ident not in self.dims or profiles.subscripts is None:
            raise self._unsupported(element, "ALLOCATE AVAILABLE whose priority profiles are "
                                    "not a subscripted variable")
        last = self.dims[ident][-1]
        subs = list(profiles.subscripts.subscripts[:-1]) + [last[0]]
        outer = self.frame
        self.frame = outer + (last,)
        try:
            code = visit(ae.ReferenceStructure(profiles.reference,
                                               ae.SubscriptsReferenceStructure(subs)))
        finally:
            self.frame = outer
        return f"_ar.allocate_available({request}, {code}, {visit(tree.avail)})"

    # --- placing the equations' values into an element
    def placement(self, dims: tuple[Dim, ...], frame: tuple[Dim, ...],
                  excepts: list[tuple[Dim, ...]], element: str) -> tuple[str, str] | None:
        """(index tuple, mask) code of one equation's block, None when it is the whole element."""
        if len(frame) != len(dims):
            raise self._unsupported(element, "an equation with a different number of "
                                    "subscripts than the element")
        index = [_positions(items, f_items) for (_, items), (_, f_items) in
                 zip(dims, frame)]
        mask = np.ones([len(i) for i in index], bool)
        for other in excepts:
            if len(other) != len(frame):
                raise self._unsupported(element, ":EXCEPT: with a different number of "
                                        "subscripts than the equation")
            keep = [[c in set(e_items) for c in f_items]
                    for (_, f_items), (_, e_items) in zip(frame, other)]
            mask[np.ix_(*keep)] = False
        whole = all(i == list(range(len(items))) for i, (_, items) in zip(index, dims))
        if whole and mask.all():
            return None
        index_code = "(" + "".join(self.constant(np.array(i, dtype=np.intp)) + ", "
                                   for i in index) + ")"
        return index_code, ("None" if mask.all() else self.constant(mask))

    def place(self, dims: tuple[Dim, ...], parts: list[tuple[tuple[str, str] | None, str]]
              ) -> str:
        """The code of an element's whole value from its equations' (placement, code)."""
        shape = tuple(len(items) for _, items in dims)
        if len(parts) == 1 and parts[0][0] is None:
            return f"_ar.full({parts[0][1]}, {shape!r})"
        blocks = []
        for where, code in parts:
            if where is None:
                where = ("(" + "".join(self.constant(np.arange(n, dtype=np.intp)) + ", "
                                       for n in shape) + ")", "None")
            blocks.append(f"({where[0]}, {where[1]}, {code})")
        return f"_ar.assemble({shape!r}, ({', '.join(blocks)},))"


def _positions(items: tuple[str, ...], wanted) -> list[int]:
    """The position in `items` of each of `wanted` (all in `items`)."""
    where = {item: i for i, item in enumerate(items)}
    return [where[c] for c in wanted]


def _vensim(name: str) -> str:
    """The Vensim spelling of a PySD function or structure name."""
    words = name.removesuffix("Structure")
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", words).replace("_", " ")
    return words.upper()


def bang_subscripts(tree: object) -> list[str]:
    """The ``Range!`` subscripts of the references in `tree`, in order of appearance."""
    found: list[str] = []
    if isinstance(tree, ae.ReferenceStructure) and tree.subscripts is not None:
        found += [s for s in tree.subscripts.subscripts if s.endswith("!")]
    elif isinstance(tree, ae.AbstractSyntax):
        for value in vars(tree).values():
            for item in value if isinstance(value, (list, tuple)) else (value,):
                found += bang_subscripts(item)
    return list(dict.fromkeys(found))



def state_rows(graph) -> dict[str, tuple[int, int]]:
    """Each stock's rows ``(start, stop)`` of the state: one per element when subscripted.

    `graph` is a :class:`~flywheel.compiler.graph.ModelGraph`.
    """
    rows, start = {}, 0
    for stock in graph.stocks:
        size = math.prod(len(items) for _, items in graph.nodes[stock].dims)
        rows[stock] = (start, start + size)
        start += size
    return rows
