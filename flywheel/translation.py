"""PySD's translation of a model: made once, into a private cache, checked before use.

PySD translates a model file into a Python module and executes it on every
load. Nothing from the model file may become code there, so the module is
built from flywheel's own parse of the file (:func:`flywheel.model.parse_file`):

* under a name flywheel chooses (``model.py``), never the file's name, and
  without the documentation, which PySD pastes into docstrings unescaped;
* any other text PySD pastes between quotes (a data file's sheet or cells, a
  subscript or subscript range, a macro's name, an unknown function's name, a
  data element's name) is refused with :class:`~flywheel.errors.ModelFileError`
  when it holds a quote, a backslash or a control character;
* the data files read by GET DIRECT/GET XLS DATA, CONSTANTS, LOOKUPS and
  SUBSCRIPT are resolved against the model file's folder and copied into the
  translation under generated names; a file outside that folder (absolute, or
  through ``..`` or a link) is refused unless the model was loaded with
  ``allow_data_outside_folder=True``, and a missing file is named.

The cache is ``$FLYWHEEL_CACHE/flywheel/pysd`` (else ``$XDG_CACHE_HOME`` or
``~/.cache`` instead of ``$FLYWHEEL_CACHE``), created with mode 0700 and refused
(:class:`~flywheel.errors.CacheFolderError`) when another user owns it or others
may write to it; there is no fallback to a shared temporary folder. One entry
per model content, data files and PySD version holds the module, the copied
data and a manifest of the SHA-256 of each file. An entry is built by one
process or thread at a time (an exclusive lock file per entry) in a temporary
folder renamed into place, and its manifest is checked before every load: an
entry that fails the check (a truncated module, say) is translated again.

Examples
--------
>>> cache_root().parts[-2:]
('flywheel', 'pysd')

``translated_module(flywheel.load("tests/models/teacup.mdl"))`` is the path of
``model.py`` in the teacup's entry; ``tests/faults/test_security.py`` runs it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from pysd.translators.structures import abstract_expressions as ae

from flywheel.errors import CacheFolderError, ModelFileError

__all__ = ["ast_nodes", "cache_root", "data_files", "private_folder", "translated_module"]

#: Changes whenever the layout of a cache entry does, so old entries are not reused.
_LAYOUT = "flywheel-pysd-2"
_MANIFEST = "manifest.json"
_MODULE = "model.py"
#: Characters that would end or escape the quoted string PySD pastes text into.
_UNSAFE = re.compile(r"['\"\\\x00-\x1f\x7f]")
_GET = (ae.GetLookupsStructure, ae.GetDataStructure, ae.GetConstantsStructure)


def cache_root() -> Path:
    """The folder of PySD translations (see the module's description)."""
    base = os.environ.get("FLYWHEEL_CACHE") or os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base else Path.home() / ".cache"
    return root / "flywheel" / "pysd"


def private_folder(path: Path) -> Path:
    """`path`, created with mode 0700 if missing, after checking it is private.

    Raises
    ------
    CacheFolderError
        The folder cannot be created, or is owned by another user, or others
        (group or anyone) may write to it.
    """
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.stat()
    except OSError as error:
        raise CacheFolderError(
            f"cannot use {path} as flywheel's cache folder ({error.strerror}); "
            "set FLYWHEEL_CACHE to a folder of your own"
        ) from error
    if info.st_uid != os.getuid():
        raise CacheFolderError(
            f"the cache folder {path} belongs to another user (uid {info.st_uid}); "
            "set FLYWHEEL_CACHE to a folder of your own"
        )
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH) or not stat.S_ISDIR(info.st_mode):
        raise CacheFolderError(
            f"the cache folder {path} may be written by other users "
            f"(mode {stat.filemode(info.st_mode)}); make it private with chmod 700"
        )
    return path


