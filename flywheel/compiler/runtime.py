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
    "random_exponential",
    "random_normal",
    "random_uniform",
    "step",
    "xidz",
    "zidz",
]

#: What Vensim (and PySD) consider zero in XIDZ, ZIDZ, MODULO and the pulses.
SMALL_VENSIM = 1e-6

#: Draws RANDOM NORMAL makes for one value before it gives up (NaN) on a range that
#: holds almost none of the distribution.
NORMAL_ATTEMPTS = 1000


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


# --- random numbers: a counter-based stream (splitmix64 of the seed, scenario, call and step)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


def _mix(z):
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def _uniforms(seed, scenario, site, step, draw):
    """Uniform numbers in (0, 1), one per scenario: a function of the five counters only.

    So a scenario's numbers do not depend on its batch, nor on how often the
    model is evaluated within a time step (:mod:`flywheel.compiler.scalar` computes
    the same bits).
    """
    with np.errstate(over="ignore"):  # uint64 arithmetic wraps around, by design
        h = _mix(np.uint64(seed) + _GOLDEN)
        for counter in (scenario, site, step, draw):
            h = _mix(h + _GOLDEN * (np.asarray(counter, dtype=np.uint64) + np.uint64(1)))
    return ((h >> np.uint64(11)).astype(float) + 0.5) * 2.0 ** -53


def _step(t, t0, dt):
    """The index of the time step holding `t`: a time within a step draws that step's
    numbers (RK4's stages at t + dt/2 too; its last, at t + dt, the next step's)."""
    return np.uint64(np.floor((t - t0) / dt + SMALL_VENSIM))


def random_uniform(low, high, site, *, t, t0, dt, seed, scenario):
    """Vensim RANDOM UNIFORM: uniform in [low, high), a new draw each time step.

    `site` numbers the call in the model; `seed` and `scenario` (the indices of
    the scenarios) select the stream. PySD draws from numpy's global stream
    instead, so the two agree in distribution, not draw by draw.

    Examples
    --------
    >>> x = random_uniform(2.0, 4.0, 1, t=0.0, t0=0.0, dt=1.0, seed=7, scenario=np.arange(3))
    >>> bool(((2 <= x) & (x < 4)).all()), x.shape
    (True, (3,))
    """
    u = _uniforms(seed, scenario, site, _step(t, t0, dt), 0)
    return low + (high - low) * u


def random_exponential(low, high, shift, stretch, site, *, t, t0, dt, seed, scenario):
    """Vensim RANDOM EXPONENTIAL as PySD draws it: ``max(low, shift)`` plus an
    exponential of scale `stretch` truncated at `high` (scipy's ``truncexpon``),
    a new draw each time step, by the inverse of its distribution function.

    Examples
    --------
    >>> x = random_exponential(1.0, 3.0, 0.0, 2.0, 1, t=0.0, t0=0.0, dt=1.0, seed=7,
    ...                        scenario=np.arange(1000))
    >>> bool(((1 <= x) & (x <= 3)).all()), x.shape
    (True, (1000,))
    """
    u = _uniforms(seed, scenario, site, _step(t, t0, dt), 0)
    start = np.maximum(low, shift)
    with np.errstate(divide="ignore", invalid="ignore"):
        width = np.where(stretch != 0, (high - start) / np.where(stretch != 0, stretch, 1.0),
                         np.inf)
    return start - stretch * np.log1p(u * np.expm1(-width))


def random_normal(low, high, mean, sd, site, *, t, t0, dt, seed, scenario):
    """Vensim RANDOM NORMAL: normal (`mean`, `sd`) truncated to [low, high], as PySD's
    ``truncnorm`` (no truncation where ``|sd| < 1e-6``), a new draw each time step.

    Box-Muller draws, the ones outside the range drawn again; NaN after
    :data:`NORMAL_ATTEMPTS` draws outside it (a range with almost no probability).

    Examples
    --------
    >>> x = random_normal(-1.0, 1.0, 0.0, 2.0, 1, t=0.0, t0=0.0, dt=1.0, seed=7,
    ...                   scenario=np.arange(1000))
    >>> bool((np.abs(x) <= 1).all())
    True
    """
    step = _step(t, t0, dt)
    shape = np.broadcast(low, high, mean, sd, scenario, step).shape
    value = np.full(shape, np.nan)
    todo = np.ones(shape, dtype=bool)
    wide = np.broadcast_to(np.abs(sd) < SMALL_VENSIM, shape)
    for attempt in range(NORMAL_ATTEMPTS):
        u1 = _uniforms(seed, scenario, site, step, 2 * attempt)
        u2 = _uniforms(seed, scenario, site, step, 2 * attempt + 1)
        z = np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)
        draw = np.broadcast_to(mean + sd * z, shape)
        accept = todo & (wide | ((low <= draw) & (draw <= high)))
        value[accept] = draw[accept]
        todo &= ~accept
        if not todo.any():
            break
    return value
