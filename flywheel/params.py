"""Check and normalise what a user passes to a run: names, values and times.

Every engine takes its parameters through :func:`scenario_params` and its
times through :class:`RunTimes`, so a bad name or value gets the same clear
error whatever runs the model.
"""

from __future__ import annotations

import difflib
import math
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from numbers import Real

import numpy as np

from flywheel.errors import (
    ParameterValueError,
    RangeWarning,
    TimeSettingsWarning,
    UnknownParameterError,
)
from flywheel.subscripts import constant_values, subscripted_constants

__all__ = [
    "ElementValues", "RunTimes", "ScenarioParams", "check_range", "closest", "finite_number",
    "resolve_name",
    "scenario_params",
]


#: Relative to the time step, what counts as the same time (PySD's precision).
_SAME = 1e-5


def _key(name: str) -> str:
    return " ".join(name.replace("_", " ").lower().split())


def resolve_name(name: str, candidates: Iterable[str], *, what: str, owner: str) -> str:
    """The candidate that `name` means, ignoring case and ``_`` versus space.

    Parameters
    ----------
    name : str
        What the user wrote, e.g. ``"price_elasticity_of_demand"``.
    candidates : iterable of str
        The display names allowed here.
    what, owner : str
        For the message: "model 'flywheel' has no constant 'X'".

    Raises
    ------
    UnknownParameterError
        Naming `name` and the closest candidates (or some, when none is close).

    Examples
    --------
    >>> resolve_name("learning_rate", ["Learning Rate"], what="constant", owner="m")
    'Learning Rate'
    >>> resolve_name("Lerning Rate", ["Learning Rate"], what="constant", owner="m")
    Traceback (most recent call last):
    ...
    flywheel.errors.UnknownParameterError: m has no constant 'Lerning Rate'; closest: 'Learning Rate'
    """
    pool = list(candidates)
    if name in pool:
        return name
    by_key = {_key(n): n for n in pool}
    if _key(name) in by_key:
        return by_key[_key(name)]
    raise UnknownParameterError(f"{owner} has no {what} {name!r}; {closest(name, pool)}")


def closest(name: str, candidates: Iterable[str], n: int = 3) -> str:
    """A hint naming the candidates closest to `name`, or the first few when none is close.

    Examples
    --------
    >>> closest("Adopter", ["Adopters", "Adoption Rate", "Price"])
    "closest: 'Adopters', 'Adoption Rate'"
    >>> closest("zzz", ["Adopters", "Price"])
    "it has: 'Adopters', 'Price'"
    """
    pool = list(candidates)
    by_key = {_key(c): c for c in pool}
    close = difflib.get_close_matches(_key(name), list(by_key), n=n, cutoff=0.5)
    if close:
        return "closest: " + ", ".join(repr(by_key[c]) for c in close)
    return "it has: " + ", ".join(repr(c) for c in pool[:12]) + (", ..." if len(pool) > 12 else "")


@dataclass(frozen=True)
class ElementValues:
    """The values a run gives a subscripted constant: every element, per scenario.

    Attributes
    ----------
    dims : tuple of str
        The constant's subscript ranges.
    coords : tuple of tuple of str
        The elements of each range.
    values : numpy.ndarray
        Shape ``(*range sizes, m)``: m is 1, or the number of scenarios.

    Examples
    --------
    >>> v = ElementValues(("Region",), (("North", "South"),), np.array([[1.0], [2.0]]))
    >>> np.asarray(v).shape, v.width
    ((2, 1), 1)
    """

    dims: tuple[str, ...]
    coords: tuple[tuple[str, ...], ...]
    values: np.ndarray

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        return np.asarray(self.values, dtype=dtype)

    @property
    def width(self) -> int:
        """The length of the scenario axis (1 when the values do not vary)."""
        return self.values.shape[-1]

    def part(self, start: int, stop: int) -> ElementValues:
        """Scenarios `start` to `stop` (itself when the values do not vary by scenario).

        Examples
        --------
        >>> v = ElementValues(("Region",), (("North",),), np.array([[1.0, 2.0, 3.0]]))
        >>> v.part(1, 3).values.tolist()
        [[2.0, 3.0]]
        """
        if self.width == 1:
            return self
        return ElementValues(self.dims, self.coords, self.values[..., start:stop])

    def scenario(self, index: int):
        """Scenario `index`'s values as an :class:`xarray.DataArray` (what PySD takes)."""
        import xarray as xr

        return xr.DataArray(self.values[..., index if self.width > 1 else 0],
                            coords=dict(zip(self.dims, map(list, self.coords))), dims=self.dims)


