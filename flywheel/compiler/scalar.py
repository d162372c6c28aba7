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

import math

import numpy as np
from numba import njit

from flywheel.compiler.runtime import NORMAL_ATTEMPTS, SMALL_VENSIM
from flywheel.errors import SimulationError

__all__ = [
    "fixed_structure", "modulo", "pulse", "pulse_train", "quantum", "ramp", "random_exponential",
    "random_normal", "random_uniform", "step", "xidz", "zidz",
]

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


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_ONE = np.uint64(1)


@_jit
def _mix(z):
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


@_jit
def _uniform(seed, scenario, site, step, draw):
    """The runtime's uniform number of these counters, bit for bit."""
    h = _mix(np.uint64(seed) + _GOLDEN)
    h = _mix(h + _GOLDEN * (np.uint64(scenario) + _ONE))
    h = _mix(h + _GOLDEN * (np.uint64(site) + _ONE))
    h = _mix(h + _GOLDEN * (np.uint64(step) + _ONE))
    h = _mix(h + _GOLDEN * (np.uint64(draw) + _ONE))
    return (float(h >> np.uint64(11)) + 0.5) * 2.0 ** -53


@_jit
def _step(t, t0, dt):
    return math.floor((t - t0) / dt + SMALL_VENSIM)


@_jit
def random_uniform(low, high, site, t, t0, dt, seed, scenario):
    """RANDOM UNIFORM: uniform in [low, high), a new draw each time step."""
    return low + (high - low) * _uniform(seed, scenario, site, _step(t, t0, dt), 0)


@_jit
def random_exponential(low, high, shift, stretch, site, t, t0, dt, seed, scenario):
    """RANDOM EXPONENTIAL: max(`low`, `shift`) plus an exponential of scale `stretch`
    truncated at `high` (PySD's ``truncexpon``), a new draw each time step."""
    u = _uniform(seed, scenario, site, _step(t, t0, dt), 0)
    start = max(low, shift)
    width = (high - start) / stretch if stretch != 0 else np.inf
    return start - stretch * math.log1p(u * math.expm1(-width))


@_jit
def random_normal(low, high, mean, sd, site, t, t0, dt, seed, scenario):
    """RANDOM NORMAL: normal (`mean`, `sd`) truncated to [low, high] (none if |sd| < 1e-6)."""
    step = _step(t, t0, dt)
    for attempt in range(NORMAL_ATTEMPTS):
        u1 = _uniform(seed, scenario, site, step, 2 * attempt)
        u2 = _uniform(seed, scenario, site, step, 2 * attempt + 1)
        draw = mean + sd * (math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2))
        if abs(sd) < SMALL_VENSIM or low <= draw <= high:
            return draw
    return np.nan
