"""simulate's Dataset, built by flywheel.datasets.fast_dataset, is xarray's own construction
(correctness only: speed is benchmarks/bench_speed.py's)."""

from __future__ import annotations

import pytest
import xarray as xr

import flywheel


@pytest.mark.parametrize(("model", "params"), [
    ("flywheel", None),
    ("flywheel", {"Learning Rate": [0.1, 0.2, 0.3]}),
    ("tests/models/teacup.mdl", {"Room Temperature": [60.0, 70.0]}),
    ("tests/models/subscripted.mdl", None),
])
def test_the_dataset_is_xarrays(model, params):
    try:
        run = flywheel.simulate(model, params=params)
    except flywheel.errors.UnsupportedConstructError:
        run = flywheel.simulate(model, params=params, engine="pysd")
    rebuilt = xr.Dataset({name: run[name].variable for name in run.data_vars},
                         coords={name: run[name].variable for name in run.coords},
                         attrs=run.attrs)
    xr.testing.assert_identical(run, rebuilt)
    assert list(run.indexes) == list(rebuilt.indexes)
    for name in run.indexes:
        assert run.indexes[name].equals(rebuilt.indexes[name])
        assert run.indexes[name].dtype == rebuilt.indexes[name].dtype
