"""Observations, the mapping of each series to a model variable, and the two joined.

The package ships ``flywheel/data/observations.csv`` (series, time, value,
unit, kind, source), ``rates.csv`` (sourced growth rates and elasticities) and
``mapping.toml``: for each observed series, the model variable it measures,
the transformation (``level``, ``trend``, ``lower_bound`` or ``upper_bound``),
how to read its unit, its weight, what it is a proxy of, why, and, when a
prior behind it was built from later data, the year of that data
(``prior_from``; ``docs/calibration.md``).

:func:`observations_for` joins the three for one model: each observation
converted to the model variable's units, with its weight and transformation.

Examples
--------
>>> import flywheel
>>> from flywheel.calibration.data import observations_for
>>> data = observations_for(flywheel.load("flywheel"))
>>> data.points.loc[data.points.series == "big_six_capex", "observed"].tolist()  # not 2014
[212.0, 130.0]
"""

from __future__ import annotations

import importlib.resources
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from flywheel.checks.unitsystem import parse_units
from flywheel.errors import DataFileError
from flywheel.params import RunTimes

__all__ = ["CalibrationData", "DataFileError", "SeriesMapping", "TRANSFORMS",
           "load_mapping", "load_observations", "load_rates", "observations_for"]

#: The transformations a series may have (see ``mapping.toml``): the model
#: value itself, its growth only, or a bound it must not cross.
TRANSFORMS = ("level", "trend", "lower_bound", "upper_bound")
#: The keys of a mapping entry that must be present, and those that may be.
REQUIRED_KEYS = ("variable", "transform", "weight", "proxy", "rationale")
OPTIONAL_KEYS = ("unit", "prior_from")
#: Columns observations.csv must have.
REQUIRED_COLUMNS = ("series", "time", "value", "unit")


@dataclass(frozen=True)
class SeriesMapping:
    """How one observed series relates to the model (one table of ``mapping.toml``).

    Attributes
    ----------
    series : str
    variable : str
        The model variable the series measures; '' when it is not fitted.
    transform : {"level", "trend", "lower_bound", "upper_bound"}
    weight : float
    proxy, rationale : str
    unit : str
        How to read the series' unit; '' to read the data file's unit.
    prior_from : float or None
        The year of the earliest data a prior behind the series (a share, a
        conversion) was built from; a back-test names the series when this
        is after its cutoff. None: no such prior.
    """

    series: str
    variable: str
    transform: str
    weight: float
    proxy: str
    rationale: str
    unit: str = ""
    prior_from: float | None = None


@dataclass(frozen=True)
class CalibrationData:
    """Observations ready to compare with one model.

    Attributes
    ----------
    points : pandas.DataFrame
        One row per fitted observation: series, variable, transform, weight,
        time, observed (in the model variable's units), unit (the model's),
        value and source (as in the data file).
    skipped : pandas.DataFrame
        The observations left out (series, time, reason): weight 0, no
        variable, a variable the model lacks, or a time outside the run.
    mapping : dict of str to SeriesMapping
    """

    points: pd.DataFrame
    skipped: pd.DataFrame
    mapping: dict[str, SeriesMapping]


def _package_file(name: str) -> Path:
    return Path(str(importlib.resources.files("flywheel").joinpath("data", name)))


def load_observations(path: str | Path | None = None) -> pd.DataFrame:
    """The observations table (default: the package's ``observations.csv``).

    Raises
    ------
    DataFileError
        A missing file, missing columns (named), or a time or value that is
        not a finite number, or a value that is not positive (naming the row).
    """
    path = _package_file("observations.csv") if path is None else Path(path)
    try:
        frame = pd.read_csv(path)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise DataFileError(f"{path}: cannot read the observations: {error}") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise DataFileError(f"{path}: missing column(s) {', '.join(missing)}; "
                            f"observations need {', '.join(REQUIRED_COLUMNS)}")
    for column in ("time", "value"):
        numbers = pd.to_numeric(frame[column], errors="coerce")
        bad = ~np.isfinite(numbers) | ((numbers <= 0) if column == "value" else False)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise DataFileError(
                f"{path}: row {row + 2} ({frame['series'][row]}): {column} must be a "
                f"{'positive' if column == 'value' else 'finite'} number, "
                f"got {frame[column][row]!r}")
        frame[column] = numbers.astype(float)
    return frame


def load_rates(path: str | Path | None = None) -> pd.DataFrame:
    """The sourced rates table (default: the package's ``rates.csv``), indexed by quantity.

    Examples
    --------
    >>> float(load_rates().loc["hardware_lifetime", "value"])
    5.0
    """
    path = _package_file("rates.csv") if path is None else Path(path)
    return pd.read_csv(path).set_index("quantity")


