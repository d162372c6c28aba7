"""pysimlin's and PySD's time for one run of a model: what every sweep figure is a ratio of.

Run the scripts that use it as ``python benchmarks/NAME.py`` (a sibling module).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

import numpy as np

__all__ = ["per_run"]


def per_run(path: Path, samples: Mapping[str, np.ndarray], *, simlin_runs: int = 50,
            pysd_runs: int = 2) -> tuple[float | None, float, str]:
    """Mean wall time of one run of `path` with pysimlin and best of PySD, in seconds.

    Each run sets the constants of one row of `samples` (name -> values), at
    the model's own TIME STEP: pysimlin (loop analysis off) over the first
    `simlin_runs` rows, PySD the best of its first `pysd_runs` rows (a fresh
    copy of the file, so PySD's translation does not land beside the model).

    Returns
    -------
    tuple
        pysimlin's time (None when pysimlin cannot run the model), PySD's
        time, and a note (pysimlin's error, if any).
    """
    import pysd

    rows = [{k: float(v[i]) for k, v in samples.items()}
            for i in range(min(len(next(iter(samples.values()))), simlin_runs))]
    note = ""
    try:
        import simlin

        simlin_model = simlin.load(path)
        keys = {k: k.lower().replace(" ", "_") for k in samples}
        simlin_model.run(analyze_loops=False)
        start = time.perf_counter()
        for row in rows:
            simlin_model.run(overrides={keys[k]: v for k, v in row.items()},
                             analyze_loops=False)
        t_simlin = (time.perf_counter() - start) / len(rows)
    except Exception as error:  # pysimlin's errors vary by construct; say why
        t_simlin, note = None, f"pysimlin: {type(error).__name__}: {error}"
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / path.name
        shutil.copy(path, copy)
        pysd_model = pysd.read_vensim(str(copy))
        times = []
        for row in rows[:pysd_runs]:
            start = time.perf_counter()
            pysd_model.run(params=row)
            times.append(time.perf_counter() - start)
    return t_simlin, min(times), note
