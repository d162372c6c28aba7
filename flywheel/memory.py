"""Memory budgets: how many scenarios a run or a sweep may hold at once.

:func:`flywheel.simulate` and :func:`flywheel.sweep` take ``max_memory``
(default :data:`DEFAULT_MAX_MEMORY`, 2 GiB): the bytes their arrays may take.
A scenario costs what it keeps (:func:`run_cost`: saved times x values kept x
8 bytes) plus the engine's working set while it runs (its constants, every
variable of one evaluation, the integrator's stages); :func:`chunk_size` is
the number of scenarios one engine call may then run beside what is already
held. The figures are an estimate of the arrays, not of Python's own
overhead; the chunks they give run one after another and their results equal
one call's (fixed-step methods and the kernel's RK45, whose error is
controlled per scenario).

Examples
--------
>>> as_bytes("512MB"), as_bytes(2**20), as_bytes(None) == DEFAULT_MAX_MEMORY
(536870912, 1048576, True)
>>> cost = RunCost(kept=81 * 8, working=4096 - 81 * 8)  # 4 kB a scenario while it runs
>>> chunk_size(10**6, cost.running, budget=2**30)  # 1 GB: 262,144 scenarios at a time
262144
>>> chunk_size(10**6, cost.running, budget=2**20, kept=cost.kept)
Traceback (most recent call last):
...
flywheel.errors.ParameterValueError: 1,000,000 scenarios keep 618.0 MB (81 values a scenario, \
8 bytes each), and one more running takes 4.0 kB: more than max_memory = 1.0 MB; keep fewer values
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from flywheel.errors import ParameterValueError

__all__ = ["DEFAULT_MAX_MEMORY", "RunCost", "as_bytes", "chunk_size", "format_bytes", "run_cost"]

#: The default budget of a run or a sweep: 2 GiB.
DEFAULT_MAX_MEMORY = 2 * 2**30
#: Integrator stages held per state and scenario (RK45's seven, the state,
#: the error estimate and the failure record, rounded up).
STATE_COPIES = 16

_UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
_SIZE = re.compile(r"\s*([0-9]*\.?[0-9]+)\s*([kKmMgGtT]?)(i?B)?\s*")


def as_bytes(value: int | float | str | None) -> int:
    """A memory budget in bytes: a number of bytes, or text such as ``"2GB"``; None is the default.

    Text takes the units B, kB, MB, GB and TB, each 1024 times the one before
    (``"2GB"`` and ``"2GiB"`` are both 2 x 2**30 bytes).

    Raises
    ------
    ParameterValueError
        A value that is not a positive size.
    """
    if value is None:
        return DEFAULT_MAX_MEMORY
    if isinstance(value, str):
        match = _SIZE.fullmatch(value)
        number = float(match.group(1)) * _UNITS[match.group(2).upper()] if match else math.nan
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    else:
        number = math.nan
    if not math.isfinite(number) or number < 1:
        raise ParameterValueError(
            f"max_memory must be a positive number of bytes or a size such as '2GB' or '512MB', "
            f"got {value!r}")
    return int(number)


def format_bytes(size: float) -> str:
    """`size` in the largest unit that keeps it at or above 1 (``'1.5 GB'``)."""
    unit = next(u for u in ("T", "G", "M", "K", "") if size >= _UNITS[u] or u == "")
    return f"{size / _UNITS[unit]:.1f} {unit.replace('K', 'k')}B" if unit else f"{size:.0f} B"


@dataclass(frozen=True)
class RunCost:
    """The bytes one scenario costs.

    Attributes
    ----------
    kept : int
        What its result keeps after the run (saved times x values x 8).
    working : int
        What the engine holds besides while the scenario runs.
    """

    kept: int
    working: int

    @property
    def running(self) -> int:
        """Bytes while the scenario runs: its result and the engine's working set."""
        return self.kept + self.working


def run_cost(n_times: int, n_values: int, *, constants: int, variables: int,
             states: int) -> RunCost:
    """The cost of one scenario keeping `n_values` values at `n_times` saved times.

    Parameters
    ----------
    n_times : int
        Saved times.
    n_values : int
        Values kept per saved time (variables, a subscripted one counting
        each of its elements).
    constants, variables, states : int
        The model's constants, variables and states: the engine's working set
        is one value of each constant and variable and :data:`STATE_COPIES`
        of each state.
    """
    working = 8 * (constants + variables + STATE_COPIES * states)
    return RunCost(kept=8 * n_times * n_values, working=working)


def chunk_size(n: int, running: int, *, budget: int, kept: int = 0, what: str = "") -> int:
    """Scenarios per engine call so that what the whole run keeps and one call fit in `budget`.

    Parameters
    ----------
    n : int
        Scenarios in all (a chunk is at most `n`).
    running : int
        Bytes of one scenario while its chunk runs (:attr:`RunCost.running`,
        plus whatever a caller derives from it).
    budget : int
        ``max_memory`` in bytes.
    kept : int
        Bytes each of the `n` scenarios keeps until the end (its result in
        memory, a sweep's outcomes): held while the chunks run.
    what : str
        What to do instead, appended to the error.

    Raises
    ------
    ParameterValueError
        When what the `n` scenarios keep and a single scenario's run do not
        fit, naming the sizes.
    """
    held = n * kept
    if budget - held < running:
        raise ParameterValueError(
            f"{n:,} scenarios keep {format_bytes(held)} ({kept // 8:,} values a scenario, "
            f"8 bytes each), and one more running takes {format_bytes(running)}: more than "
            f"max_memory = {format_bytes(budget)}; {what or 'keep fewer values'}")
    return min(n, (budget - held) // running)
