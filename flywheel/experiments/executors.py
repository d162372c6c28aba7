"""Where a sweep's chunks run: in this process, in local processes, or on Dask.

:func:`map_chunks` applies one function to every chunk and returns the
results in chunk order, whichever executor ran them, so the same chunks give
the same numbers everywhere. The executor is chosen by ``engine``:

* ``"local"`` (the default): this process, chunk after chunk; with
  ``workers > 1``, a pool of that many local processes, started by a fork
  server where the platform has one (a plain fork of a process whose numba
  kernels use OpenMP threads aborts the child), else spawned: scripts that use
  it need the ``if __name__ == "__main__":`` guard. A worker process that
  dies loses its chunks to a new pool, once.
* a :class:`distributed.Client`, or a scheduler address such as
  ``"tcp://10.0.0.5:8786"``: the chunks become Dask tasks on that cluster.
  An address that does not answer within :data:`CONNECT_TIMEOUT` seconds raises
  :class:`ClusterConnectionError` instead of waiting.

Out of this process, the model travels as its file's content
(:class:`ShippedModel`), so workers need no shared file system.

Dask's nanny starts worker processes with ``MALLOC_TRIM_THRESHOLD_=65536``
(``distributed.nanny.pre-spawn-environ``), which also fixes glibc's mmap
threshold at 128 kB: every few numpy temporaries then go back to the
operating system and come again, and the vectorised engine runs about three
times slower (measured on the research model: 110-120 against 35-40 µs a
run). A process that loads a shipped model, when that variable is set,
raises glibc's trim and mmap thresholds to its own 64-bit ceilings (128 MB,
32 MB) once, which restores the speed.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import multiprocessing
import os
import platform
import tempfile
import threading
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from flywheel.errors import FlywheelError, ParameterValueError, SimulationError
from flywheel.model import Model, load
from flywheel.outputs import write_atomic

__all__ = [
    "ClusterConnectionError",
    "ShippedModel",
    "connect",
    "is_local",
    "map_chunks",
]

#: Seconds to wait for a Dask scheduler to answer.
CONNECT_TIMEOUT = 5.0


class ClusterConnectionError(FlywheelError, ConnectionError):
    """A Dask scheduler address that does not answer or is not an address."""


@dataclass(frozen=True)
class ShippedModel:
    """A model file's name and content, to load again in another process."""

    name: str
    content: bytes

    @classmethod
    def of(cls, model: Model) -> ShippedModel:
        """The shippable form of `model`."""
        return cls(model.path.name, model.path.read_bytes())

    def load(self) -> Model:
        """The model, loaded once per process (cached on the content's hash).

        Loads are serialised: the translator redirects ``sys.stdout``, which
        two threads (Dask workers in one process) would otherwise leave
        redirected.
        """
        with _LOADING:
            _relax_malloc_trim()
            return _load_content(self.name, self.content)


_LOADING = threading.Lock()
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters


@functools.cache
def _relax_malloc_trim() -> None:
    """Undo a small ``MALLOC_TRIM_THRESHOLD_`` (Dask workers) in this glibc process, once."""
    if "MALLOC_TRIM_THRESHOLD_" in os.environ and platform.libc_ver()[0] == "glibc":
        libc = ctypes.CDLL(None)
        libc.mallopt(_M_TRIM_THRESHOLD, 128 * 2**20)
        libc.mallopt(_M_MMAP_THRESHOLD, 32 * 2**20)


@functools.lru_cache(maxsize=8)
def _load_content(name: str, content: bytes) -> Model:
    digest = hashlib.sha256(content).hexdigest()[:20]
    folder = Path(tempfile.gettempdir()) / "flywheel-shipped" / digest
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if not path.is_file() or path.read_bytes() != content:
        write_atomic(path, lambda temporary: temporary.write_bytes(content))
    return load(path)


def is_local(engine: object) -> bool:
    """True when `engine` names the local executor."""
    return isinstance(engine, str) and engine == "local"


