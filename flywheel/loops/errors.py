"""Errors and warnings of the loop analysis.

Each error derives from :class:`flywheel.errors.FlywheelError` (so the
command line reports it in one line) and from the built-in exception a
Python user would expect.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from flywheel.errors import FlywheelError, UnknownParameterError

__all__ = [
    "LoopLimitWarning",
    "LoopNameError",
    "LoopNameWarning",
    "UnknownLinkError",
    "UnknownLoopError",
    "closest",
]


class LoopNameError(FlywheelError, ValueError):
    """A loop-name sidecar file that cannot be read or names variables the model lacks."""


class UnknownLoopError(UnknownParameterError):
    """A loop id or name that the model's loops do not have."""


class UnknownLinkError(UnknownParameterError):
    """A link (source, target) that is not in the model's causal graph."""


class LoopLimitWarning(UserWarning):
    """The model has more loops than the bound: the strongest-path search was used."""


class LoopNameWarning(UserWarning):
    """A sidecar entry matched no loop, or a loop's polarity differs from the sidecar's."""


def closest(name: str, candidates: Iterable[str], n: int = 3) -> str:
    """A hint naming the candidates closest to `name` (or the first few).

    Examples
    --------
    >>> closest("Adopter", ["Adopters", "Adoption Rate", "Price"])
    "closest: 'Adopters', 'Adoption Rate'"
    """
    pool = list(candidates)
    keys = {c.lower(): c for c in pool}
    close = difflib.get_close_matches(name.lower(), list(keys), n=n, cutoff=0.5)
    if close:
        return "closest: " + ", ".join(repr(keys[c]) for c in close)
    shown = ", ".join(repr(c) for c in pool[:12])
    return f"it has: {shown}" + (", ..." if len(pool) > 12 else "")
