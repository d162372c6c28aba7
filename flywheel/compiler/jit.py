"""Whether the compiled kernels can run: numba is part of the base install.

:mod:`flywheel.compiler.kernels` runs a model's whole integration as machine
code when numba can be imported; without it the engine falls back to the
vectorised numpy path (:mod:`flywheel.integrators`), with the same results up
to rounding.

Examples
--------
>>> available()
True
"""

from __future__ import annotations

import functools

__all__ = ["available"]


@functools.cache
def available() -> bool:
    """Whether numba can be imported."""
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True
