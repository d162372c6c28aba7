"""Load a system-dynamics model file and describe its elements.

A :class:`Model` is what PySD's translators read from a ``.mdl`` or ``.xmile``
file: the abstract model (one AST per element) plus what a user wants to know
about each element (kind, units, documentation, range, equation text). It is
immutable: simulations never change it, so one loaded model serves any number
of runs.

Examples
--------
>>> import flywheel
>>> model = flywheel.load("flywheel_minimal")
>>> model.element("Learning Rate").kind
'constant'
>>> "Installed Compute" in model.stocks
True
"""

from __future__ import annotations

import hashlib
import importlib.resources
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal

from flywheel.compiler.naming import CONTROL_NAMES, control_name, reference_key
from flywheel.errors import ModelFileError, UnknownModelError
from flywheel.params import resolve_name

if TYPE_CHECKING:  # PySD (and pandas, xarray behind it) is imported when a model is read
    from pysd.translators.structures.abstract_model import AbstractModel

__all__ = ["CONTROL_NAMES", "Element", "Model", "available_models", "load", "parse_file"]

Kind = Literal["stock", "flow", "auxiliary", "constant", "lookup", "control"]

_NUMBER = r"((?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"
#: ``(-2)^2`` is 4 in Vensim, but PySD's parser drops the parentheses and reads
#: the number -2, which the engines raise as ``-(2^2)`` (Vensim's ``-2^2``). The
#: text is read as ``(-0-2)^2`` instead, and shown as written.
_NEGATIVE_BASE = re.compile(rf"\(\s*-\s*{_NUMBER}\s*\)(?=\s*\^)")
_NEGATIVE_BASE_BACK = re.compile(rf"\(-0-{_NUMBER}\)")
_SUFFIXES = {".mdl": "vensim", ".xmile": "xmile", ".xml": "xmile", ".stmx": "xmile"}
_SOURCE = re.compile(r"\bsources?\s*:\s*(.+)", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Element:
    """One named element of a model.

    Attributes
    ----------
    name : str
        The display name, as written in the model file and as PySD names its
        output column; a control variable goes by its name in
        :data:`CONTROL_NAMES` however the file spells it (``FINAL_TIME``).
    kind : {"stock", "flow", "auxiliary", "constant", "lookup", "control"}
        A stock is an INTEG; a flow is an element a stock's rate refers to; a
        constant is a number with no references; a lookup is a table; control
        is one of :data:`CONTROL_NAMES`; anything else is an auxiliary.
    units : str
        The units string (empty when the model gives none).
    documentation : str
        The element's comment.
    range : tuple of (float or None, float or None)
        Vensim's ``[min,max]``; None where the model gives no bound.
    equation : str
        The right-hand side as written in the model file.
    value : float or None
        The default value of a constant or control variable, else None.
    """

    name: str
    kind: Kind
    units: str
    documentation: str
    range: tuple[float | None, float | None]
    equation: str
    value: float | None = None

    @property
    def source(self) -> str:
        """The source the documentation cites (text after ``Source:``), or ''."""
        match = _SOURCE.search(self.documentation)
        return " ".join(match.group(1).split()) if match else ""


class Model:
    """A model file read by PySD's translators; build it with :func:`load`.

    Parameters
    ----------
    path : pathlib.Path
        The model file.
    abstract : pysd AbstractModel
        What the translator made of it.
    equations : mapping of str to str
        Display name to equation text as written in the file.
    sketch : str
        The sketch (diagram) section of a Vensim file, '' for other formats.
    allow_data_outside_folder : bool
        Whether PySD's run may read data files (GET DIRECT/GET XLS ...) outside
        the model file's folder; see :mod:`flywheel.translation`.
    """

    def __init__(
        self,
        path: Path,
        abstract: AbstractModel,
        equations: Mapping[str, str],
        sketch: str = "",
        *,
        allow_data_outside_folder: bool = False,
    ) -> None:
        self.path = path
        self.abstract = abstract
        self.sketch = sketch
        self.allow_data_outside_folder = allow_data_outside_folder
        self._equations = dict(equations)

    def __reduce__(self):
        """Pickle as the file it was read from: a worker process reads it again."""
        return (_translate, (self.path, self.allow_data_outside_folder))

    def __repr__(self) -> str:
        return (
            f"<flywheel.Model {self.name!r}: {len(self.stocks)} stocks, "
            f"{len(self.constants)} constants, from {self.path}>"
        )

    @property
    def name(self) -> str:
        """The model's name: the file name without its suffix."""
        return self.path.stem

    @cached_property
    def digest(self) -> str:
        """SHA-256 of the model file's bytes, a key for caches."""
        return hashlib.sha256(self.path.read_bytes()).hexdigest()

    @cached_property
    def compiled(self):
        """The model compiled to numpy (:func:`flywheel.compiler.compile_model`), built once."""
        from flywheel.compiler import compile_model
        from flywheel.translation import data_files

        return compile_model(self.abstract, data_files(self), self.control)

    @cached_property
    def elements(self) -> Mapping[str, Element]:
        """Every element by display name, in the order of the model file."""
        section = self.abstract.sections[0]
        flows = _flow_names(section.elements)
        built = {}
        for element in section.elements:
            kind, value = _classify(element, flows)
            # a control variable goes by its usual name, however the file spells it
            name = control_name(element.name) or element.name
            built[name] = Element(
                name=name,
                kind=kind,
                units=element.units or "",
                documentation=(element.documentation or "").strip(),
                range=tuple(_bound(b) for b in (element.limits or (None, None))),
                equation=self._equations.get(element.name, ""),
                value=value,
            )
        return MappingProxyType(built)

    @cached_property
    def subscripts(self) -> Mapping[str, tuple[str, ...]]:
        """Every subscript range by name, with its elements, as PySD resolves them.

        Examples
        --------
        >>> import flywheel
        >>> flywheel.load("tests/models/subscripted.mdl").subscripts
        mappingproxy({'Region': ('North', 'South')})
        """
        ranges = self._subscript_manager.subscripts
        return MappingProxyType({name: tuple(items) for name, items in ranges.items()})

    @cached_property
    def _subscript_manager(self):
        """PySD's SubscriptManager of the main section (reads GET DIRECT SUBSCRIPT files)."""
        from pysd.builders.python.subscripts import SubscriptManager

        try:
            return SubscriptManager(self.abstract.sections[0].subscripts, self.path.parent)
        except Exception as error:  # PySD raises many kinds; name the file
            raise ModelFileError(f"{self.path}: the subscript ranges cannot be resolved: "
                                 f"{' '.join(str(error).split())}") from error

    def dimensions(self, name: str) -> tuple[str, ...]:
        """The subscript ranges of the element `name`, in order; () if it has none.

        Examples
        --------
        >>> import flywheel
        >>> flywheel.load("tests/models/subscripted.mdl").dimensions("Demand")
        ('Region',)
        """
        name = self.resolve(name)
        if not self.abstract.sections[0].subscripts:
            return ()
        element = next(el for el in self.abstract.sections[0].elements
                       if (control_name(el.name) or el.name) == name)
        return tuple(self._subscript_manager.make_merge_list(
            [component.subscripts[0] for component in element.components], name))

    def _names_of(self, kind: Kind) -> tuple[str, ...]:
        return tuple(name for name, el in self.elements.items() if el.kind == kind)

    @property
    def stocks(self) -> tuple[str, ...]:
        """Display names of the stocks (INTEG elements)."""
        return self._names_of("stock")

    @property
    def flows(self) -> tuple[str, ...]:
        """Display names of the flows (elements a stock's rate refers to)."""
        return self._names_of("flow")

    @property
    def constants(self) -> Mapping[str, float]:
        """Display name to default value of every constant a user may set."""
        return MappingProxyType(
            {n: el.value for n, el in self.elements.items() if el.kind == "constant"}
        )

    @cached_property
    def control(self) -> Mapping[str, float]:
        """INITIAL TIME, FINAL TIME, TIME STEP and SAVEPER as numbers.

        SAVEPER given as an expression of TIME STEP (Vensim's default) is
        resolved to the time step. When INITIAL TIME, FINAL TIME or TIME STEP
        is an expression (of constants, or of Time), every control variable
        takes the value PySD computes at the initial time with the model's
        defaults (:func:`flywheel.reference.control_values`), once.
        """
        missing = [n for n in CONTROL_NAMES if n not in self.elements]
        if missing:
            raise ModelFileError(
                f"{self.path}: simulation control {', '.join(missing)} missing; "
                "Vensim models set them in the .Control group"
            )
        values = {n: self.elements[n].value for n in CONTROL_NAMES}
        if None in (values["INITIAL TIME"], values["FINAL TIME"], values["TIME STEP"]):
            from flywheel.reference import control_values

            computed = control_values(self)
            values = {n: computed[n] if v is None else v for n, v in values.items()}
        elif values["SAVEPER"] is None:
            values["SAVEPER"] = values["TIME STEP"]
        return MappingProxyType(values)

    def element(self, name: str) -> Element:
        """The element called `name` (display name, any case or PySD's snake_case).

        Raises
        ------
        UnknownParameterError
            With the closest element names, when there is no such element.
        """
        return self.elements[self.resolve(name)]

    def resolve(self, name: str) -> str:
        """The display name of the element that `name` means.

        Matching ignores case and treats spaces and underscores alike, so
        ``"price_elasticity_of_demand"`` finds ``"Price Elasticity of Demand"``.

        Raises
        ------
        UnknownParameterError
            Naming `name` and suggesting the closest element names.
        """
        return resolve_name(name, self.elements, what="element", owner=f"model {self.name!r}")

    def describe(self, kinds: tuple[Kind, ...] = ("stock", "flow", "constant")):
        """A table of the elements of the given kinds, one row each.

        Returns
        -------
        pandas.DataFrame
            Indexed by display name, with columns kind, units, value (the
            default of a constant), min, max, source and documentation.
        """
        import pandas as pd

        rows = [
            {
                "name": el.name,
                "kind": el.kind,
                "units": el.units,
                "value": el.value,
                "min": el.range[0],
                "max": el.range[1],
                "source": el.source,
                "documentation": el.documentation,
            }
            for el in self.elements.values()
            if el.kind in kinds
        ]
        frame = pd.DataFrame(rows, columns=list(rows[0]) if rows else ["name"])
        return frame.set_index("name")


def _bound(value: float | None) -> float | None:
    return None if value is None else float(value)


def _number(node: object) -> float | None:
    """The value of an AST made only of numbers (e.g. ``-3`` or ``1/4``), else None."""
    from pysd.translators.structures import abstract_expressions as ast

    if isinstance(node, (int, float)) and not isinstance(node, bool):
        return float(node)
    if isinstance(node, ast.ArithmeticStructure):
        args = [_number(a) for a in node.arguments]
        if None in args:
            return None
        if node.operators == ["negative"]:
            return -args[0]
        first = node.arguments[0]
        if node.operators[0] == "^" and isinstance(first, (int, float)) and first < 0:
            # the literal -2 in -2^2, which Vensim reads as -(2^2)
            return -_number(ast.ArithmeticStructure(node.operators, (-args[0], *args[1:])))
        import numpy as np  # imported when a model is read, not with flywheel

        value = np.float64(args[0])
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):  # 1/0 is inf
            for op, arg in zip(node.operators, args[1:]):
                if op not in _ARITHMETIC:
                    return None
                value = _ARITHMETIC[op](value, arg)
        return float(value)
    return None