def load_mapping(path: str | Path | None = None) -> dict[str, SeriesMapping]:
    """Series name to :class:`SeriesMapping` (default: the package's ``mapping.toml``).

    Raises
    ------
    DataFileError
        A missing or unknown key, an unknown transformation, a negative
        weight or a ``prior_from`` that is not a number, naming the series.
    """
    path = _package_file("mapping.toml") if path is None else Path(path)
    try:
        tables = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise DataFileError(f"{path}: cannot read the mapping: {error}") from None
    mapping = {}
    for series, entry in tables.items():
        missing = [k for k in REQUIRED_KEYS if k not in entry]
        if missing:
            raise DataFileError(f"{path}: series {series!r} lacks {', '.join(missing)}")
        unknown = sorted(set(entry) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
        if unknown:
            raise DataFileError(f"{path}: series {series!r}: unknown key(s) "
                                f"{', '.join(unknown)}; an entry has "
                                f"{', '.join(REQUIRED_KEYS + OPTIONAL_KEYS)}")
        prior = entry.get("prior_from")
        if prior is not None and (isinstance(prior, bool) or not isinstance(prior, (int, float))
                                  or not np.isfinite(prior)):
            raise DataFileError(f"{path}: series {series!r}: prior_from must be a year "
                                f"(a number), got {prior!r}")
        if entry["transform"] not in TRANSFORMS:
            raise DataFileError(f"{path}: series {series!r}: transform must be one of "
                                f"{', '.join(TRANSFORMS)}, got {entry['transform']!r}")
        if not entry["weight"] >= 0:
            raise DataFileError(f"{path}: series {series!r}: weight must be >= 0")
        mapping[series] = SeriesMapping(
            series, **{**entry, "prior_from": None if prior is None else float(prior)})
    return mapping


def _factor(series: str, unit: str, model_units: str, variable: str) -> float | None:
    """The number that converts `unit` into `model_units`.

    None when the two have no dimension in common: the model's variable of
    that name measures another quantity (the minimal model's Installed
    Compute is in exaFLOP/s, the data's installed compute in H100-equivalents).

    Raises
    ------
    DataFileError
        A unit that does not parse, or that shares a dimension with the
        variable's units but does not convert into them (a stock for a rate).
    """
    try:
        given, wanted = parse_units(unit), parse_units(model_units)
        if (given.dimensionality and wanted.dimensionality
                and not set(given.dimensionality) & set(wanted.dimensionality)):
            return None
        return float(given.to(wanted).magnitude)
    except Exception as error:  # pint's DimensionalityError and parse errors alike
        raise DataFileError(
            f"series {series!r}: cannot convert its unit {unit!r} into the units "
            f"{model_units!r} of {variable!r}: {error}") from None


def observations_for(model, observations: pd.DataFrame | str | Path | None = None,
                     mapping: dict[str, SeriesMapping] | str | Path | None = None,
                     ) -> CalibrationData:
    """The observations that `model` can be compared with, in its units.

    Parameters
    ----------
    model : flywheel.Model
    observations : DataFrame or path, optional
        Default: the package's ``observations.csv``.
    mapping : dict or path, optional
        Default: the package's ``mapping.toml``.

    Raises
    ------
    DataFileError
        A series that the mapping does not know, or whose unit does not
        convert into its variable's units (naming the series and both units).
        A unit with no dimension in common with the variable's is not an
        error: the model measures another quantity by that name, and the
        series is left out (in ``skipped``, with both units).
    """
    frame = (observations if isinstance(observations, pd.DataFrame)
             else load_observations(observations))
    mapping = mapping if isinstance(mapping, dict) else load_mapping(mapping)
    unknown = sorted(set(frame["series"]) - set(mapping))
    if unknown:
        rows = [int(i) + 2 for i in np.flatnonzero(frame["series"] == unknown[0])]
        raise DataFileError(f"unknown series {', '.join(map(repr, unknown))} (first at row "
                            f"{rows[0]}); the mapping has {', '.join(sorted(mapping))}")
    times = RunTimes(model)
    kept, skipped = [], []
    for row in frame.itertuples(index=False):
        entry = mapping[row.series]
        reason = _skip_reason(model, entry, row.time, times)
        if reason:
            skipped.append({"series": row.series, "time": row.time, "reason": reason})
            continue
        units = model.elements[entry.variable].units
        unit = entry.unit or row.unit
        factor = _factor(row.series, unit, units, entry.variable)
        if factor is None:
            skipped.append({"series": row.series, "time": row.time, "reason":
                            f"the model's {entry.variable!r} is in {units!r}, another "
                            f"quantity than {unit!r}"})
            continue
        kept.append({"series": row.series, "variable": entry.variable,
                     "transform": entry.transform, "weight": entry.weight, "time": row.time,
                     "observed": row.value * factor, "unit": units, "value": row.value,
                     "source": getattr(row, "source", "")})
    columns = ["series", "variable", "transform", "weight", "time", "observed", "unit",
               "value", "source"]
    return CalibrationData(pd.DataFrame(kept, columns=columns),
                           pd.DataFrame(skipped, columns=["series", "time", "reason"]),
                           mapping)


def _skip_reason(model, entry: SeriesMapping, time: float, times: RunTimes) -> str:
    if not entry.variable or entry.weight == 0:
        return "not fitted (mapping: no variable or weight 0)"
    if entry.variable not in model.elements:
        return f"the model has no {entry.variable!r}"
    if not times.initial_time <= time <= times.final_time:
        return "outside the run"
    return ""