def connect(engine: object, *, timeout: float | None = None):
    """The :class:`distributed.Client` that `engine` names, and whether it is ours to close.

    Raises
    ------
    ParameterValueError
        An `engine` that is neither ``"local"``, a Client nor an address.
    ClusterConnectionError
        No scheduler answered at the address within `timeout` seconds
        (default :data:`CONNECT_TIMEOUT`).
    """
    timeout = CONNECT_TIMEOUT if timeout is None else timeout
    if not isinstance(engine, str):
        from distributed import Client

        if isinstance(engine, Client):
            return engine, False
        raise ParameterValueError(
            "engine must be 'local', a distributed.Client or a Dask scheduler address "
            f"(e.g. 'tcp://127.0.0.1:8786'); got {engine!r}"
        )
    from distributed import Client

    try:
        return Client(engine, timeout=timeout, set_as_default=False), True
    except (OSError, TimeoutError, ValueError) as error:
        raise ClusterConnectionError(
            f"no Dask scheduler answered at {engine!r} within {timeout:g} s ({error}); "
            "start one (dask scheduler) or use engine='local'"
        ) from error


def map_chunks(
    func: Callable[[object], object],
    chunks: Sequence[object],
    *,
    engine: object = "local",
    workers: int = 1,
    sizes: Sequence[int] | None = None,
    progress: bool = True,
    label: str = "sweep",
    done: Callable[[int, object], None] | None = None,
) -> list:
    """``[func(chunk) for chunk in chunks]``, run by the executor `engine` names.

    A local worker process that dies (killed, out of memory) loses the chunks
    it and its pool were running: they are submitted again, once each, to a
    new pool.

    Parameters
    ----------
    func : callable
        Applied to each chunk; must be picklable unless it runs in this process.
    chunks : sequence
        The chunks, in order.
    engine : "local", distributed.Client or str
        See the module documentation.
    workers : int
        Local processes (``engine="local"`` only); 1 runs in this process.
    sizes : sequence of int, optional
        Runs per chunk, for the progress bar (default: 1 each).
    progress : bool
        Show a tqdm progress bar when there is more than one chunk.
    label : str
        The progress bar's label.
    done : callable, optional
        ``done(index, result)`` is called in this process as each chunk
        finishes (in any order): a sweep saves its checkpoint there.

    Returns
    -------
    list
        The results, in the order of `chunks`.

    Raises
    ------
    SimulationError
        A chunk whose worker process died twice.
    """
    from tqdm.auto import tqdm

    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ParameterValueError(f"workers must be a positive integer, got {workers!r}")
    if not is_local(engine) and workers != 1:
        raise ParameterValueError("workers applies to engine='local'; a Dask cluster has its own")
    sizes = list(sizes) if sizes is not None else [1] * len(chunks)
    bar = tqdm(total=sum(sizes), unit="run", desc=label,
               disable=not progress or len(chunks) < 2)
    results: dict[int, object] = {}

    def finished(index: int, result: object) -> None:
        results[index] = result
        bar.update(sizes[index])
        if done is not None:
            done(index, result)

    try:
        if not is_local(engine):
            _on_dask(func, chunks, engine, finished)
        elif workers == 1 or len(chunks) < 2:
            for index, chunk in enumerate(chunks):
                finished(index, func(chunk))
        else:
            _in_processes(func, chunks, workers, finished)
    finally:
        bar.close()
    return [results[i] for i in range(len(chunks))]


_CONTEXT = multiprocessing.get_context(
    "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn")


def _in_processes(func, chunks: Sequence[object], workers: int, finished) -> None:
    """Run the chunks in a pool of local processes; a pool a dead worker broke is replaced."""
    pending, lost_before = list(range(len(chunks))), set()
    while pending:
        lost = []
        pool = ProcessPoolExecutor(max_workers=min(workers, len(pending)), mp_context=_CONTEXT)
        try:
            futures = {pool.submit(func, chunks[i]): i for i in pending}
            for future in as_completed(futures):
                try:
                    result = future.result()
                except BrokenProcessPool:
                    lost.append(futures[future])
                    continue
                finished(futures[future], result)
        finally:
            pool.shutdown(wait=not lost, cancel_futures=True)
        twice = sorted(set(lost) & lost_before)
        if twice:
            raise SimulationError(
                f"a local worker process died twice while running chunk {twice[0]}; "
                "the finished chunks were kept (see checkpoint=)")
        lost_before.update(lost)
        pending = sorted(lost)


def _on_dask(func, chunks: Sequence[object], engine: object, finished) -> None:
    from distributed import as_completed as completed

    client, owned = connect(engine)
    try:
        token = uuid.uuid4().hex
        keys = [f"flywheel-chunk-{token}-{i}" for i in range(len(chunks))]
        futures = client.map(func, chunks, key=keys)
        index = {key: i for i, key in enumerate(keys)}
        for future in completed(futures):
            finished(index[future.key], future.result())
    finally:
        if owned:
            client.close()