_ARITHMETIC = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "^": lambda a, b: a**b,
}


def _references(node: object) -> set[str]:
    """PySD names referred to directly by a flow expression's sum of terms."""
    from pysd.translators.structures import abstract_expressions as ast

    if isinstance(node, ast.ReferenceStructure):
        return {node.reference}
    if isinstance(node, ast.ArithmeticStructure) and set(node.operators) <= {
        "+",
        "-",
        "negative",
    }:
        return set().union(*(_references(a) for a in node.arguments))
    return set()


def _flow_names(elements) -> set[str]:
    """PySD names of the elements that stocks' rates add or subtract."""
    from pysd.translators.structures import abstract_expressions as ast

    flows: set[str] = set()
    for element in elements:
        for component in element.components:
            if isinstance(component.ast, ast.IntegStructure):
                flows |= _references(component.ast.flow)
    return flows


def _classify(element, flows: set[str]) -> tuple[Kind, float | None]:
    from pysd.translators.structures import abstract_expressions as ast

    component = element.components[0]
    node = component.ast
    value = _number(node)
    if control_name(element.name):
        return "control", value
    if component.type == "Lookup" or isinstance(node, ast.LookupsStructure):
        return "lookup", None
    if isinstance(node, ast.IntegStructure):
        return "stock", None
    if reference_key(element.name) in flows:
        return "flow", None
    if value is not None and len(element.components) == 1:
        return "constant", value
    return "auxiliary", None


