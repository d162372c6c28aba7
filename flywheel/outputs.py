"""Write what flywheel produces: whole or not at all, never over an input, with its provenance.

Every file the package writes goes through :func:`write_atomic`: the content
goes to a temporary file in the destination's folder, which then replaces the
destination in one step (:func:`os.replace`), so a write cut short (a full
disk, Ctrl-C) leaves the previous file as it was. Commands call
:func:`check_outputs` before they run: an output that is also an input (the
model file), two outputs on one path, or a folder that cannot be written is
refused before any work is done.

Data and figures carry their provenance (:func:`provenance`: the flywheel
version, the model file's path and SHA-256, engine, method, time settings,
tolerances and every parameter set): as ``# key = value`` lines at the top of
a CSV file (``pandas.read_csv(path, comment="#")`` reads the table), as
attributes of a netCDF file, as a ``flywheel`` text chunk of a PNG (JSON).
:func:`read_provenance` reads it back from any of them.

Examples
--------
>>> import tempfile, pandas as pd
>>> folder = Path(tempfile.mkdtemp())
>>> frame = pd.DataFrame({"x": [1.0, 2.0]})
>>> path = write_csv(frame, folder / "run.csv", {"model": "teacup", "dt": 0.125})
>>> read_provenance(path)["dt"]
'0.125'
>>> pd.read_csv(path, comment="#", index_col=0)["x"].tolist()
[1.0, 2.0]
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import numpy as np

from flywheel.errors import OutputFileError

__all__ = [
    "check_outputs",
    "provenance",
    "read_provenance",
    "save_figure",
    "write_atomic",
    "write_csv",
    "write_netcdf",
]


def provenance(attrs: Mapping[str, object] | None = None) -> dict[str, str]:
    """`attrs` (a run's or sweep's Dataset attrs) as text, with the flywheel version first.

    Examples
    --------
    >>> provenance({"dt": 0.125, "n": [3, 4]})
    {'flywheel_version': '...', 'dt': '0.125', 'n': '[3, 4]'}
    """
    from flywheel import __version__

    record = {"flywheel_version": __version__}
    for key, value in (attrs or {}).items():
        if isinstance(value, str):
            record[str(key)] = " ".join(value.split())
        elif isinstance(value, (bool, int, float, np.number)):
            record[str(key)] = repr(value.item() if isinstance(value, np.number) else value)
        else:
            record[str(key)] = json.dumps(value, default=str)
    return record


def check_outputs(outputs: Iterable[str | Path | None], *,
                  inputs: Iterable[str | Path | None] = ()) -> list[Path]:
    """Refuse, before any work, outputs that would overwrite an input or each other.

    Each output's folder is created when missing and probed with a file
    created and removed in it.

    Parameters
    ----------
    outputs : iterable of path or None
        The files a command will write; None entries (no such output) are skipped.
    inputs : iterable of path or None
        Files the command reads (the model file): never overwritten.

    Returns
    -------
    list of Path
        The outputs given, in order, without the None entries.

    Raises
    ------
    OutputFileError
        An output that is an input or a folder, named twice, or in a folder
        that cannot be created or written.
    """
    read = {Path(p).resolve(): Path(p) for p in inputs if p is not None}
    seen: dict[Path, Path] = {}
    paths = []
    for given in outputs:
        if given is None:
            continue
        path = Path(given)
        full = path.resolve()
        if full in read:
            raise OutputFileError(f"output {str(path)!r} is the input {str(read[full])!r}: "
                                  "choose another output path")
        if full in seen:
            raise OutputFileError(f"{str(path)!r} is named for two outputs: give each its own path")
        if full.is_dir():
            raise OutputFileError(f"output {str(path)!r} is a folder, not a file")
        _probe(path)
        seen[full] = path
        paths.append(path)
    return paths


def _probe(path: Path) -> None:
    folder = next((p for p in path.parents if p.exists()), None)
    if folder is not None and not folder.is_dir():
        raise OutputFileError(f"cannot write {str(path)!r}: {str(folder)!r} is a file, "
                              "not a folder")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path.parent):
            pass
    except OSError as error:
        raise OutputFileError(
            f"cannot write {str(path)!r}: {error.strerror or error} in its folder "
            f"{str(path.parent)!r}") from None


def write_atomic(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(temporary_path)``, then move the file it wrote to `path` in one step.

    The temporary file sits in `path`'s folder (so the move is a rename) and
    keeps `path`'s suffix (writers that choose a format by it still do). If
    `write` fails, `path` is left as it was and the temporary file removed.

    Returns
    -------
    Path
        `path`.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.",
                                    suffix=f".part{path.suffix}")
    os.close(handle)
    temporary = Path(name)
    try:
        write(temporary)
        with open(temporary, "rb+") as written:
            os.fsync(written.fileno())
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(temporary, 0o666 & ~mask)  # as a plain open() would have made it
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def write_csv(frame, path: str | Path, attrs: Mapping[str, object] | None = None, *,
              index: bool = True) -> Path:
    """`frame` (a pandas DataFrame) as CSV (with its `index`), after provenance lines."""
    def write(temporary: Path) -> None:
        with open(temporary, "w", newline="") as file:
            for key, value in provenance(attrs).items():
                file.write(f"# {key} = {value}\n")
            frame.to_csv(file, index=index)

    return write_atomic(path, write)


def write_netcdf(dataset, path: str | Path) -> Path:
    """`dataset` as netCDF (scipy's writer), its attrs made netCDF attributes with provenance.

    Coordinates become variables (names with spaces cannot be netCDF coordinates).
    """
    out = dataset.reset_coords()
    out.attrs = {k: _netcdf_value(v) for k, v in {**provenance(), **dataset.attrs}.items()
                 if v is not None}
    for name in out.variables:
        out[name].attrs = {k: _netcdf_value(v) for k, v in out[name].attrs.items()
                           if v is not None}
    return write_atomic(path, lambda temporary: out.to_netcdf(temporary, engine="scipy"))


def _netcdf_value(value: object) -> object:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (str, int, float, np.number)):
        return value
    if isinstance(value, (list, tuple, np.ndarray)) and all(
            isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in value):
        return np.asarray(value)
    return json.dumps(value, default=str)


#: The metadata key each figure format carries the provenance in.
_FIGURE_KEYS = {".png": "flywheel", ".pdf": "Subject", ".svg": "Description"}


def save_figure(figure, path: str | Path, attrs: Mapping[str, object] | None = None,
                **options) -> Path:
    """`figure` saved (``figure.savefig(..., **options)``) with its provenance as metadata.

    PNG files hold it as JSON in a ``flywheel`` text chunk, PDF in Subject,
    SVG in Description; other formats carry none.
    """
    path = Path(path)
    key = _FIGURE_KEYS.get(path.suffix.lower())
    metadata = {key: json.dumps(provenance(attrs))} if key else None
    return write_atomic(path, lambda temporary: figure.savefig(
        temporary, metadata=metadata, **options))


def read_provenance(path: str | Path) -> dict[str, str]:
    """The provenance a CSV, netCDF or PNG file written by flywheel carries.

    Raises
    ------
    OutputFileError
        A file without provenance, or of another kind.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        record = {}
        with open(path) as file:
            for line in file:
                if not line.startswith("# "):
                    break
                key, _, value = line[2:].rstrip("\n").partition(" = ")
                record[key] = value
    elif suffix == ".png":
        from PIL import Image

        with Image.open(path) as image:
            record = json.loads(image.text.get("flywheel", "{}"))
    elif suffix == ".nc":
        import xarray as xr

        with xr.open_dataset(path, engine="scipy") as dataset:
            record = {k: str(v) for k, v in dataset.attrs.items()}
    else:
        raise OutputFileError(f"{str(path)!r}: provenance is read from .csv, .nc and .png files")
    if "flywheel_version" not in record:
        raise OutputFileError(f"{str(path)!r} carries no flywheel provenance")
    return record
