"""Check and normalise the parameter values a user passes to a run.

Every engine takes its parameters through :func:`scenario_params`, so a bad
name or value gets the same clear error whatever runs the model.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Real

import numpy as np

from flywheel.errors import ParameterValueError

__all__ = ["ScenarioParams", "scenario_params", "finite_number"]


@dataclass(frozen=True)
class ScenarioParams:
    """Parameter values by display name, scalars or arrays of one length.

    Attributes
    ----------
    values : dict of str to float or numpy.ndarray
        Display name of a constant to its value: a float, or a 1-D float
        array holding one value per scenario.
    n_scenarios : int or None
        The common length of the arrays, None when every value is a scalar.
    """

    values: dict[str, float | np.ndarray]
    n_scenarios: int | None

    def scenario(self, index: int) -> dict[str, float]:
        """The scalar values of scenario `index`."""
        return {
            name: float(value[index]) if isinstance(value, np.ndarray) else value
            for name, value in self.values.items()
        }

    @property
    def varying(self) -> dict[str, np.ndarray]:
        """The array-valued parameters: the scenario coordinates."""
        return {n: v for n, v in self.values.items() if isinstance(v, np.ndarray)}


def finite_number(value: object, what: str) -> float:
    """`value` as a float, or a ParameterValueError naming `what`.

    Examples
    --------
    >>> finite_number("2.5", "Learning Rate")
    2.5
    >>> finite_number("nan", "Learning Rate")
    Traceback (most recent call last):
    ...
    flywheel.errors.ParameterValueError: Learning Rate must be a finite number, got 'nan'
    """
    if isinstance(value, bool) or not isinstance(value, (Real, str, np.number)):
        raise ParameterValueError(f"{what} must be a finite number, got {value!r}")
    try:
        number = float(value)
    except ValueError:
        raise ParameterValueError(f"{what} must be a finite number, got {value!r}") from None
    if not math.isfinite(number):
        raise ParameterValueError(f"{what} must be a finite number, got {value!r}")
    return number


def _array(value: object, what: str) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ParameterValueError(
            f"{what} must be a number or a 1-D array of numbers, got {value!r}"
        ) from None
    if array.ndim != 1 or array.size == 0:
        raise ParameterValueError(
            f"{what} must be a number or a non-empty 1-D array, got shape {array.shape}"
        )
    bad = ~np.isfinite(array)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise ParameterValueError(
            f"{what} must hold finite numbers; element {first} is {float(array[first])}"
        )
    return array


def scenario_params(model, params: Mapping[str, object] | None) -> ScenarioParams:
    """Validate `params` against the constants of `model`.

    Parameters
    ----------
    model : flywheel.Model
        The model whose constants may be set.
    params : mapping or None
        Constant name (display name, any case, or PySD's snake_case) to a
        number or a 1-D array of numbers. Arrays must share one length N: the
        run then holds N scenarios.

    Returns
    -------
    ScenarioParams

    Raises
    ------
    UnknownParameterError
        A name that is not a constant of the model, with the closest ones.
    ParameterValueError
        A value that is not a finite number, an array that is not 1-D, or
        arrays of different lengths.
    """
    if params is None:
        return ScenarioParams({}, None)
    if not isinstance(params, Mapping):
        raise ParameterValueError(
            f"params must be a mapping of constant names to values, got {type(params).__name__}"
        )
    values: dict[str, float | np.ndarray] = {}
    for name, value in params.items():
        display = model.resolve(str(name), model.constants)
        what = f"parameter {display!r}"
        if np.ndim(value) == 0 and not isinstance(value, (list, tuple)):
            values[display] = finite_number(value, what)
        else:
            values[display] = _array(value, what)
    lengths = {n: v.size for n, v in values.items() if isinstance(v, np.ndarray)}
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"{n!r}: {size}" for n, size in lengths.items())
        raise ParameterValueError(f"array parameters must have one common length; got {listed}")
    return ScenarioParams(values, next(iter(lengths.values()), None))