# --------------------------------------------------------------------- loading


def available_models() -> list[str]:
    """Names of the models bundled with flywheel, sorted.

    Examples
    --------
    >>> import flywheel
    >>> flywheel.available_models()
    ['flywheel', 'flywheel_minimal']
    """
    folder = importlib.resources.files("flywheel.models")
    return sorted(
        Path(entry.name).stem
        for entry in folder.iterdir()
        if Path(entry.name).suffix in _SUFFIXES
    )


def bundled_path(name: str) -> Path:
    """The file of the bundled model `name`."""
    folder = importlib.resources.files("flywheel.models")
    for entry in folder.iterdir():
        if Path(entry.name).stem == name and Path(entry.name).suffix in _SUFFIXES:
            return Path(str(entry))
    raise UnknownModelError(
        f"no bundled model {name!r}; bundled models: {', '.join(available_models())} "
        "(or give the path of a .mdl or .xmile file)"
    )


def load(name_or_path: str | Path, *, allow_data_outside_folder: bool = False) -> Model:
    """Load a bundled model by name, or any Vensim ``.mdl`` or XMILE file by path.

    Parameters
    ----------
    name_or_path : str or path-like
        A name from :func:`available_models` or the path of a model file.
    allow_data_outside_folder : bool
        Let PySD's run read data files (GET DIRECT/GET XLS DATA, CONSTANTS,
        LOOKUPS, SUBSCRIPT) named by an absolute path or a path leading out of
        the model file's folder. By default they are refused.

    Returns
    -------
    Model

    Raises
    ------
    UnknownModelError
        A name that is not bundled (the message lists the bundled models).
    ModelFileError
        A missing file (naming the path tried), an unsupported suffix, or a
        file the translator cannot parse (with the parser's message).

    Examples
    --------
    >>> import flywheel
    >>> flywheel.load("flywheel_minimal").name
    'flywheel_minimal'
    """
    text = str(name_or_path)
    path = Path(text).expanduser()
    is_name = not isinstance(name_or_path, Path) and not path.suffix and path.name == text
    if is_name:
        path = bundled_path(text)
    if not path.is_file():
        raise ModelFileError(f"no model file at {path.resolve()}")
    if path.suffix.lower() not in _SUFFIXES:
        raise ModelFileError(
            f"{path}: unsupported model file type {path.suffix!r}; "
            f"expected one of {', '.join(sorted(_SUFFIXES))}"
        )
    return _translate(path.resolve(), allow_data_outside_folder)


