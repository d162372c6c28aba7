"""Collect a model's nodes from its abstract model and order them.

Examples
--------
>>> from pysd.translators.vensim.vensim_file import VensimFile
>>> vf = VensimFile("tests/models/teacup.mdl"); vf.parse()
>>> graph = ModelGraph(vf.get_abstract_model())
>>> graph.stocks
['teacup_temperature']
"""

from __future__ import annotations

from numbers import Number
from pathlib import Path

import numpy as np
from pysd.translators.structures import abstract_expressions as ae

from flywheel.compiler.arrays import Arrays
from flywheel.compiler.macros import MacroElement
from flywheel.compiler.naming import control_name, identifier, reference_key
from flywheel.compiler.translate import TIME, Node, Translator, unsupported
from flywheel.errors import ModelFileError

__all__ = ["CONTROLS", "ModelGraph"]

#: Control variable display name -> identifier in generated code.
CONTROLS = {"INITIAL TIME": "_t0", "FINAL TIME": "_tf", "TIME STEP": "_dt", "SAVEPER": "_saveper"}


class ModelGraph:
    """The nodes of one model, with their orders of evaluation.

    Attributes
    ----------
    nodes : dict
        Identifier -> :class:`~flywheel.compiler.translate.Node`.
    stocks : list of str
        Identifiers of the stocks (INTEG elements, then hidden stocks, in model order).
    columns : dict
        Output display name -> identifier, in PySD's column order.
    tables : list
        (identifier, x, y) of every lookup table.
    control_code : dict
        Control identifier -> (code, deps) of its default.
    static : set of str
        Identifiers whose value does not change during a run.
    delay_checks : list
        (order, delay time identifier, hidden stock name) of every delay.

    Parameters
    ----------
    abstract_model : pysd AbstractModel
    scalar : bool
        Write the code over floats, for the numba kernel.
    """

    def __init__(self, abstract_model, scalar: bool = False) -> None:
        if len(abstract_model.sections) > 1:
            raise unsupported(abstract_model.sections[1].name, "a macro")
        section = abstract_model.sections[0]
        self.nodes: dict[str, Node] = {}
        self.stocks: list[str] = []
        self.tables: list[tuple[str, tuple, tuple]] = []
        self.control_code: dict[str, tuple[str, frozenset]] = {}
        self.columns: dict[str, str] = {}
        taken: set[str] = set()
        refs: dict[str, str] = {reference_key(k): v for k, v in CONTROLS.items()}
        lookups: dict[str, tuple[str, str]] = {}
        elements = []
        self.arrays = arrays = (Arrays(section, _folder(abstract_model), unsupported)
                                if section.subscripts else None)
        for element in section.elements:
            if arrays is None or control_name(element.name):
                _check_shape(element)
            key = reference_key(element.name)
            if control_name(element.name):
                continue
            ident = identifier(element.name, taken)
            component = element.components[0]
            dims = arrays.element_dims(element) if arrays is not None else ()
            if dims and (component.type == "Data" or scalar):
                raise unsupported(element.name, "subscripts in the numba kernel" if scalar else
                                  f"a subscripted {component.type.lower()} element")
            if dims and component.type == "Lookup":
                lookups[key] = arrays.lookup_tables(element, dims)
                continue
            if dims:
                arrays.dims[ident] = dims
            if component.type == "Lookup":
                if not isinstance(component.ast, ae.LookupsStructure):
                    raise unsupported(element.name, "an external lookup table")
                if component.ast.type != "interpolate":
                    raise unsupported(element.name, f"a {component.ast.type!r} lookup")
                order = np.argsort(component.ast.x, kind="stable")
                x, y = (tuple(float(np.asarray(v)[i]) for i in order)
                        for v in (component.ast.x, component.ast.y))
                self.tables.append((f"_lookup_{ident}", x, y))
                lookups[key] = (f"_lookup_{ident}_x", f"_lookup_{ident}_y")
                continue
            if component.type == "Data" or isinstance(component.ast, ae.DataStructure):
                raise unsupported(element.name, "data variables")
            refs[key] = ident
            elements.append((element, ident))
        translator = Translator(refs, lookups, self._add, scalar, arrays)
        translator.definitions = {reference_key(e.name): e.components[0].ast
                                  for e in section.elements}
        for element in section.elements:
            control = control_name(element.name)
            if control:
                code, deps = translator.expression(element.components[0].ast, element.name, "c")
                if deps - set(CONTROLS.values()):
                    raise unsupported(element.name, "a control variable depending on "
                                      "model variables")
                self.control_code[CONTROLS[control]] = (code, deps)
                self.columns[control] = CONTROLS[control]
        missing = [name for name, ident in CONTROLS.items() if ident not in self.control_code]
        if missing:
            raise ModelFileError(f"the model does not define {', '.join(missing)}")
        for element, ident in elements:
            self._add(self._element_node(translator, element, ident))
            if not isinstance(element, MacroElement):  # a macro's inside, as in PySD's outputs
                self.columns[element.name] = ident
        self.tables += translator.inline_tables
        #: Calls of the random functions (RANDOM UNIFORM, RANDOM NORMAL, RANDOM 0 1).
        self.random_sites = translator.random_sites
        #: (element, construct) that only method "euler" computes as PySD does.
        self.euler_only = translator.euler_only
        self.delay_checks = translator.delay_checks
        self.globals = set(CONTROLS.values()) | {
            f"{t[0]}_{axis}" for t in self.tables for axis in "xy"}
        self.array_constants = arrays.constants if arrays is not None else []
        self.static = self._static()
        for ident, element, construct in translator.static_required:
            if ident.isidentifier() and ident not in self.static:
                raise unsupported(element, construct)

    def _add(self, node: Node) -> None:
        self.nodes[node.ident] = node
        if node.kind == "stock":
            self.stocks.append(node.ident)

    @staticmethod
    def _element_node(translator: Translator, element, ident: str) -> Node:
        if translator.arrays is not None and ident in translator.arrays.dims:
            return _array_node(translator, translator.arrays, element, ident)
        tree = element.components[0].ast
        if isinstance(tree, ae.IntegStructure):
            init, init_deps = translator.expression(tree.initial, element.name, ident)
            ddt, ddt_deps = translator.expression(tree.flow, element.name, ident)
            if tree.non_negative:  # an XMILE non-negative stock
                ddt, ddt_deps = translator.non_negative(ident, ddt, ddt_deps)
            return Node(ident, element.name, "stock", init_code=init, init_deps=init_deps,
                        ddt_code=ddt, ddt_deps=ddt_deps)
        if isinstance(tree, ae.InitialStructure):
            init, init_deps = translator.expression(tree.initial, element.name, ident)
            return Node(ident, element.name, "initial", init_code=init, init_deps=init_deps)
        code, deps = translator.expression(tree, element.name, ident)
        literal = float(tree) if isinstance(tree, Number) and not isinstance(tree, bool) else None
        return Node(ident, element.name, "aux", code=code, deps=deps, literal=literal)

    def _static(self) -> set[str]:
        static = set(self.globals)
        for ident in self.order(list(self.nodes)):
            node = self.nodes[ident]
            if node.kind == "initial" or (
                    node.kind == "aux" and TIME not in node.deps and node.deps <= static):
                static.add(ident)
        return static

    def deps(self, ident: str, initial: bool) -> frozenset:
        """What `ident` reads: at the initial time if `initial`, else during the run."""
        node = self.nodes[ident]
        if node.kind == "aux":  # an ACTIVE INITIAL's auxiliary has its own initial code
            return node.init_deps if initial and node.init_code else node.deps
        return node.init_deps if initial else frozenset()

    def order(self, roots, initial: bool = False, stop: set[str] | None = None) -> list[str]:
        """`roots` and everything they read (but not past `stop`), dependencies first.

        Raises
        ------
        ModelFileError
            On a loop of equations with no stock in it.
        """
        stop = set(self.globals) | {TIME} | (stop or set())
        done: list[str] = []
        state: dict[str, int] = {}
        for root in roots:
            stack = [(root, iter(sorted(self.deps(root, initial))))]
            state[root] = state.get(root, 0) or 1
            if state[root] == 2:
                continue
            while stack:
                ident, children = stack[-1]
                child = next((c for c in children if c not in stop), None)
                if child is None:
                    stack.pop()
                    state[ident] = 2
                    done.append(ident)
                elif state.get(child) == 1:
                    loop = [i for i, _ in stack][[i for i, _ in stack].index(child):]
                    names = [self.nodes[i].name or i for i in loop + [child]]
                    what = "initialisation" if initial else "simultaneous equations"
                    raise ModelFileError(f"circular {what}: {' -> '.join(names)}")
                elif child not in state:
                    state[child] = 1
                    stack.append((child, iter(sorted(self.deps(child, initial)))))
        return done


