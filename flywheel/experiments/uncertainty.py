"""What a model's projections are uncertain about: the ``<model>.uncertainty.toml`` sidecar.

Beside a model file ``models/flywheel.mdl`` sits ``models/flywheel.uncertainty.toml``::

    [history]
    end = 2025.5                        # where the fitted history ends (a year)

    [parameters."Imitation Coefficient"]
    low = 1.043                         # the interval an ensemble samples
    high = 1.269
    scale = "linear"                    # optional: "log" samples uniformly in log
    calibrated = true                   # optional: fitted to data (a back-test refits it)
    why = "95% interval of the calibration (docs/calibration.md)"

    [jevons]                            # optional: the switches of the Jevons decomposition
    base_time = "Jevons Base Time"      # the constant that says when the freezes start
    outputs = ["Total Compute Spend", "Inference Compute Spend"]
    [jevons.price]                      # the price path frozen
    set = { "Price Path Frozen" = 1 }   # constants set for this counterfactual
    hold = { "Inference Price at Base Time" = "Inference Price" }  # = the variable at base_time
    [jevons.non_price]                  # the non-price drivers frozen
    set = { "Non Price Drivers Frozen" = 1 }

Everything model-specific that :func:`flywheel.project`,
:func:`flywheel.backtest` and :func:`flywheel.jevons_decomposition` use comes
from this file and the model; names are checked against the model.

Examples
--------
>>> import flywheel
>>> spec = load_uncertainty(flywheel.load("flywheel"))
>>> spec.history_end > 2020
True
>>> all(p.low < p.high for p in spec.parameters), any(p.calibrated for p in spec.parameters)
(True, True)
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from flywheel.errors import DataFileError
from flywheel.params import resolve_name

__all__ = ["Counterfactual", "JevonsSpec", "Uncertain", "UncertaintySpec", "load_uncertainty",
           "uncertainty_path"]

_SCALES = ("linear", "log")
_PARAMETER_KEYS = {"low", "high", "scale", "calibrated", "why"}


@dataclass(frozen=True)
class Uncertain:
    """One uncertain constant: the interval an ensemble samples, and why.

    Attributes
    ----------
    name : str
        The constant's display name.
    low, high : float
    scale : {"linear", "log"}
        Sampled uniformly in the value or in its log.
    calibrated : bool
        Fitted to the data (its interval is a calibration interval).
    why : str
    """

    name: str
    low: float
    high: float
    scale: str = "linear"
    calibrated: bool = False
    why: str = ""


@dataclass(frozen=True)
class Counterfactual:
    """One frozen run of the Jevons decomposition.

    Attributes
    ----------
    set : dict of str to float
        Constants set for the run (the switches).
    hold : dict of str to str
        Constant to the variable whose base-run value at the base time it takes.
    """

    set: dict[str, float] = field(default_factory=dict)
    hold: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class JevonsSpec:
    """The ``[jevons]`` table: how the model freezes the price path and the other drivers.

    Attributes
    ----------
    base_time : str
        The constant holding the time from which the freezes apply.
    outputs : tuple of str
        The spend variables to decompose.
    price, non_price : Counterfactual
    """

    base_time: str
    outputs: tuple[str, ...]
    price: Counterfactual
    non_price: Counterfactual


@dataclass(frozen=True)
class UncertaintySpec:
    """A model's uncertainty sidecar, checked against the model.

    Attributes
    ----------
    path : pathlib.Path
    history_end : float or None
        Where the fitted history ends; None when the file does not say.
    parameters : tuple of Uncertain
    jevons : JevonsSpec or None
    """

    path: Path
    history_end: float | None
    parameters: tuple[Uncertain, ...]
    jevons: JevonsSpec | None = None

    @property
    def ranges(self) -> dict[str, tuple[float, float]]:
        """Constant name to (low, high)."""
        return {p.name: (p.low, p.high) for p in self.parameters}


def uncertainty_path(model) -> Path:
    """The sidecar of `model`: ``<model file stem>.uncertainty.toml`` beside it."""
    return model.path.with_name(model.path.stem + ".uncertainty.toml")


def _number(value, where: str, path: Path) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise DataFileError(f"{path}: {where} must be a finite number, got {value!r}")
    return float(value)


def _table(value, where: str, path: Path) -> dict:
    if not isinstance(value, dict):
        raise DataFileError(f"{path}: {where} must be a table, got {value!r}")
    return value


def _parameter(model, name: str, entry, path: Path) -> Uncertain:
    where = f"[parameters.{name!r}]"
    entry = _table(entry, where, path)
    constant = resolve_name(name, model.constants, what="constant",
                            owner=f"model {model.name!r} (named in {path})")
    unknown = sorted(set(entry) - _PARAMETER_KEYS)
    missing = sorted({"low", "high"} - set(entry))
    if unknown or missing:
        raise DataFileError(f"{path}: {where}: " + "; ".join(
            ([f"unknown key(s) {', '.join(unknown)}"] if unknown else [])
            + ([f"missing {', '.join(missing)}"] if missing else []))
            + f" (keys: {', '.join(sorted(_PARAMETER_KEYS))})")
    low, high = (_number(entry[k], f"{where} {k}", path) for k in ("low", "high"))
    scale = entry.get("scale", "linear")
    if scale not in _SCALES:
        raise DataFileError(f"{path}: {where} scale must be one of {', '.join(_SCALES)}, "
                            f"got {scale!r}")
    if not low < high or (scale == "log" and low <= 0):
        raise DataFileError(f"{path}: {where} needs low < high"
                            + (" and low > 0 (log scale)" if scale == "log" else "")
                            + f", got low={low:g}, high={high:g}")
    return Uncertain(constant, low, high, scale, bool(entry.get("calibrated", False)),
                     str(entry.get("why", "")))


def _counterfactual(model, entry, where: str, path: Path) -> Counterfactual:
    entry = _table(entry, where, path)
    unknown = sorted(set(entry) - {"set", "hold"})
    if unknown:
        raise DataFileError(f"{path}: {where}: unknown key(s) {', '.join(unknown)} "
                            "(keys: set, hold)")
    owner = f"model {model.name!r} (named in {path} {where})"
    values = {resolve_name(k, model.constants, what="constant", owner=owner):
              _number(v, f"{where} set.{k}", path)
              for k, v in _table(entry.get("set", {}), f"{where} set", path).items()}
    hold = {resolve_name(k, model.constants, what="constant", owner=owner):
            resolve_name(str(v), model.elements, what="variable", owner=owner)
            for k, v in _table(entry.get("hold", {}), f"{where} hold", path).items()}
    return Counterfactual(values, hold)


def _jevons(model, entry, path: Path) -> JevonsSpec:
    entry = _table(entry, "[jevons]", path)
    missing = sorted({"base_time", "price", "non_price"} - set(entry))
    if missing:
        raise DataFileError(f"{path}: [jevons] lacks {', '.join(missing)}")
    owner = f"model {model.name!r} (named in {path} [jevons])"
    base = resolve_name(str(entry["base_time"]), model.constants, what="constant", owner=owner)
    outputs = entry.get("outputs", ["Total Compute Spend", "Inference Compute Spend"])
    if not isinstance(outputs, list) or not outputs:
        raise DataFileError(f"{path}: [jevons] outputs must be a non-empty list of variables")
    outputs = tuple(resolve_name(str(o), model.elements, what="variable", owner=owner)
                    for o in outputs)
    price = _counterfactual(model, entry["price"], "[jevons.price]", path)
    non_price = _counterfactual(model, entry["non_price"], "[jevons.non_price]", path)
    shared = sorted((set(price.set) | set(price.hold)) & (set(non_price.set) | set(non_price.hold)))
    if shared:
        raise DataFileError(f"{path}: [jevons.price] and [jevons.non_price] both set "
                            f"{', '.join(map(repr, shared))}: each switch belongs to one")
    return JevonsSpec(base, outputs, price, non_price)


def load_uncertainty(model, path: str | Path | None = None) -> UncertaintySpec:
    """Read and check `model`'s uncertainty sidecar (default :func:`uncertainty_path`).

    Raises
    ------
    DataFileError
        A missing or unreadable file (naming the path expected), or a bad
        entry (naming the table and key).
    UnknownParameterError
        A name that is not a constant (or variable) of the model, with the
        closest names.
    """
    path = uncertainty_path(model) if path is None else Path(path)
    try:
        tables = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataFileError(
            f"{path}: no uncertainty file for model {model.name!r}; write one beside the model "
            "(see flywheel.experiments.uncertainty for the format)") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise DataFileError(f"{path}: cannot read the uncertainty file: {error}") from None
    unknown = sorted(set(tables) - {"history", "parameters", "jevons"})
    if unknown:
        raise DataFileError(f"{path}: unknown table(s) {', '.join(unknown)} "
                            "(tables: history, parameters, jevons)")
    history = _table(tables.get("history", {}), "[history]", path)
    end = history.get("end")
    end = None if end is None else _number(end, "[history] end", path)
    parameters = tuple(_parameter(model, name, entry, path) for name, entry in
                       _table(tables.get("parameters", {}), "[parameters]", path).items())
    jevons = _jevons(model, tables["jevons"], path) if "jevons" in tables else None
    return UncertaintySpec(path, end, parameters, jevons)