def parse_file(path: Path) -> tuple[AbstractModel, dict[str, str], str]:
    """PySD's abstract model of the file at `path`, its equations and its sketch.

    Each call returns a new result (the caller's to change); a file parsed
    before, with the same content, is read back from the disk cache of
    :mod:`flywheel.parsed` instead of parsed again.

    Raises
    ------
    ModelFileError
        Naming the file and the translator's message when it cannot be parsed.
    """
    if not _is_text(path):
        raise ModelFileError(f"{path}: not a model file: it holds binary data, not the text "
                             "of a Vensim .mdl or XMILE file")
    from flywheel.parsed import cached_parse

    return cached_parse(path, _parse, salt=hashlib.sha256(Path(__file__).read_bytes()).hexdigest())


def _parse(path: Path) -> tuple[AbstractModel, dict[str, str], str]:
    """:func:`parse_file` without the cache."""
    try:
        if _SUFFIXES[path.suffix.lower()] == "vensim":
            from pysd.translators.vensim.vensim_file import VensimFile

            source = VensimFile(path)
            source.model_text = _NEGATIVE_BASE.sub(r"(-0-\1)", source.model_text)
            source.parse()
            equations = {  # subscript ranges and some data elements have no expression
                el.name: _NEGATIVE_BASE_BACK.sub(r"(-\1)", " ".join(el.expression.split()))
                for section in source.sections
                for el in section.elements
                if isinstance(getattr(el, "expression", None), str)
            }
            sketch = source.sketch
        else:
            from pysd.translators.xmile.xmile_file import XmileFile

            source = XmileFile(path)
            source.parse()
            equations, sketch = {}, ""
        abstract = source.get_abstract_model()
    except Exception as error:  # the translators raise many kinds; report them all
        raise ModelFileError(_parse_failure(path, error)) from error
    return abstract, equations, sketch