def translated_module(model) -> Path:
    """The verified PySD module of `model` (a :class:`flywheel.Model`), translated if needed.

    Raises
    ------
    ModelFileError
        Text PySD would paste unsafely, a data file that is missing or outside
        the model's folder, or a model PySD cannot translate.
    CacheFolderError
        The cache folder is not private.
    """
    import pysd

    _check_pasted_text(model)
    files = data_files(model)
    root = private_folder(cache_root())
    key = _entry_key(model, files, pysd.__version__)
    entry = root / key
    if not _verified(entry):
        with _locked(root / f"{key}.lock"):
            if not _verified(entry):
                _translate_into(model, files, root, entry)
    return entry / _MODULE


# --------------------------------------------------------------- what PySD pastes


def ast_nodes(tree: object) -> Iterator[object]:
    """Every dataclass node (AST node, subscript range ...) inside `tree`."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if dataclasses.is_dataclass(node) and not isinstance(node, type):
            yield node
            stack.extend(getattr(node, f.name) for f in dataclasses.fields(node))
        elif isinstance(node, (list, tuple)):
            stack.extend(node)
        elif isinstance(node, dict):
            stack.extend(node.values())


def _strings(value: object) -> Iterator[str]:
    """The strings in `value`: itself, or those in a list, tuple or dict's values."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def _pasted(model) -> Iterator[tuple[str, str]]:
    """(owner, text) of each piece of model text PySD pastes into its module as is."""
    for section in model.abstract.sections:
        if section.type != "main":
            yield f"macro {section.name}", section.name
        for subscript in section.subscripts:
            owner = f"subscript range {subscript.name}"
            yield owner, subscript.name
            data = subscript.subscripts
            extra = {k: v for k, v in data.items() if k != "file"} if isinstance(data, dict) \
                else data
            for text in _strings((extra, subscript.mapping)):
                yield owner, text
        for element in section.elements:
            owner = f"element {element.name}"
            for component in element.components:
                if component.type == "Data":
                    yield owner, element.name
                for text in _strings(component.subscripts):
                    yield owner, text
                for node in ast_nodes(component.ast):
                    yield from ((owner, text) for text in _node_strings(node))


def _node_strings(node: object) -> Iterator[str]:
    """The text fields of one AST node that PySD pastes as is."""
    if isinstance(node, ae.ReferenceStructure):  # the reference itself becomes an identifier
        yield from _strings(node.subscripts)
    elif isinstance(node, ae.CallStructure):  # an unknown function is pasted by name
        yield node.function.reference if isinstance(node.function, ae.ReferenceStructure) else ""
    elif isinstance(node, _GET):  # pasted as str() of each field, whatever its type
        fields = (f.name for f in dataclasses.fields(node) if f.name != "file")
        yield from (str(getattr(node, name)) for name in fields)
    else:
        for field in dataclasses.fields(node):
            yield from _strings(getattr(node, field.name))


def _check_pasted_text(model) -> None:
    for owner, text in _pasted(model):
        if _UNSAFE.search(text):
            raise ModelFileError(
                f"{model.path}: {owner} holds the text {text!r}, which PySD would paste "
                "into its generated module unescaped; quotes, backslashes and control "
                "characters are refused there (the compiled engine may still run it)"
            )


# -------------------------------------------------------------------- data files


def _file_specs(abstract) -> Iterator[tuple[str, object]]:
    """(owner, node) of each GET structure and each GET DIRECT SUBSCRIPT range."""
    for section in abstract.sections:
        for subscript in section.subscripts:
            if isinstance(subscript.subscripts, dict) and "file" in subscript.subscripts:
                yield f"subscript range {subscript.name!r}", subscript.subscripts
        for element in section.elements:
            for component in element.components:
                for node in ast_nodes(component.ast):
                    if isinstance(node, _GET):
                        yield f"element {element.name!r}", node


def _file_of(spec: object) -> str:
    return spec["file"] if isinstance(spec, dict) else spec.file


