"""The public output vocabulary of the flywheel models, and tables of results.

The names are the models' public vocabulary (``MODEL.md``): notebooks, tests
and the command line refer to them. A user's own model that has none of them
gets its stocks instead.
"""

from __future__ import annotations

import pandas as pd
import xarray as xr

__all__ = ["KEY_OUTPUTS", "key_outputs", "to_frame"]

#: The flywheel's key outputs, in the order the baseline figure shows them.
KEY_OUTPUTS = (
    "Unit Inference Cost",
    "Inference Price",
    "Tokens Served",
    "Adopters",
    "Installed Compute",
    "Compute Under Construction",
    "Utilization",
    "Capex",
    "AI Revenue",
    "Total Compute Spend",
    "Inference Compute Spend",
    "Training Compute Spend",
    "Inference Share of Compute Spend",
    "Hardware Cost per Compute",
    "Model Capability",
)


def key_outputs(model) -> list[str]:
    """The names of :data:`KEY_OUTPUTS` that `model` has, else its stocks.

    Examples
    --------
    >>> import flywheel
    >>> key_outputs(flywheel.load("flywheel_minimal"))[:2]
    ['Unit Inference Cost', 'Inference Price']
    """
    present = [name for name in KEY_OUTPUTS if name in model.elements]
    return present or list(model.stocks)


def to_frame(run: xr.Dataset, variables: list[str]) -> pd.DataFrame:
    """`variables` of `run` as a table: one row per time (and scenario).

    The column names carry the units, e.g. ``"Capex [billion USD/Year]"``.
    """
    frame = run[variables].to_dataframe()[variables]
    return frame.rename(
        columns={v: f"{v} [{run[v].attrs['units']}]" if run[v].attrs.get("units") else v
                 for v in variables}
    )
