"""The compiler reproduces PySD: same columns, same values to 1e-9 under Euler.

PySD is the reference: each model is translated by PySD in a temporary folder
(so no generated .py lands in the repository) and run with its own Euler
loop; the compiled engine runs with method="euler" at the model's TIME STEP.
The tolerance is a relative difference of 1e-9 on every variable at every
saved time: both engines evaluate the same floating-point operations, so
only reassociation of a few sums may differ.
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import numpy as np
import pysd
import pytest
from pysd.translators.vensim.vensim_file import VensimFile

from flywheel.compiler import compile_model
from flywheel.engine import run_compiled
from flywheel.errors import ModelFileError, UnsupportedConstructError

TEST_MODELS = Path(__file__).parent / "models"
REPO_MODELS = Path(__file__).parent.parent / "models"
#: Test models the compiled engine must refuse, with the construct it names.
UNSUPPORTED = {"subscripted.mdl": "subscripts", "unsupported.mdl": "DELAY FIXED"}
#: Test models that are not meant for the PySD comparison (they blow up).
NOT_COMPARED = {"blowup.mdl"}
RTOL = 1e-9

EQUIVALENT = sorted(
    p for p in TEST_MODELS.glob("*.mdl") if p.name not in UNSUPPORTED.keys() | NOT_COMPARED
) + sorted(REPO_MODELS.glob("*.mdl"))


def compiled(path: Path):
    vf = VensimFile(path)
    vf.parse()
    return compile_model(vf.get_abstract_model())


def pysd_run(path: Path, tmp_path: Path, **kwargs):
    """PySD's run of `path`, translated in `tmp_path`; its warnings are not ours."""
    copy = tmp_path / path.name
    shutil.copy(path, copy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pysd.read_vensim(str(copy)).run(**kwargs)


def assert_matches(frame, result, scenario: int = 0) -> None:
    assert list(frame.columns) == list(result.values)
    np.testing.assert_allclose(result.times, frame.index.values, rtol=0, atol=1e-12)
    for column in frame.columns:
        np.testing.assert_allclose(
            result.values[column][:, scenario], frame[column].to_numpy(float),
            rtol=RTOL, atol=0, err_msg=column)


@pytest.mark.parametrize("path", EQUIVALENT, ids=lambda p: p.parent.name + "/" + p.stem)
def test_euler_reproduces_pysd(path, tmp_path):
    assert_matches(pysd_run(path, tmp_path), run_compiled(compiled(path), method="euler"))


@pytest.mark.parametrize(
    ("model", "params"),
    [
        ("delays.mdl", {"Delay Time": [4.0, 6.0, 9.0], "Adjustment Time": [2.0, 4.0, 3.0]}),
        ("functions.mdl", {"Scale": [1.0, 3.0], "Threshold": [20.0, 80.0]}),
        ("lotka_volterra.mdl", {"Alpha": [0.9, 1.2], "Gamma": 0.5}),
    ],
    ids=["delays", "functions-propagating-constants", "lotka-volterra-mixed-scalar"],
)
def test_scenarios_reproduce_pysd_runs(model, params, tmp_path):
    """Each of N scenarios in one call equals PySD's run with that scenario's params."""
    result = run_compiled(compiled(TEST_MODELS / model), params, method="euler")
    n = max(np.size(v) for v in params.values())
    assert result.n_scenarios == n
    for k in range(n):
        scenario = {name: np.atleast_1d(v)[k % np.size(v)] for name, v in params.items()}
        assert_matches(pysd_run(TEST_MODELS / model, tmp_path, params=scenario), result, k)


def test_odd_saveper_and_dt_follow_pysd(tmp_path):
    """A save period that is not a multiple of dt saves only the times on the grid."""
    path = TEST_MODELS / "delays.mdl"
    frame = pysd_run(path, tmp_path, time_step=0.125, saveper=0.75, final_time=20.3)
    result = run_compiled(compiled(path), method="euler", dt=0.125, saveper=0.75,
                          final_time=20.3)
    assert_matches(frame, result)


def test_overriding_a_constant_propagates_to_initials():
    cm = compiled(TEST_MODELS / "functions.mdl")
    result = run_compiled(cm, {"scale": [1.0, 4.0]}, method="euler")
    np.testing.assert_allclose(result.values["Initial Growth"][0], [10.0, 40.0])
    np.testing.assert_allclose(result.values["Growth"][0], [10.0, 40.0])
    np.testing.assert_allclose(result.values["Start Value"][0], [11.25, 41.25])


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
    result = run_compiled(cm, method="euler", return_columns=["demand trend", "Backlog"])
    assert list(result.values) == ["Demand Trend", "Backlog"]
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
