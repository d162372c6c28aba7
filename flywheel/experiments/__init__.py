"""Experiments: sweeps of feedback strengths, sampling, sensitivity, the Jevons threshold.

One plain problem dict (SALib's format) passes from sampling to running to
analysing::

    problem = flywheel.define_problem(model, ["Price Elasticity of Demand", "Learning Rate"])
    samples = flywheel.sample(problem, 1024, method="sobol", seed=1)
    result = flywheel.sweep(model, samples, outcomes=["Total Compute Spend@2035/2025"])
    indices = flywheel.sensitivity(result, "Total Compute Spend@2035/2025")
    indices.to_df(); indices.plot()

Modules: :mod:`~flywheel.experiments.problem` (the problem dict),
:mod:`~flywheel.experiments.sampling`, :mod:`~flywheel.experiments.outcomes`
(the outcome specs), :mod:`~flywheel.experiments.sweep`,
:mod:`~flywheel.experiments.executors` (local processes and Dask),
:mod:`~flywheel.experiments.sensitivity` and :mod:`~flywheel.experiments.jevons`.
"""

from flywheel.experiments.executors import ClusterConnectionError
from flywheel.experiments.jevons import jevons_threshold
from flywheel.experiments.outcomes import Outcome, parse_outcome
from flywheel.experiments.problem import OutOfRangeWarning, check_problem, define_problem
from flywheel.experiments.sampling import SAMPLERS, Samples, sample
from flywheel.experiments.sensitivity import Indices, sensitivity
from flywheel.experiments.sweep import sweep

__all__ = [
    "SAMPLERS",
    "Indices",
    "ClusterConnectionError",
    "OutOfRangeWarning",
    "Outcome",
    "Samples",
    "check_problem",
    "define_problem",
    "jevons_threshold",
    "parse_outcome",
    "sample",
    "sensitivity",
    "sweep",
]