@dataclass(frozen=True)
class ScenarioParams:
    """Parameter values by display name, scalars or arrays of one length.

    Attributes
    ----------
    values : dict of str to float, numpy.ndarray or ElementValues
        Display name of a constant to its value: a float, a 1-D float
        array holding one value per scenario, or a subscripted constant's
        :class:`ElementValues`.
    n_scenarios : int or None
        The common length of the arrays, None when every value is a scalar.
    first : int
        The index of the first scenario in the whole batch (a chunk of a
        batch starts later): the random functions draw by this index.
    """

    values: dict[str, float | np.ndarray]
    n_scenarios: int | None
    first: int = 0

    def scenario(self, index: int) -> dict[str, float]:
        """The values of scenario `index`: floats, and DataArrays for subscripted constants."""
        return {
            name: float(value[index]) if isinstance(value, np.ndarray) else
            value.scenario(index) if isinstance(value, ElementValues) else value
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


def scenario_params(model, params: Mapping[str, object] | None, *,
                    strict: bool = False) -> ScenarioParams:
    """Validate `params` against the constants of `model`.

    Parameters
    ----------
    model : flywheel.Model
        The model whose constants may be set.
    params : mapping or None
        Constant name (display name, any case, or PySD's snake_case) to a
        number or a 1-D array of numbers. Arrays must share one length N: the
        run then holds N scenarios.
    strict : bool
        Refuse a value outside the constant's documented range instead of
        warning.

    Returns
    -------
    ScenarioParams

    Raises
    ------
    UnknownParameterError
        A name that is not a constant of the model, with the closest ones.
    ParameterValueError
        A value that is not a finite number, an array that is not 1-D, or
        arrays of different lengths; with `strict`, a value outside the
        constant's documented range.

    Warns
    -----
    RangeWarning
        A value outside the constant's documented range (Vensim's ``[min,max]``
        in the model file), naming the constant, the value and the range.
    """
    if params is None:
        return ScenarioParams({}, None)
    if not isinstance(params, Mapping):
        raise ParameterValueError(
            f"params must be a mapping of constant names to values, got {type(params).__name__}"
        )
    values: dict[str, float | np.ndarray] = {}
    arrays = subscripted_constants(model)
    for name, value in params.items():
        if arrays and (_is_data_array(value) or "[" in str(name)):
            display, element_values = _element_values(model, arrays, str(name), value, values)
            values[display] = element_values
            check_range(display, element_values.values, model.elements[display].range,
                        strict=strict)
            continue
        if arrays and any(_key(a) == _key(str(name)) for a in arrays):
            display = next(a for a in arrays if _key(a) == _key(str(name)))
            values[display] = _whole(model, display, value)
            check_range(display, values[display].values, model.elements[display].range,
                        strict=strict)
            continue
        display = resolve_name(
            str(name), model.constants, what="constant", owner=f"model {model.name!r}"
        )
        what = f"parameter {display!r}"
        if np.ndim(value) == 0 and not isinstance(value, (list, tuple)):
            values[display] = finite_number(value, what)
        else:
            values[display] = _array(value, what)
        element = model.elements.get(display)
        if element is not None:
            check_range(display, values[display], element.range, strict=strict)
    lengths = {n: v.size for n, v in values.items() if isinstance(v, np.ndarray)}
    lengths.update({n: v.width for n, v in values.items()
                    if isinstance(v, ElementValues) and v.width > 1})
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"{n!r}: {size}" for n, size in lengths.items())
        raise ParameterValueError(f"array parameters must have one common length; got {listed}")
    return ScenarioParams(values, next(iter(lengths.values()), None))


def _is_data_array(value: object) -> bool:
    """Whether `value` is an xarray.DataArray (without importing xarray)."""
    return type(value).__name__ == "DataArray" and type(value).__module__.startswith("xarray")


def _defaults(model, display: str) -> ElementValues:
    dims = model.dimensions(display)
    coords = tuple(model.subscripts[d] for d in dims)
    return ElementValues(dims, coords, constant_values(model, display)[..., None])


