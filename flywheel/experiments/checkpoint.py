"""A sweep's checkpoint: each finished chunk saved in a folder, to resume from.

The folder holds ``manifest.json`` (what the sweep is: the model file's
SHA-256, the samples, outcomes, fixed parameters, integration options and
chunk size) and one ``chunk-NNNNNN.npz`` per finished chunk, each written
atomically (:func:`flywheel.outputs.write_atomic`): a sweep cut short leaves
only whole chunks. Resuming loads the chunks whose manifest matches and runs
the others; a checkpoint made for another sweep is refused, naming what
differs.

Examples
--------
>>> import tempfile
>>> folder = Path(tempfile.mkdtemp()) / "ckpt"
>>> kept = Checkpoint(folder, {"model_sha256": "abc", "chunk_size": 2}, resume=False)
>>> kept.save(0, (np.array([0.0, 1.0]), {"X@1": np.array([1.0, 2.0])}, "euler",
...               np.zeros(2, np.int8)))
>>> again = Checkpoint(folder, {"model_sha256": "abc", "chunk_size": 2}, resume=True)
>>> again.load(["X@1"])[0][1]["X@1"].tolist()
[1.0, 2.0]
>>> Checkpoint(folder, {"model_sha256": "xyz", "chunk_size": 2}, resume=True)
Traceback (most recent call last):
...
flywheel.errors.ParameterValueError: the checkpoint in ... was made for another sweep \
(model_sha256 differs); resume it with the same sweep or choose another folder
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from flywheel.errors import ParameterValueError
from flywheel.outputs import write_atomic

__all__ = ["Checkpoint", "ChunkResult"]

#: A chunk's saved times, outcomes by spec, integration method and status per run.
ChunkResult = tuple[np.ndarray, dict[str, np.ndarray], str, np.ndarray]

_MANIFEST = "manifest.json"
_CHUNK = re.compile(r"chunk-(\d{6})\.npz")


class Checkpoint:
    """The checkpoint folder of one sweep, described by `fingerprint`.

    Parameters
    ----------
    folder : path
        Created when missing.
    fingerprint : mapping
        JSON-serialisable description of the sweep; a resumed checkpoint must
        have been made with an equal one.
    resume : bool
        Continue a checkpoint the folder holds. Without it, a folder that
        holds one is refused (nothing is overwritten).

    Raises
    ------
    ParameterValueError
        A checkpoint in `folder` when not resuming, or one made for another sweep.
    """

    def __init__(self, folder: str | Path, fingerprint: Mapping[str, object], *,
                 resume: bool) -> None:
        self.folder = Path(folder)
        self.fingerprint = json.loads(json.dumps(dict(fingerprint), default=str))
        manifest = self.folder / _MANIFEST
        if manifest.is_file():
            if not resume:
                raise ParameterValueError(
                    f"{str(self.folder)!r} holds a sweep checkpoint: pass resume=True "
                    "(--resume) to continue it, or choose another folder")
            saved = json.loads(manifest.read_text())
            differs = [k for k in sorted(set(saved) | set(self.fingerprint))
                       if saved.get(k) != self.fingerprint.get(k)]
            if differs:
                raise ParameterValueError(
                    f"the checkpoint in {str(self.folder)!r} was made for another sweep "
                    f"({', '.join(differs)} differ{'s' if len(differs) == 1 else ''}); "
                    "resume it with the same sweep or "
                    "choose another folder")
        else:
            write_atomic(manifest, lambda temporary: temporary.write_text(
                json.dumps(self.fingerprint, indent=1, sort_keys=True)))

    def load(self, outcomes: Sequence[str]) -> dict[int, ChunkResult]:
        """The chunks saved so far, by index; `outcomes` are the specs, in order."""
        found = {}
        for path in sorted(self.folder.iterdir()):
            match = _CHUNK.fullmatch(path.name)
            if match is None:
                continue
            with np.load(path, allow_pickle=False) as data:
                values = {text: data[f"outcome_{i}"] for i, text in enumerate(outcomes)}
                found[int(match.group(1))] = (data["times"], values, str(data["method"]),
                                              data["status"])
        return found

    def save(self, index: int, result: ChunkResult) -> None:
        """Write chunk `index` atomically."""
        times, values, method, status = result
        arrays = {f"outcome_{i}": np.asarray(v) for i, v in enumerate(values.values())}
        write_atomic(self.folder / f"chunk-{index:06d}.npz", lambda temporary: np.savez(
            temporary, times=times, method=np.str_(method), status=status, **arrays))
