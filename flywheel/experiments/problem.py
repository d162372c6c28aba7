"""The problem: which constants an experiment varies, and over what.

A problem is a plain dict in SALib's format, the only thing that passes
between sampling, running and analysing::

    {"names": ["Price Elasticity of Demand", "Learning Rate"],
     "bounds": [[0.5, 2.5], [0.1, 0.35]],
     "num_vars": 2,
     "dists": ["unif", "unif"]}          # optional; "unif" when absent

Names are constants of the model (any spelling :meth:`flywheel.Model.resolve`
accepts; the checked problem holds display names). Bounds default to each
constant's declared Vensim range ``[min,max]``.

Bounds outside a constant's declared range **warn** (:class:`OutOfRangeWarning`)
rather than fail: the range is the modeller's plausible range, not the
domain where the equations are defined, and experiments beyond it (a loop
knocked out by a strength of zero, a stress test) are legitimate. Reversed or
empty bounds, unknown names and unknown distributions are errors.

Examples
--------
>>> import flywheel
>>> model = flywheel.load("flywheel_minimal")
>>> problem = define_problem(model, ["price_elasticity_of_demand"], bounds=[[0.5, 2.5]])
>>> problem["names"], problem["bounds"], problem["num_vars"]
(['Price Elasticity of Demand'], [[0.5, 2.5]], 1)
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence

from flywheel.errors import ParameterValueError
from flywheel.model import Model
from flywheel.params import finite_number, resolve_name
from flywheel.vocabulary import feedback_strengths

__all__ = ["DISTS", "OutOfRangeWarning", "check_problem", "define_problem", "resolve_constant"]

#: SALib's distributions and what their bounds hold; the bounded ones are range-checked.
DISTS = {
    "unif": "[lower, upper]",
    "triang": "[lower, upper, peak as a fraction of the width]",
    "norm": "[mean, standard deviation]",
    "truncnorm": "[lower, upper, mean, standard deviation]",
    "lognorm": "[mean of ln, standard deviation of ln]",
}
_SIZES = {"unif": 2, "triang": 3, "norm": 2, "truncnorm": 4, "lognorm": 2}
_BOUNDED = ("unif", "triang", "truncnorm")
_SHAPE_OK = {
    "unif": lambda b: True,
    "triang": lambda b: 0 <= b[2] < 1,
    "norm": lambda b: b[1] > 0,
    "truncnorm": lambda b: b[3] > 0,
    "lognorm": lambda b: b[1] > 0,
}


class OutOfRangeWarning(UserWarning):
    """Bounds reach outside a constant's declared ``[min,max]`` range."""


def resolve_constant(model: Model, name: str) -> str:
    """The display name of the constant of `model` that `name` means.

    Raises
    ------
    UnknownParameterError
        Naming `name` and the closest constants.
    """
    return resolve_name(str(name), model.constants, what="constant", owner=f"model {model.name!r}")


def define_problem(
    model: Model,
    names: Sequence[str] | None = None,
    *,
    bounds: Sequence[Sequence[float]] | None = None,
    dists: Sequence[str] | None = None,
) -> dict:
    """A checked problem over constants `names` of `model`.

    Parameters
    ----------
    model : Model
        The model whose constants vary.
    names : sequence of str, optional
        Constants to vary; default: the model's feedback strengths
        (:func:`flywheel.vocabulary.feedback_strengths`).
    bounds : sequence of sequences of float, optional
        One entry per name, in SALib's format for its distribution
        (:data:`DISTS`); default: each constant's declared ``[min,max]``,
        which an entry of None also takes.
    dists : sequence of str, optional
        One SALib distribution per name; default: all ``"unif"``.

    Returns
    -------
    dict
        ``names`` (display names), ``bounds``, ``num_vars`` and, when given,
        ``dists``.

    Raises
    ------
    UnknownParameterError
        A name that is not a constant of `model` (with the closest names).
    ParameterValueError
        No names, a repeated name, a constant with no declared range and no
        bounds given, reversed or malformed bounds, an unknown distribution.

    Warns
    -----
    OutOfRangeWarning
        Bounds outside a constant's declared range.
    """
    if names is None:
        names = feedback_strengths(model)
    problem: dict = {"names": list(names), "num_vars": len(names)}
    if bounds is not None:
        problem["bounds"] = [None if b is None else list(b) for b in bounds]
    if dists is not None:
        problem["dists"] = list(dists)
    return check_problem(problem, model)