def _whole(model, display: str, value: object) -> ElementValues:
    """A subscripted constant given one number (every element) or N (scenarios)."""
    base = _defaults(model, display)
    what = f"parameter {display!r}"
    if np.ndim(value) == 0 and not isinstance(value, (list, tuple)):
        number = np.full(base.values.shape, finite_number(value, what))
    else:
        number = np.broadcast_to(_array(value, what), base.values.shape[:-1] + (np.size(value),))
    return ElementValues(base.dims, base.coords, np.array(number, float))


def _element_values(model, arrays: tuple[str, ...], name: str, value: object,
                    given: dict) -> tuple[str, ElementValues]:
    """`value` for some or all elements of a subscripted constant (``"Name[a,b]"`` or a
    DataArray over its ranges, with or without ``scenario``), merged with what `given` holds."""
    base_name, _, subs = name.partition("[")
    display = resolve_name(base_name.strip(), arrays, what="subscripted constant",
                           owner=f"model {model.name!r}")
    current = given.get(display) or _defaults(model, display)
    what = f"parameter {name!r}"
    if subs:
        if not subs.endswith("]"):
            raise ParameterValueError(f"{what}: write one element as 'Name[a,b]'")
        wanted = [s.strip() for s in subs[:-1].split(",")]
        if len(wanted) != len(current.dims):
            raise ParameterValueError(f"{what}: {display!r} has {len(current.dims)} subscripts "
                                      f"({', '.join(current.dims)}), got {len(wanted)}")
        index = []
        for dim, items, sub in zip(current.dims, current.coords, wanted):
            chosen = model.subscripts.get(sub, (sub,))
            if not set(chosen) <= set(items):
                raise ParameterValueError(f"{what}: {sub!r} is not an element or a subrange of "
                                          f"{dim!r} ({', '.join(items)})")
            index.append([items.index(c) for c in chosen])
        if np.ndim(value) == 0 and not isinstance(value, (list, tuple)):
            block = np.array([finite_number(value, what)])
        else:
            block = _array(value, what)
    else:  # a DataArray
        extra = [d for d in value.dims if d not in current.dims and d != "scenario"]
        if extra:
            raise ParameterValueError(f"{what}: the DataArray's dims {extra} are not ranges of "
                                      f"{display!r} ({', '.join(current.dims)}) or 'scenario'")
        index = []
        for dim, items in zip(current.dims, current.coords):
            chosen = ([str(c) for c in value[dim].values] if dim in value.dims else list(items))
            if dim in value.dims and not set(chosen) <= set(items):
                raise ParameterValueError(f"{what}: its {dim!r} coordinates are not all "
                                          f"elements of {dim!r} ({', '.join(items)})")
            index.append([items.index(c) for c in chosen])
        order = [d for d in current.dims if d in value.dims]
        data = value.transpose(*order, *(["scenario"] if "scenario" in value.dims else []))
        block = np.asarray(data.values, float)
        block = block.reshape([len(i) if d in value.dims else 1
                               for d, i in zip(current.dims, index)] + [-1])
        bad = ~np.isfinite(block)
        if bad.any():
            raise ParameterValueError(f"{what} must hold finite numbers")
    width = max(current.width, block.shape[-1])
    if current.width not in (1, width) or block.shape[-1] not in (1, width):
        raise ParameterValueError(f"{what}: {block.shape[-1]} scenarios where {display!r} has "
                                  f"{current.width}")
    values = np.array(np.broadcast_to(current.values, current.values.shape[:-1] + (width,)))
    values[np.ix_(*index)] = block
    return display, ElementValues(current.dims, current.coords, values)


