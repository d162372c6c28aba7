"""Subscripts in the compiled engine (issue 12 part 1) against PySD's run of the same files.

Every ``tests/models/sub_*.mdl`` runs under the compiled engine (Euler) and
under PySD; every variable, element by element, agrees to 1e-9 relative (the
same arithmetic, in another order: rounding only).
"""

from __future__ import annotations

import io
import tokenize

import numpy as np
import pytest

import flywheel
from flywheel.errors import ParameterValueError

from conftest import TEST_MODELS

#: Same equations, another order of operations: rounding only.
RTOL = 1e-9
MODELS = sorted(TEST_MODELS.glob("sub_*.mdl"))


@pytest.fixture(scope="module")
def runs():
    """(compiled Euler run, PySD's run) of each subscripted test model, made once."""
    cache = {}

    def run(path, **options):
        key = (path, tuple(sorted(options.items())))
        if key not in cache:
            model = flywheel.load(path)
            cache[key] = (flywheel.simulate(model, engine="compiled", method="euler", **options),
                          flywheel.simulate(model, engine="pysd", **options))
        return cache[key]
    return run


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_euler_reproduces_pysd(path, runs):
    result, reference = runs(path)
    assert list(result.data_vars) == list(reference.data_vars)
    for name in reference.data_vars:
        assert result[name].dims == reference[name].dims, name
        np.testing.assert_allclose(result[name], reference[name], rtol=RTOL, atol=0, err_msg=name)


def test_dataset_has_one_dimension_per_range(runs):
    result, _ = runs(TEST_MODELS / "sub_1d.mdl")
    assert result["Population"].dims == ("time", "Region")
    assert result["Region"].values.tolist() == ["North", "South", "East"]
    north = result["Population"].sel(Region="North")
    np.testing.assert_array_equal(north, result["North Population"])
    # SUM over the range is the sum of the elements (1e-12: three additions rounded)
    np.testing.assert_allclose(result["Population"].sum("Region"), result["Total Population"],
                               rtol=1e-12)


def test_the_kernel_declines_subscripted_models_and_the_numpy_path_runs_them():
    model = flywheel.load(TEST_MODELS / "sub_1d.mdl")
    with pytest.raises(ParameterValueError, match="does not run subscripted models"):
        flywheel.simulate(model, method="euler", jit=True)
    run = flywheel.simulate(model, method="euler")  # jit=None: the numpy path
    assert "stats: jit" not in run.attrs
    assert model.compiled.kernel_refusal is not None


def test_subscript_names_reach_the_generated_source_only_as_repr_literals():
    model = flywheel.load(TEST_MODELS / "sub_1d.mdl")
    tokens = tokenize.generate_tokens(io.StringIO(model.compiled.source).readline)
    code = " ".join(t.string for t in tokens if t.type not in (tokenize.STRING, tokenize.COMMENT))
    for name in ("Region", "North", "South", "East"):
        assert name not in code
