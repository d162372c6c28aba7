"""Vensim functions used by the generated code, vectorised over scenarios.

Each function follows PySD's implementation of the same Vensim function
(``pysd.py_backend.functions``) operation for operation, so that the compiled
engine reproduces PySD's results to rounding error. Arguments may be floats or
arrays whose trailing axis is the scenario.

Examples
--------
>>> float(xidz(1.0, 0.0, 5.0))
5.0
>>> float(step(2.0, 3.0, t=3.0, dt=0.25))
2.0
"""

from __future__ import annotations

import numpy as np

from flywheel.errors import SimulationError

__all__ = [
    "SMALL_VENSIM",
    "check_delay_order",
    "fixed_structure",
    "modulo",
    "pulse",
    "pulse_train",
    "quantum",
    "ramp",
    "step",
    "xidz",
    "zidz",
]

#: What Vensim (and PySD) consider zero in XIDZ, ZIDZ, MODULO and the pulses.
SMALL_VENSIM = 1e-6


def xidz(numerator, denominator, x):
    """Vensim XIDZ: ``numerator / denominator``, or `x` where ``|denominator| < 1e-6``.

    Examples
    --------
    >>> xidz(np.array([1.0, 1.0]), np.array([2.0, 0.0]), 9.0).tolist()
    [0.5, 9.0]
    """
    with np.errstate(divide="ignore", invalid="ignore"):  # the masked-out quotients
        return np.where(np.abs(denominator) < SMALL_VENSIM, x, np.divide(numerator, denominator))


def zidz(numerator, denominator):
    """Vensim ZIDZ: ``numerator / denominator``, or 0 where ``|denominator| < 1e-6``.

    Examples
    --------
    >>> zidz(np.array([1.0, 1.0]), np.array([4.0, 0.0])).tolist()
    [0.25, 0.0]
    """
    with np.errstate(divide="ignore", invalid="ignore"):  # the masked-out quotients
        return np.where(np.abs(denominator) < SMALL_VENSIM, 0.0, np.divide(numerator, denominator))


def modulo(x, m):
    """Vensim MODULO: ``x - m * INTEGER(x / m)``, or 0 where ``m < 1e-6``.

    Examples
    --------
    >>> float(modulo(7.5, 2.0))
    1.5
    """
    return x - np.where(m < SMALL_VENSIM, x, m * np.trunc(x / m))


def quantum(x, q):
    """Vensim QUANTUM: ``q * INTEGER(x / q)``, or `x` where ``q < 1e-6`` (as PySD).

    Examples
    --------
    >>> quantum(np.array([7.5, -7.5, 7.5]), np.array([2.0, 2.0, 0.0])).tolist()
    [6.0, -6.0, 7.5]
    """
    with np.errstate(divide="ignore", invalid="ignore"):  # the masked-out quotients
        return np.where(q < SMALL_VENSIM, x, q * np.trunc(np.divide(x, q)))


def step(value, tstep, *, t, dt):
    """Vensim STEP: `value` from time `tstep` on (PySD compares ``t + dt/2 > tstep``).

    Examples
    --------
    >>> float(step(5.0, 1.0, t=0.5, dt=1.0))
    0.0
    """
    return value * (t + dt / 2 > tstep)


def ramp(slope, start, finish, *, t):
    """Vensim RAMP: rises with `slope` from `start` and holds from `finish` on.

    Examples
    --------
    >>> float(ramp(2.0, 1.0, 3.0, t=10.0))
    4.0
    """
    return (t + SMALL_VENSIM > start) * slope * (np.minimum(finish, t) - start)


def pulse(start, width, *, t):
    """Vensim PULSE: 1 for ``start <= t < start + width``, else 0.

    Examples
    --------
    >>> float(pulse(2.0, 1.0, t=2.5))
    1.0
    """
    return ((start - SMALL_VENSIM <= t) & (t < start + width)) * 1.0


def pulse_train(start, interval, width, end, *, t):
    """Vensim PULSE TRAIN: pulses of `width` every `interval` from `start` to `end`.

    An `interval` of 0 gives a single pulse, as in PySD.

    Examples
    --------
    >>> [float(pulse_train(1.0, 3.0, 0.5, 10.0, t=x)) for x in (1.0, 1.5, 4.2)]
    [1.0, 0.0, 1.0]
    """
    single = pulse(start, width, t=t)
    active = (start <= t) & (t < end)
    safe_interval = np.where(interval == 0, 1.0, interval)
    train = active & (np.mod(t - start + SMALL_VENSIM, safe_interval) < width)
    return np.where(interval == 0, single, train * 1.0)


def check_delay_order(order, dt, delay_time, name):
    """Refuse a delay whose stages are shorter than the time step.

    PySD lowers the order of such a delay at the initial time; the compiled
    engine keeps the structure fixed, so it stops with an error instead.

    Raises
    ------
    SimulationError
        If ``order * dt > min(delay_time)``.
    """
    if order * dt > np.min(delay_time):
        raise SimulationError(
            f"{name}: delay time {np.min(delay_time)!r} is shorter than order x time step "
            f"({order} x {dt}); use a smaller time step or a longer delay time"
        )


def fixed_structure(value, count, expected, name):
    """`value`, after checking that `count` is the `expected` number of stages everywhere.

    The number of stages of a DELAY FIXED (its delay time over the time step) and
    of a DELAY N or SMOOTH N whose order is an expression is fixed when the model
    compiles, from the model's default constants and TIME STEP. PySD sets it at
    the initial time of each run; the compiled engine stops with an error when
    that gives another number.

    Raises
    ------
    SimulationError
        If some element of `count` differs from `expected`.

    Examples
    --------
    >>> float(fixed_structure(5.0, np.array([3.0, 3.0]), 3, "DELAY FIXED(X)"))
    5.0
    """
    if np.any(np.asarray(count) != expected):
        found = sorted(set(np.asarray(count, dtype=float).reshape(-1).tolist()) - {expected})
        raise SimulationError(
            f"{name}: this run needs {found[0]:g} stages where the model compiled with "
            f"{expected} (from its default constants and TIME STEP); the compiled engine "
            "keeps the structure fixed, so run these values with engine='pysd'"
        )
    return value
