"""PySD's parse of a model file, kept on disk by content so a new process skips it.

Parsing the research model with PySD's Vensim grammar takes about a second;
loading its result back takes milliseconds. :func:`cached_parse` keeps each
parse in ``$FLYWHEEL_CACHE/flywheel/parsed`` (beside the translations of
:mod:`flywheel.translation`, in the same private folder: mode 0700, refused
when another user owns it or others may write to it, since a cache entry is a
pickle and loading one runs code). An entry's name is the SHA-256 of

* the model file's bytes and resolved path (the parse records the path),
* the installed PySD version, and
* the source of the module that parses (:mod:`flywheel.model`), so a change
  of flywheel's parsing invalidates every entry.

Entries are written atomically (a temporary file renamed into place); an
entry that cannot be read back (truncated, from another Python) is parsed
again and replaced. A file that fails to parse is never cached: its error is
raised each time.

Examples
--------
>>> from pathlib import Path
>>> calls = []
>>> def parse(path):
...     calls.append(path)
...     return {"parsed": path.name}
>>> path = Path("tests/models/teacup.mdl").resolve()
>>> first = cached_parse(path, parse, salt="doctest")
>>> again = cached_parse(path, parse, salt="doctest")
>>> first == again == {"parsed": "teacup.mdl"}, first is again
(True, False)
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

__all__ = ["cached_parse", "parsed_folder"]

T = TypeVar("T")


def parsed_folder() -> Path:
    """The user's private folder of cached parses."""
    from flywheel.translation import cache_root, private_folder

    return private_folder(cache_root().parent / "parsed")


def _key(path: Path, salt: str) -> str:
    import pysd

    digest = hashlib.sha256()
    for part in (path.read_bytes(), str(path).encode(), pysd.__version__.encode(),
                 salt.encode()):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def cached_parse(path: Path, parse: Callable[[Path], T], *, salt: str) -> T:
    """``parse(path)``, from the disk cache when this content was parsed before.

    Parameters
    ----------
    path : Path
        The model file, resolved.
    parse : callable
        Parses the file; its result must pickle.
    salt : str
        What else the result depends on (the parsing code's digest).

    Returns
    -------
    object
        A fresh object each call (the caller's to change).
    """
    entry = parsed_folder() / f"{_key(path, salt)}.pickle"
    try:
        with open(entry, "rb") as file:
            return pickle.load(file)  # noqa: S301 - a private folder (see the module)
    except FileNotFoundError:
        pass
    except Exception:  # a damaged entry: parse again and replace it  # noqa: BLE001
        entry.unlink(missing_ok=True)
    result = parse(path)
    handle, temporary = tempfile.mkstemp(dir=entry.parent, prefix=f".{entry.stem}.",
                                         suffix=".part")
    try:
        with os.fdopen(handle, "wb") as file:
            pickle.dump(result, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, entry)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return result
