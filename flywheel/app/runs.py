"""What a slider change computes: the run, the loop-dominance summary, and the data beside them.

The page, the offline export, ``flywheel.explore`` and notebook 06 all call
these functions, so the method that re-simulates is decided here and nowhere
else:

* :data:`METHOD`: Euler at the model's TIME STEP (the stepping Vensim and PySD
  use), as one numba loop where the model's kernel runs, else on the numpy path
  or PySD's (``engine="auto"``); :data:`FALLBACK` (scipy's RK45) when numba is
  not installed. The page names the method it used.
* the loop-dominance summary: :func:`flywheel.loop_dominance` at the model's
  own TIME STEP, reported at its SAVEPER, then :func:`flywheel.loop_families`
  (``benchmarks/bench_sliders.py`` times it).

Examples
--------
>>> import flywheel
>>> runs = Simulator(flywheel.load("flywheel_minimal"))
>>> run = runs.run(runs.defaults)
>>> run.attrs["method"] in ("euler", "RK45")
True
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

import numpy as np
import pandas as pd
import xarray as xr

from flywheel.model import Model
from flywheel.vocabulary import feedback_strengths, key_outputs

__all__ = ["FALLBACK", "METHOD", "SHOWN", "Simulator", "solver_options"]

#: The re-simulation method of the page: change it here and every view follows.
METHOD: dict[str, object] = {"method": "euler"}  # the kernel where it runs, else numpy or PySD
#: The method when numba is not installed (faster than numpy Euler at a fine TIME STEP).
FALLBACK: dict[str, object] = {"method": "RK45"}

#: The outputs the page plots, when the model has them (else its first key outputs).
SHOWN = ("Unit Inference Cost", "Tokens Served", "Adopters", "Capex", "Total Compute Spend",
         "Inference Share of Compute Spend", "Utilization", "Inference Price")


#: Members of the page's projection ensemble.
PROJECTION_MEMBERS = 100


def solver_options() -> dict[str, object]:
    """:data:`METHOD` when numba is installed, else :data:`FALLBACK`.

    Examples
    --------
    >>> solver_options() in (METHOD, FALLBACK)
    True
    """
    from flywheel.compiler.jit import available

    return dict(METHOD if available() else FALLBACK)


class Simulator:
    """One model's runs and loop-dominance summaries, as the page needs them.

    Parameters
    ----------
    model : Model
    strengths : list of str, optional
        The constants on the sliders (default: the model's feedback strengths).
    options : dict, optional
        Keyword arguments of :func:`flywheel.simulate` naming the method
        (default :func:`solver_options`).
    """

    def __init__(self, model: Model, strengths: list[str] | None = None,
                 options: Mapping[str, object] | None = None) -> None:
        self.model = model
        self.strengths = list(strengths or feedback_strengths(model))
        self.options = dict(options or solver_options())
        present = [name for name in SHOWN if name in model.elements]
        self.shown = present or key_outputs(model)[:8]

    @property
    def defaults(self) -> dict[str, float]:
        """The sliders' defaults: the model's values of the strengths."""
        return {name: float(self.model.constants[name]) for name in self.strengths}

    @property
    def method(self) -> str:
        """The method's name as the page shows it, e.g. ``"euler"``."""
        return str(self.options["method"])

    @cached_property
    def baseline(self) -> tuple[xr.Dataset, xr.Dataset]:
        """The run and the loop families with the defaults, computed once for every session."""
        return self.run(self.defaults), self.families(self.defaults)

    @cached_property
    def loops(self):
        """The model's feedback loops, found once: sliders change numbers, not structure."""
        import flywheel

        return flywheel.feedback_loops(self.model)

    def run(self, values: Mapping[str, float], **kwargs) -> xr.Dataset:
        """:func:`flywheel.simulate` of the shown outputs with `values`, by :attr:`options`."""
        import flywheel

        return flywheel.simulate(self.model, params=dict(values), return_columns=self.shown,
                                 **self.options, **kwargs)

    def families(self, values: Mapping[str, float]) -> xr.Dataset:
        """Relative scores of the loop families with `values`, at the model's SAVEPER."""
        import flywheel

        dominance = flywheel.loop_dominance(self.model, params=dict(values), loops=self.loops)
        return flywheel.loop_families(dominance, self.model)

    @cached_property
    def observations(self) -> pd.DataFrame:
        """The observed levels of the shown outputs, in model units (time, variable, observed)."""
        from flywheel.calibration.data import observations_for
        from flywheel.errors import DataFileError

        try:
            points = observations_for(self.model).points
        except DataFileError:
            return pd.DataFrame(columns=["variable", "time", "observed", "series"])
        keep = points["variable"].isin(self.shown) & (points["transform"] == "level")
        return points.loc[keep, ["variable", "time", "observed", "series"]].reset_index(drop=True)

    @cached_property
    def history_end(self) -> float | None:
        """Where history ends: the uncertainty sidecar's ``[history] end``, else the last
        observation fitted to the model, else None (:func:`flywheel.experiments.projection.history_end`)."""
        from flywheel.errors import DataFileError
        from flywheel.experiments.projection import history_end

        try:
            return history_end(self.model)
        except DataFileError:
            return None

    @property
    def has_projection(self) -> bool:
        """Whether the model has an uncertainty sidecar, so :meth:`projection` can run."""
        from flywheel.experiments.uncertainty import uncertainty_path

        return uncertainty_path(self.model).exists()

    def projection(self, values: Mapping[str, float], n: int = PROJECTION_MEMBERS,
                   seed: int = 0) -> xr.Dataset:
        """:func:`flywheel.project` of the shown outputs around `values` (5%, 50%, 95%)."""
        import flywheel

        return flywheel.project(self.model, n=n, seed=seed, params=dict(values),
                                outputs=self.shown)

    def dominant(self, families: xr.Dataset, time: float) -> str:
        """The family with the largest |relative score| at the saved time nearest `time`."""
        scores = families["relative_family_score"].sel(time=time, method="nearest").values
        scores = np.nan_to_num(np.abs(scores), nan=-1.0)
        return str(families["family"].values[int(np.argmax(scores))])