def data_files(model) -> dict[str, Path]:
    """Each data file name as `model` writes it -> the file it means.

    PySD's translation and the compiled engine (:mod:`flywheel.compiler.external`)
    read the files through this one resolution.

    Raises
    ------
    ModelFileError
        A file outside the model's folder (unless the model allows it) or missing.
    """
    folder = model.path.parent.resolve()
    files: dict[str, Path] = {}
    for owner, spec in _file_specs(model.abstract):
        written = _file_of(spec)
        path = (folder / written).resolve()
        if not path.is_relative_to(folder) and not model.allow_data_outside_folder:
            raise ModelFileError(
                f"{model.path}: {owner} reads the data file {written!r} ({path}), which "
                f"is outside the model's folder {folder}; load the model with "
                "flywheel.load(..., allow_data_outside_folder=True) to allow it"
            )
        if not path.is_file():
            raise ModelFileError(
                f"{model.path}: {owner} reads the data file {written!r}, but there is no "
                f"file at {path} (relative paths start at the model's folder)"
            )
        files[written] = path
    return files


def _copy_names(files: dict[str, Path]) -> dict[str, str]:
    """Generated name (inside the translation folder) of each data file."""
    names = {}
    for index, (written, path) in enumerate(sorted(files.items()), start=1):
        suffix = path.suffix if re.fullmatch(r"\.[A-Za-z0-9]{1,8}", path.suffix) else ""
        names[written] = f"data/file{index}{suffix.lower()}"
    return names


# ------------------------------------------------------------------------- cache


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _entry_key(model, files: dict[str, Path], pysd_version: str) -> str:
    digest = hashlib.sha256(f"{_LAYOUT}\0{pysd_version}\0{model.digest}".encode())
    for written, path in sorted(files.items()):
        digest.update(f"\0{written}\0{_digest(path)}".encode())
    return digest.hexdigest()[:32]


def _verified(entry: Path) -> bool:
    """Whether `entry` holds a module and every file its manifest lists, unchanged."""
    try:
        manifest = json.loads((entry / _MANIFEST).read_text())
        return _MODULE in manifest and all(
            _digest(entry / name) == digest for name, digest in manifest.items())
    except (OSError, ValueError, TypeError, AttributeError):
        return False


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path` (other threads and processes wait)."""
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # closing releases the lock


def _translate_into(model, files: dict[str, Path], root: Path, entry: Path) -> None:
    """Build the entry in a temporary folder of `root`, then rename it to `entry`."""
    from pysd.builders.python.python_model_builder import ModelBuilder

    from flywheel.model import parse_file

    work = Path(tempfile.mkdtemp(prefix=f"{entry.name}.", suffix=".tmp", dir=root))
    try:
        abstract = parse_file(model.path)[0]
        names = _copy_names(files)
        for _, spec in _file_specs(abstract):
            if isinstance(spec, dict):
                spec["file"] = names[spec["file"]]
            else:
                spec.file = names[spec.file]
        for written, name in names.items():
            (work / name).parent.mkdir(exist_ok=True)
            shutil.copyfile(files[written], work / name)
        abstract.original_path = work / "model.mdl"
        for index, section in enumerate(abstract.sections):
            section.path = work / (_MODULE if index == 0 else f"macro{index}.py")
            for element in section.elements:
                element.documentation = ""
        try:
            ModelBuilder(abstract).build_model()
        except Exception as error:  # PySD's builder raises many kinds; name the model
            detail = " ".join(f"{error}".split()) or type(error).__name__
            raise ModelFileError(f"{model.path}: PySD cannot translate this model: "
                                 f"{detail}") from error
        manifest = {p.relative_to(work).as_posix(): _digest(p)
                    for p in sorted(work.rglob("*")) if p.is_file()}
        (work / _MANIFEST).write_text(json.dumps(manifest, indent=1))
        if entry.exists():
            shutil.rmtree(entry)
        work.rename(entry)
    finally:
        shutil.rmtree(work, ignore_errors=True)
