"""The compiler reproduces PySD: same columns, same values to 1e-9 under Euler.

PySD is the reference: each model is translated by PySD in a temporary folder
(so no generated .py lands in the repository) and run with its own Euler
loop; the compiled engine runs with method="euler" at the model's TIME STEP.
The tolerance is a relative difference of 1e-9 on every variable at every
saved time: both engines evaluate the same floating-point operations, so
only reassociation of a few sums may differ.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pysd.translators.vensim.vensim_file import VensimFile

import flywheel
from flywheel.compiler import compile_model
from flywheel.errors import ModelFileError, UnsupportedConstructError

from conftest import REPO_MODELS, TEST_MODELS

#: Test models the compiled engine must refuse, with the construct it names.
UNSUPPORTED = {"unsupported.mdl": "GET TIME VALUE"}
#: Test models that are not meant for the PySD comparison: blowup blows up, fn_random
#: draws random numbers (compared by distribution in tests/test_conformance_functions.py).
NOT_COMPARED = {"blowup.mdl", "fn_random.mdl"}
RTOL = 1e-9

EQUIVALENT = sorted(
    p for p in TEST_MODELS.glob("*.mdl") if p.name not in UNSUPPORTED.keys() | NOT_COMPARED
) + sorted(REPO_MODELS.glob("*.mdl")) + sorted(REPO_MODELS.glob("archive/*.mdl"))


def compiled(path: Path):
    vf = VensimFile(path)
    vf.parse()
    return compile_model(vf.get_abstract_model())


def both(path: Path, params=None, **options):
    """PySD's run and the compiled Euler run of `path`, through flywheel.simulate."""
    model = flywheel.load(path)
    reference = flywheel.simulate(model, params=params, engine="pysd", **options)
    result = flywheel.simulate(model, params=params, engine="compiled", method="euler", **options)
    return reference, result


def assert_matches(reference, result) -> None:
    assert list(result.data_vars) == list(reference.data_vars)
    np.testing.assert_allclose(result["time"], reference["time"], rtol=0, atol=1e-12)
    for name in reference.data_vars:
        np.testing.assert_allclose(result[name], reference[name], rtol=RTOL, atol=0, err_msg=name)


@pytest.mark.parametrize("path", EQUIVALENT, ids=lambda p: p.parent.name + "/" + p.stem)
def test_euler_reproduces_pysd(path):
    assert_matches(*both(path))


@pytest.mark.parametrize(
    ("model", "params"),
    [
        ("delays.mdl", {"Delay Time": [4.0, 6.0, 9.0], "Adjustment Time": [2.0, 4.0, 3.0]}),
        ("functions.mdl", {"Scale": [1.0, 3.0], "Threshold": [20.0, 80.0]}),
        ("lotka_volterra.mdl", {"Alpha": [0.9, 1.2], "Gamma": 0.5}),
    ],
    ids=["delays", "functions-propagating-constants", "lotka-volterra-mixed-scalar"],
)
def test_scenarios_reproduce_pysd_runs(model, params):
    """Each of N scenarios in one call equals PySD's run with that scenario's params
    (the reference engine runs the scenarios one by one, each from a fresh load)."""
    reference, result = both(TEST_MODELS / model, params)
    assert result.sizes["scenario"] == max(np.size(v) for v in params.values())
    assert_matches(reference, result)


def test_odd_saveper_and_dt_follow_pysd():
    """A save period that is not a multiple of dt saves only the times on the grid."""
    assert_matches(*both(TEST_MODELS / "delays.mdl", dt=0.125, saveper=0.75, final_time=20.3))


def run(model, params=None, **options):
    if not isinstance(model, flywheel.Model):
        model = flywheel.load(model)
    return flywheel.simulate(model, params=params, engine="compiled", **options)


def test_overriding_a_constant_propagates_to_initials():
    result = run(TEST_MODELS / "functions.mdl", {"scale": [1.0, 4.0]}, method="euler")
    np.testing.assert_allclose(result["Initial Growth"][0], [10.0, 40.0])
    np.testing.assert_allclose(result["Growth"][0], [10.0, 40.0])
    np.testing.assert_allclose(result["Start Value"][0], [11.25, 41.25])


def test_hidden_stock_names_are_readable():
    names = compiled(TEST_MODELS / "delays.mdl").stock_names
    for expected in ["SMOOTH(Smoothed)", "SMOOTHI(Smoothed I)", "SMOOTH3(Smoothed 3) stage 3",
                     "SMOOTH3I(Smoothed 3I) stage 1", "SMOOTH N(Smoothed N) stage 4",
                     "DELAY1(Delayed 1)", "DELAY1I(Delayed 1I)", "DELAY3(Delayed 3) stage 2",
                     "DELAY3I(Delayed 3I) stage 3", "DELAY N(Delayed N) stage 5",
                     "TREND(Demand Trend)", "FORECAST(Demand Forecast)", "Backlog",
                     "SMOOTH(Shipments)"]:
        assert expected in names
    assert len(names) == len(set(names))


def test_source_is_readable_python_and_cached():
    path = TEST_MODELS / "teacup.mdl"
    first, second = compiled(path), compiled(path)
    assert first is second
    assert "def rhs(_t, _y):" in first.source
    assert "heat_loss_to_room = (teacup_temperature - room_temperature) / characteristic_time" \
        in first.source
    compile(first.source, "teacup", "exec")
    assert first.constants == {"Characteristic Time": 10.0, "Room Temperature": 70.0}
    assert first.control == {"initial_time": 0.0, "final_time": 30.0, "time_step": 0.125,
                             "saveper": 0.125}


def test_return_columns_limit_what_is_computed():
    cm = compiled(TEST_MODELS / "delays.mdl")
    result = run(TEST_MODELS / "delays.mdl", method="euler",
                 return_columns=["demand trend", "Backlog"])
    assert list(result.data_vars) == ["Demand Trend", "Backlog"]
    subset = cm.bind({}, cm.controls(), ["Demand Trend"])
    assert len(subset.outputs(0.0, subset.y0)) == 1


@pytest.mark.parametrize(("model", "construct"), sorted(UNSUPPORTED.items()),
                         ids=lambda v: str(v).removesuffix(".mdl"))
def test_unsupported_construct_names_element_and_construct(model, construct):
    with pytest.raises(UnsupportedConstructError, match=construct) as info:
        compiled(TEST_MODELS / model)
    assert "element '" in str(info.value)


def test_algebraic_loop_is_reported(tmp_path):
    text = (TEST_MODELS / "teacup.mdl").read_text().replace(
        "Room Temperature=\n\t70", "Room Temperature=\n\tHeat Loss to Room + 70")
    (tmp_path / "loop.mdl").write_text(text)
    with pytest.raises(ModelFileError, match="Heat Loss to Room"):
        compiled(tmp_path / "loop.mdl")