def check_problem(problem: Mapping, model: Model | None = None) -> dict:
    """`problem` checked: a new dict with float bounds (and display names, given `model`).

    With `model`, names must be its constants, missing bounds take their
    declared ranges, and bounds outside those ranges warn. Without it (as
    :func:`flywheel.sample` does) only the problem's own shape is checked and
    bounds are required. See :func:`define_problem` for what is raised.

    Examples
    --------
    >>> check_problem({"names": ["Learning Rate"], "bounds": [[0.3, 0.1]]})
    Traceback (most recent call last):
    ...
    flywheel.errors.ParameterValueError: problem bounds of 'Learning Rate' are reversed or empty: ...
    """
    if not isinstance(problem, Mapping) or "names" not in problem:
        raise ParameterValueError(
            "a problem is a dict with 'names' (constants) and optionally 'bounds' and "
            f"'dists', as in SALib; got {problem!r}"
        )
    names = [str(n) if model is None else resolve_constant(model, n) for n in problem["names"]]
    if not names:
        raise ParameterValueError("a problem needs at least one name")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ParameterValueError(f"problem names repeat: {', '.join(map(repr, repeated))}")
    dists = _sequence(problem, "dists", len(names)) or ["unif"] * len(names)
    given = _sequence(problem, "bounds", len(names))
    if given is None and model is None:
        raise ParameterValueError(
            "the problem has no 'bounds'; give them, or build it with "
            "define_problem(model, names) to take the constants' declared ranges"
        )
    declared = [(None, None) if model is None else model.elements[n].range for n in names]
    bounds = [
        _bounds(n, d, b, r)
        for n, d, b, r in zip(names, dists, given or [None] * len(names), declared)
    ]
    if model is not None:
        for name, dist, values, span in zip(names, dists, bounds, declared):
            if dist in _BOUNDED:
                _warn_outside(name, values[:2], span)
    checked = {"names": names, "bounds": bounds, "num_vars": len(names)}
    if "dists" in problem:
        checked["dists"] = list(dists)
    return checked


def _sequence(problem: Mapping, key: str, size: int) -> list | None:
    if problem.get(key) is None:
        return None
    values = list(problem[key])
    if len(values) != size:
        raise ParameterValueError(
            f"problem {key!r} has {len(values)} entries for {size} names; give one per name"
        )
    return values


def _bounds(name: str, dist: str, given: Sequence[float] | None,
            declared: tuple[float | None, float | None]) -> list[float]:
    if dist not in DISTS:
        raise ParameterValueError(
            f"unknown distribution {dist!r} for {name!r}; valid: {', '.join(DISTS)}"
        )
    if given is None:
        if dist != "unif" or None in declared:
            raise ParameterValueError(
                f"give bounds for {name!r}: "
                + ("it declares no [min,max] range" if None in declared
                   else f"distribution {dist!r} needs {DISTS[dist]}")
            )
        given = declared
    values = [finite_number(v, f"problem bounds of {name!r}") for v in given]
    if len(values) != _SIZES[dist]:
        raise ParameterValueError(
            f"problem bounds of {name!r} for distribution {dist!r} need "
            f"{_SIZES[dist]} numbers, {DISTS[dist]}; got {values}"
        )
    if dist in _BOUNDED and not values[0] < values[1]:
        raise ParameterValueError(
            f"problem bounds of {name!r} are reversed or empty: {values} "
            "(lower must be below upper)"
        )
    if not _SHAPE_OK[dist](values):
        raise ParameterValueError(
            f"problem bounds of {name!r} for distribution {dist!r} must be {DISTS[dist]}, "
            f"with a positive standard deviation and a peak in [0, 1); got {values}"
        )
    return values


def _warn_outside(name: str, span: list[float], declared: tuple) -> None:
    low = -math.inf if declared[0] is None else declared[0]
    high = math.inf if declared[1] is None else declared[1]
    if span[0] < low or span[1] > high:
        warnings.warn(
            f"bounds {span} of {name!r} reach outside its declared range "
            f"[{declared[0]}, {declared[1]}]",
            OutOfRangeWarning,
            stacklevel=3,
        )