def check_range(name: str, value: float | np.ndarray,
                bounds: tuple[float | None, float | None], *, strict: bool = False) -> None:
    """Warn (or with `strict` raise) when `value` lies outside the documented `bounds`.

    Raises
    ------
    ParameterValueError
        With `strict`, a value outside `bounds`.

    Warns
    -----
    RangeWarning
        A value outside `bounds`, naming `name`, the value and the range.

    Examples
    --------
    >>> check_range("Learning Rate", 0.2, (0.0, 0.35))
    >>> check_range("Learning Rate", -1.0, (0.0, 0.35), strict=True)
    Traceback (most recent call last):
    ...
    flywheel.errors.ParameterValueError: Learning Rate = -1 is outside its documented range \
[0, 0.35] (refused: strict)
    """
    low, high = bounds
    array = np.atleast_1d(value)
    outside = np.zeros(array.shape, bool)
    if low is not None:
        outside |= array < low
    if high is not None:
        outside |= array > high
    if not outside.any():
        return
    shown = "[" + ", ".join("?" if b is None else f"{b:g}" for b in bounds) + "]"
    first = float(array[np.argmax(outside)])
    what = (f"{name} = {first:g}" if array.size == 1 or np.ndim(value) == 0 else
            f"{int(outside.sum())} of {array.size} values of {name} (the first: {first:g})")
    are = "is" if array.size == 1 or np.ndim(value) == 0 else "are"
    message = f"{what} {are} outside its documented range {shown}"
    if strict:
        raise ParameterValueError(message + " (refused: strict)")
    warnings.warn(message, RangeWarning, stacklevel=4)


class RunTimes:
    """The start, end, time step and save period of a run, checked.

    Each defaults to the model's INITIAL TIME, FINAL TIME, TIME STEP and
    SAVEPER; a SAVEPER that the model defines as ``TIME STEP`` (Vensim's
    default) follows a changed `dt`, as in Vensim and PySD.

    Raises
    ------
    ParameterValueError
        A value that is not a finite number, a non-positive time step or save
        period, a final time not after the initial time, or a time step
        longer than the run.

    Warns
    -----
    TimeSettingsWarning
        A save period longer than the run (shortened to the run) or not a
        multiple of the time step (rounded to the nearest multiple, at least
        one step): only times the run computes are saved.

    Examples
    --------
    >>> import flywheel
    >>> times = RunTimes(flywheel.load("flywheel_minimal"), final_time=2030, dt=0.125)
    >>> (times.initial_time, times.final_time, times.dt)
    (2020.0, 2030.0, 0.125)
    """

    def __init__(
        self,
        model,
        *,
        initial_time: float | None = None,
        final_time: float | None = None,
        dt: float | None = None,
        saveper: float | None = None,
    ) -> None:
        control = model.control
        self.initial_time = finite_number(
            control["INITIAL TIME"] if initial_time is None else initial_time, "initial_time")
        self.final_time = finite_number(
            control["FINAL TIME"] if final_time is None else final_time, "final_time")
        self.dt = finite_number(control["TIME STEP"] if dt is None else dt, "dt")
        follows_dt = model.elements["SAVEPER"].value is None
        default_saveper = self.dt if follows_dt else control["SAVEPER"]
        self.saveper = finite_number(default_saveper if saveper is None else saveper, "saveper")
        if self.dt <= 0:
            raise ParameterValueError(f"dt (the time step) must be positive, got {self.dt}")
        if self.saveper <= 0:
            raise ParameterValueError(f"saveper must be positive, got {self.saveper}")
        if self.final_time <= self.initial_time:
            raise ParameterValueError(
                f"final_time ({self.final_time}) must be after initial_time ({self.initial_time})"
            )
        length = self.final_time - self.initial_time
        if self.dt > length * (1 + _SAME):
            raise ParameterValueError(
                f"TIME STEP ({self.dt:g}) is longer than the run ({self.initial_time:g} to "
                f"{self.final_time:g}): the one step would end past FINAL TIME; use a time "
                f"step of at most {length:g}"
            )
        self.saveper = self._saveper(length)

    def _saveper(self, length: float) -> float:
        """The save period, made a multiple of the time step no longer than the run."""
        wanted = self.saveper
        saveper = min(wanted, length)
        steps = max(1, round(saveper / self.dt))
        if abs(steps * self.dt - saveper) > self.dt * _SAME:
            saveper = steps * self.dt
        if abs(saveper - wanted) > self.dt * _SAME:
            why = ("longer than the run" if wanted > length else
                   f"not a multiple of TIME STEP ({self.dt:g})")
            warnings.warn(
                f"SAVEPER {wanted:g} is {why}: saving every {saveper:g} instead (values are "
                "saved only at times the run computes)", TimeSettingsWarning, stacklevel=4)
        return saveper

    def __repr__(self) -> str:
        return (f"RunTimes(initial_time={self.initial_time}, final_time={self.final_time}, "
                f"dt={self.dt}, saveper={self.saveper})")
