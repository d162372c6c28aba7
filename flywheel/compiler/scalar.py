"""The runtime functions of the compiled kernels, over floats (numba).

The same rules as :mod:`flywheel.compiler.runtime` (Vensim's, as PySD
computes them) for one value at a time; the generated kernels of
:mod:`flywheel.compiler.kernels` call them. Importing this module needs numba.

Examples
--------
>>> xidz(1.0, 0.0, 9.0), zidz(1.0, 4.0), modulo(7.5, 2.0)
(9.0, 0.25, 1.5)
"""

from __future__ import annotations

from numba import njit

from flywheel.compiler.runtime import SMALL_VENSIM
from flywheel.errors import SimulationError

__all__ = ["fixed_structure", "modulo", "pulse", "pulse_train", "quantum", "ramp", "step", "xidz", "zidz"]

_jit = njit(cache=True, error_model="numpy")


@_jit
def xidz(a, b, x):
    """XIDZ: ``a / b``, or `x` where ``|b| < 1e-6``."""
    return x if abs(b) < SMALL_VENSIM else a / b


@_jit
def zidz(a, b):
    """ZIDZ: ``a / b``, or 0 where ``|b| < 1e-6``."""
    return 0.0 if abs(b) < SMALL_VENSIM else a / b


@_jit
def modulo(x, m):
    """MODULO: ``x - m * INTEGER(x / m)``, or 0 where ``m < 1e-6``."""
    return x - (x if m < SMALL_VENSIM else m * float(int(x / m)))


@_jit
def quantum(x, q):
    """QUANTUM: ``q * INTEGER(x / q)``, or `x` where ``q < 1e-6``."""
    return x if q < SMALL_VENSIM else q * float(int(x / q))


@_jit
def step(value, tstep, t, dt):
    """STEP: `value` from time `tstep` on (``t + dt/2 > tstep``, as PySD)."""
    return value if t + dt / 2 > tstep else 0.0


@_jit
def ramp(slope, start, finish, t):
    """RAMP: rises with `slope` from `start` and holds from `finish` on."""
    return slope * (min(finish, t) - start) if t + SMALL_VENSIM > start else 0.0


@_jit
def pulse(start, width, t):
    """PULSE: 1 for ``start <= t < start + width``, else 0."""
    return 1.0 if start - SMALL_VENSIM <= t < start + width else 0.0


@_jit
def pulse_train(start, interval, width, end, t):
    """PULSE TRAIN: pulses of `width` every `interval` from `start` to `end`."""
    if interval == 0:
        return 1.0 if start - SMALL_VENSIM <= t < start + width else 0.0
    if start <= t < end:
        return 1.0 if (t - start + SMALL_VENSIM) % interval < width else 0.0
    return 0.0


@_jit
def fixed_structure(value, count, expected):
    """`value`, after checking that `count` stages are the `expected` (as the numpy path's)."""
    if count != expected:
        raise SimulationError(
            "the number of stages of a DELAY FIXED, DELAY N or SMOOTH N differs from the one "
            "the model compiled with (from its default constants and TIME STEP); run with "
            "jit=False for the element's name, or with engine='pysd'")
    return value
