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
:mod:`~flywheel.experiments.sensitivity`, :mod:`~flywheel.experiments.jevons`,
:mod:`~flywheel.experiments.uncertainty` (the ``<model>.uncertainty.toml`` sidecar),
:mod:`~flywheel.experiments.projection` (ensembles as quantile bands) and
:mod:`~flywheel.experiments.decomposition` (the Jevons decomposition).
"""

from flywheel._lazy import lazy_package

#: Public name -> the module that defines it, imported on first use (cheap start-up).
_PUBLIC = {
    "ClusterConnectionError": "flywheel.experiments.executors",
    "jevons_threshold": "flywheel.experiments.jevons",
    "jevons_decomposition": "flywheel.experiments.decomposition",
    "project": "flywheel.experiments.projection",
    "load_uncertainty": "flywheel.experiments.uncertainty",
    **dict.fromkeys(["Outcome", "parse_outcome"], "flywheel.experiments.outcomes"),
    **dict.fromkeys(["OutOfRangeWarning", "check_problem", "define_problem"],
                    "flywheel.experiments.problem"),
    **dict.fromkeys(["SAMPLERS", "Samples", "sample"], "flywheel.experiments.sampling"),
    **dict.fromkeys(["Indices", "sensitivity"], "flywheel.experiments.sensitivity"),
    "sweep": "flywheel.experiments.sweep",
}

__all__ = sorted(_PUBLIC)
lazy_package(__name__, _PUBLIC)