def _folder(abstract_model) -> Path:
    path = getattr(abstract_model, "original_path", None)
    return Path(path).parent if path else Path(".")


def _array_node(translator: Translator, arrays: Arrays, element, ident: str) -> Node:
    """The node of a subscripted element: its equations' values placed in one array."""
    dims = arrays.dims[ident]
    kinds, parts = set(), {"code": [], "init": [], "ddt": []}
    deps = {"code": set(), "init": set(), "ddt": set()}
    for component in element.components:
        frame = arrays.coords(component.subscripts[0])
        where = arrays.placement(dims, frame, [arrays.coords(e) for e in component.subscripts[1]],
                                 element.name)
        arrays.frame = frame
        tree = component.ast
        if isinstance(tree, ae.IntegStructure):
            if tree.non_negative:
                raise unsupported(element.name, "a non-negative stock")
            kinds.add("stock")
            pieces = {"init": tree.initial, "ddt": tree.flow}
        elif isinstance(tree, ae.InitialStructure):
            kinds.add("initial")
            pieces = {"init": tree.initial}
        else:
            kinds.add("aux")
            pieces = {"code": tree}
        for part, piece in pieces.items():
            code, piece_deps = translator.expression(piece, element.name, ident)
            parts[part].append((where, code))
            deps[part] |= piece_deps
        arrays.frame = ()
    if len(kinds) > 1:
        raise unsupported(element.name, "equations of different kinds (INTEG, INITIAL, "
                          "others) for the elements of one variable")
    placed = {part: arrays.place(dims, values) for part, values in parts.items() if values}
    kind = kinds.pop()
    return Node(ident, element.name, kind, code=placed.get("code", ""),
                deps=frozenset(deps["code"]), init_code=placed.get("init", ""),
                init_deps=frozenset(deps["init"]), ddt_code=placed.get("ddt", ""),
                ddt_deps=frozenset(deps["ddt"]), dims=dims)


def _check_shape(element) -> None:
    if len(element.components) != 1 or any(
            any(part) for part in element.components[0].subscripts):
        raise unsupported(element.name, "subscripts")
