"""Calibration: fit model constants to the observed 2020-2025 data.

* :mod:`~flywheel.calibration.data`: the observations, the written mapping of
  each series to a model variable, and the two joined for one model.
* :mod:`~flywheel.calibration.fit`: :func:`compare` (the model against the
  data) and :func:`calibrate` (least squares on weighted log errors).
* :mod:`~flywheel.calibration.result`: :class:`Comparison` and
  :class:`CalibrationResult` (error statistics, intervals, report, plot).
* :mod:`~flywheel.calibration.backtest`: :func:`backtest` (fit up to a cutoff,
  the error of each later observation) and :class:`BacktestResult`.
"""

from flywheel.calibration.backtest import BacktestResult, backtest
from flywheel.calibration.data import (
    CalibrationData,
    DataFileError,
    SeriesMapping,
    load_mapping,
    load_observations,
    load_rates,
    observations_for,
)
from flywheel.calibration.fit import calibrate, compare
from flywheel.calibration.result import CalibrationResult, Comparison

__all__ = [
    "BacktestResult",
    "CalibrationData",
    "CalibrationResult",
    "Comparison",
    "DataFileError",
    "SeriesMapping",
    "backtest",
    "calibrate",
    "compare",
    "load_mapping",
    "load_observations",
    "load_rates",
    "observations_for",
]