def _is_text(path: Path) -> bool:
    """Whether the start of the file reads as text: no NUL byte, under 1% control bytes."""
    sample = path.read_bytes()[:65536]
    controls = sum(byte < 32 and byte not in b"\t\n\r\f" or byte == 127 for byte in sample)
    return b"\0" not in sample and controls * 100 <= len(sample)


def _parse_failure(path: Path, error: Exception) -> str:
    """What went wrong reading `path`: for a syntax error, the file's line and the element."""
    from parsimonious.exceptions import ParseError

    detail = " ".join(f"{error}".split()) or type(error).__name__
    if not isinstance(error, ParseError) or not isinstance(error.text, str):
        return f"{path}: the model file could not be parsed: {detail}"
    name = None
    frame = error.__traceback__
    while frame is not None:  # the innermost element PySD was parsing when it failed
        owner = frame.tb_frame.f_locals.get("self")
        if type(owner).__name__ == "Component" and isinstance(getattr(owner, "name", None), str):
            name = owner.name
        frame = frame.tb_next
    where = _file_position(path, error.text, error.pos, name)
    what = f"element {name!r}" if name else "an equation"
    rest = " ".join(error.text[error.pos:].split())
    found = f"{rest[:40]!r}" if rest else "the end of the equation"
    return (f"{path}{where}: syntax error in {what}: cannot read the equation from {found} "
            f"(the equation is {' '.join(error.text.split())[:120]!r})")


def _file_position(path: Path, text: str, pos: int, name: str | None) -> str:
    """', line L, column C' of offset `pos` of `text` in the file, '' if not found.

    The search starts at the definition of the element `name` when known.
    PySD may change the whitespace of what it parses, so any run of whitespace
    matches any other.
    """
    content = path.read_text(encoding="utf-8", errors="replace")

    def pattern(part: str) -> str:
        return r"\s*".join(re.escape(c) for c in part if not c.isspace())

    definition = re.search(rf"^\s*{pattern(name)}\s*[=:(\[]", content, re.MULTILINE) \
        if name else None
    start = definition.start() if definition else 0
    found = re.compile(pattern(text)).search(content, start) if text.strip() else None
    if found is None:
        return ""
    end = re.compile(pattern(text[:pos])).match(content, found.start())
    offset = end.end() if end and text[:pos].strip() else found.start()
    if text[pos:].strip():  # the first character that could not be read
        offset += len(content[offset:]) - len(content[offset:].lstrip())
    line = content.count("\n", 0, offset) + 1
    return f", line {line}, column {offset - content.rfind(chr(10), 0, offset)}"


def _translate(path: Path, allow_data_outside_folder: bool = False) -> Model:
    """Read `path` with PySD's translator into a :class:`Model`."""
    abstract, equations, sketch = parse_file(path)
    if not abstract.sections or not abstract.sections[0].elements:
        raise ModelFileError(f"{path}: the model file defines no elements")
    return Model(path, abstract, equations, sketch,
                 allow_data_outside_folder=allow_data_outside_folder)
