"""engine="auto" and the constructs of issue 12 part 2 owned here: data, macros, control.

Each construct has a small model of its own in ``tests/models/`` run by the
compiled engine against PySD's run of the same file (1e-9 relative under
Euler: the same arithmetic in another order) and, where one exists, a closed
form.
"""

from __future__ import annotations

import contextlib
import warnings

import numpy as np
import pandas as pd
import pytest

import flywheel
import flywheel.compiler
from flywheel.calibration import SeriesMapping, calibrate
from flywheel.errors import (
    EngineFallbackWarning,
    ModelFileError,
    ParameterValueError,
    UnsupportedConstructError,
)

from conftest import TEST_MODELS

#: Same equations, another order of operations: rounding only.
RTOL = 1e-9


def fallbacks(caught) -> int:
    """How many of the `caught` warnings are EngineFallbackWarnings (PySD's run adds others)."""
    return sum(issubclass(w.category, EngineFallbackWarning) for w in caught)


def refuse_to_compile(monkeypatch) -> None:
    """Make every compilation fail as an unsupported construct does."""
    def unsupported(*args, **kwargs):
        raise UnsupportedConstructError("element 'Flow' uses FAKE, which the compiled engine "
                                        "does not support; run this model with engine='pysd'")

    monkeypatch.setattr(flywheel.compiler, "compile_model", unsupported)


# ----------------------------------------------------------------- engine="auto"


def test_auto_is_the_default_and_compiles_what_compiles():
    teacup = flywheel.load(TEST_MODELS / "teacup.mdl")
    with warnings.catch_warnings():
        warnings.simplefilter("error", EngineFallbackWarning)
        run = flywheel.simulate(teacup, method="euler")
    assert run.attrs["engine"] == "compiled"
    assert run.attrs["engine_note"] == "auto: compiled (the model compiles)"
    reference = flywheel.simulate(teacup, engine="pysd")
    assert "engine_note" not in reference.attrs
    np.testing.assert_allclose(run["Teacup Temperature"], reference["Teacup Temperature"],
                               rtol=RTOL)


def test_auto_falls_back_to_pysd_with_one_warning_and_the_reason(monkeypatch):
    refuse_to_compile(monkeypatch)
    teacup = flywheel.load(TEST_MODELS / "teacup.mdl")
    with pytest.warns(EngineFallbackWarning, match="FAKE") as caught:
        run = flywheel.simulate(teacup)
    assert fallbacks(caught) == 1
    assert run.attrs["engine"] == "pysd" and run.attrs["method"] == "euler"
    assert run.attrs["engine_note"].startswith("auto: pysd (element 'Flow' uses FAKE")
    reference = flywheel.simulate(teacup, engine="pysd")
    np.testing.assert_array_equal(run["Teacup Temperature"], reference["Teacup Temperature"])


def test_compiled_still_raises_and_auto_refuses_methods_pysd_lacks(monkeypatch):
    refuse_to_compile(monkeypatch)
    teacup = flywheel.load(TEST_MODELS / "teacup.mdl")
    with pytest.raises(UnsupportedConstructError, match="FAKE"):
        flywheel.simulate(teacup, engine="compiled")
    with pytest.warns(EngineFallbackWarning), \
            pytest.raises(ParameterValueError, match="'teacup' runs on PySD's engine.*FAKE"):
        flywheel.simulate(teacup, method="RK45")
    with pytest.raises(ParameterValueError, match="valid engines: auto, compiled, pysd"):
        flywheel.simulate(teacup, engine="numba")


@pytest.fixture(params=["compiles", "refused"])
def two_d(request, monkeypatch):
    """auto_2d.mdl as it is, and as a model the compiled engine refuses (PySD runs it)."""
    if request.param == "refused":
        refuse_to_compile(monkeypatch)
    return flywheel.load(TEST_MODELS / "auto_2d.mdl")


def auto_warning(model):
    """pytest.warns for the one EngineFallbackWarning of a model that does not compile."""
    try:
        model.compiled  # noqa: B018 -- compiling is the test
    except UnsupportedConstructError:
        return pytest.warns(EngineFallbackWarning, match=model.name)
    return contextlib.nullcontext()


def euler_total(rate: np.ndarray, times: np.ndarray, dt: float = 0.25) -> np.ndarray:
    """auto_2d.mdl's Total under Euler: 10 (1 + rate dt)^(t/dt), shape (time, scenario)."""
    return 10.0 * (1.0 + np.outer(np.ones_like(times), rate) * dt) ** (times[:, None] / dt)


def test_sweep_of_a_2d_subscripted_model_goes_through_auto(two_d):
    rates = np.array([0.05, 0.1, 0.2])
    with auto_warning(two_d) as caught:
        result = flywheel.sweep(two_d, {"Growth Rate": rates}, outcomes=["Total"],
                                progress=False)
    assert caught is None or fallbacks(caught) == 1  # once per sweep, not per chunk or run
    assert result.attrs["simulation_engine"] == ("compiled" if caught is None else "pysd")
    assert result.attrs["engine_note"].startswith(f"auto: {result.attrs['simulation_engine']}")
    times = result["time"].to_numpy()
    # Closed form of Euler's recursion; 1e-12 relative: powers of (1 + rate dt) rounded.
    np.testing.assert_allclose(result["Total"], euler_total(rates, times), rtol=1e-12)
    reference = flywheel.simulate(two_d, engine="pysd", params={"Growth Rate": rates})
    np.testing.assert_allclose(result["Total"], reference["Total"], rtol=RTOL)


def test_calibration_of_a_2d_subscripted_model_goes_through_auto(two_d):
    times = np.arange(1.0, 11.0)
    observed = euler_total(np.array([0.3]), times)[:, 0]
    data = pd.DataFrame({"series": "total", "time": times, "value": observed, "unit": "Units"})
    mapping = {"total": SeriesMapping("total", "Total", "level", 1.0, "the sum", "test")}
    with auto_warning(two_d) as caught:
        result = calibrate(two_d, data, ["Growth Rate"], mapping=mapping)
    assert caught is None or fallbacks(caught) == 1  # once per fit, not per run
    assert result.comparison.run.attrs["engine"] == ("compiled" if caught is None else "pysd")
    assert result.success
    # Exact data from the closed form: the fit's tolerance (1e-5 relative).
    assert result.values["Growth Rate"] == pytest.approx(0.3, rel=1e-5)


def _compiled_as_pysd(model, **options):
    """The compiled Euler run of `model` (no fallback warning), checked against PySD's run:
    the same variables, each to RTOL."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", EngineFallbackWarning)
        run = flywheel.simulate(model, method="euler", **options)
    assert run.attrs["engine"] == "compiled"
    reference = flywheel.simulate(model, engine="pysd")
    assert set(run.data_vars) == set(reference.data_vars)  # a macro's inside is not an output
    for name in reference.data_vars:
        np.testing.assert_allclose(run[name], reference[name], rtol=RTOL, err_msg=name)
    return run


# ------------------------------------------------------------ external data


@pytest.fixture(scope="module")
def data_model():
    return flywheel.load(TEST_MODELS / "data_get.mdl")


@pytest.mark.parametrize("jit", [False, None])
def test_data_constants_and_lookups_from_files_match_pysd(data_model, jit):
    _compiled_as_pysd(data_model, jit=jit)


def test_data_is_interpolated_held_and_looked_forward_as_the_file_says(data_model):
    run = flywheel.simulate(data_model, method="euler")
    at = run.sel(time=[0.0, 1.0, 2.0, 3.0, 5.0, 6.0, 11.0])
    # data_series.csv: times 0, 2, 5, 10; Demand 10, 14, 20, 30; Price 1, 2, 4, 3.
    # Exact: the file's values, linear interpolation between them, the ends held.
    np.testing.assert_allclose(at["Demand Data"], [10, 12, 14, 16, 20, 22, 30], rtol=1e-15)
    np.testing.assert_array_equal(at["Price Held"], [1, 1, 2, 2, 4, 4, 3])
    np.testing.assert_array_equal(at["Price Ahead"], [1, 2, 2, 4, 4, 3, 3])
    # data_sheet.xlsx: times 0, 4, 8; Capacity 100, 140, 120; Share 0.25.
    np.testing.assert_allclose(at["Capacity Data"], [100, 110, 120, 130, 135, 130, 120],
                               rtol=1e-15)
    assert float(run["Share"][0]) == 0.25 and float(run["Rate"][0]) == 0.3
    np.testing.assert_array_equal(at["Doubled Time"], 2 * at["time"])
    # Price Table at 0.9 * Time: 4 + (3 - 4) * (9 - 5) / 5 at Time 10.
    assert float(run["Price Looked Up"].sel(time=10.0)) == pytest.approx(3.2, rel=1e-15)


def test_a_changed_data_file_is_read_again(tmp_path):
    for name in ("data_get.mdl", "data_series.csv", "data_constants.csv", "data_sheet.xlsx"):
        (tmp_path / name).write_bytes((TEST_MODELS / name).read_bytes())
    first = flywheel.simulate(tmp_path / "data_get.mdl", method="euler", final_time=1)
    (tmp_path / "data_constants.csv").write_text("name,value\nrate,0.7\n")
    second = flywheel.simulate(tmp_path / "data_get.mdl", method="euler", final_time=1)
    assert float(first["Rate"][0]) == 0.3 and float(second["Rate"][0]) == 0.7


def test_a_data_file_outside_the_model_folder_is_refused(tmp_path):
    (tmp_path / "inner").mkdir()
    for name in ("data_series.csv", "data_sheet.xlsx"):
        (tmp_path / "inner" / name).write_bytes((TEST_MODELS / name).read_bytes())
    (tmp_path / "data_constants.csv").write_text("name,value\nrate,0.7\n")
    text = (TEST_MODELS / "data_get.mdl").read_text().replace(
        "'data_constants.csv'", "'../data_constants.csv'")
    (tmp_path / "inner" / "outside.mdl").write_text(text)
    with pytest.raises(ModelFileError, match="outside the model's folder"):
        flywheel.simulate(tmp_path / "inner" / "outside.mdl", engine="compiled")


# ------------------------------------------------------------------- macros


@pytest.fixture(scope="module")
def macro_model():
    return flywheel.load(TEST_MODELS / "macro_smooth.mdl")


@pytest.mark.parametrize("jit", [False, None])
def test_macros_expanded_inline_match_pysd(macro_model, jit):
    _compiled_as_pysd(macro_model, jit=jit)


def test_each_macro_call_has_its_own_stock(macro_model):
    assert macro_model.compiled.stock_names == (
        "EXPO SMOOTH(Smoothed Demand)", "EXPO SMOOTH(Slow Smoothed Demand)",
        "EXPO SMOOTH(DOUBLE SMOOTH(Doubly Smoothed Demand))",
        "EXPO SMOOTH(DOUBLE SMOOTH(Doubly Smoothed Demand)) #2")
    run = flywheel.simulate(macro_model, method="euler", params={"Averaging Time": [1.5, 3.0]})
    after = run["time"].to_numpy() >= 2.0
    steps = (run["time"].to_numpy()[after] - 2.0) / 0.125
    for name, tau in (("Smoothed Demand", 1.0), ("Slow Smoothed Demand", 2.0)):
        # Euler's first-order smooth of a step from 10 to 20 at time 2 (STEP's t + dt/2 rule):
        # 20 - 10 (1 - dt / (tau x Averaging Time))^steps; 1e-12 relative: rounding.
        expected = 20.0 - 10.0 * (1.0 - 0.125 / (tau * np.array([1.5, 3.0]))) ** steps[:, None]
        np.testing.assert_allclose(run[name][after], expected, rtol=1e-12, err_msg=name)
    np.testing.assert_allclose(run["Scaled Demand"],
                               3 * run["Smoothed Demand"] + run["Demand"], rtol=1e-15)


# ------------------------------------------------------- control variables


@pytest.fixture(scope="module")
def control_model():
    return flywheel.load(TEST_MODELS / "control_expr.mdl")


@pytest.mark.parametrize("jit", [False, None])
def test_control_variables_given_by_expressions_match_pysd(control_model, jit):
    assert dict(control_model.control) == {"INITIAL TIME": 2000.0, "FINAL TIME": 2020.0,
                                           "TIME STEP": 0.25, "SAVEPER": 0.25}
    run = _compiled_as_pysd(control_model, jit=jit)
    times = run["time"].to_numpy()
    np.testing.assert_allclose(times, 2000.0 + 0.25 * np.arange(81), rtol=0, atol=1e-9)
    # Euler at dt = Horizon / 80 = 0.25; 1e-12 relative: rounding of the powers.
    np.testing.assert_allclose(run["Stock"], 1.0125 ** np.arange(81), rtol=1e-12)
    np.testing.assert_allclose(run["Time Left"], 2020.0 - times, rtol=0, atol=1e-9)


def test_a_constant_behind_a_control_variable_leaves_the_times_as_they_are(control_model):
    run = flywheel.simulate(control_model, method="euler", params={"Horizon": [10.0, 40.0]})
    reference = flywheel.simulate(control_model, engine="pysd", params={"Horizon": [10.0, 40.0]})
    assert run.attrs["final_time"] == reference.attrs["final_time"] == 2020.0
    for name in ("Stock", "Time Left", "FINAL TIME", "TIME STEP"):
        np.testing.assert_allclose(run[name], reference[name], rtol=RTOL, err_msg=name)


def test_discrete_and_extrapolated_graphical_functions_as_pysd_computes_them():
    model = flywheel.load(TEST_MODELS / "data_lookup_discrete.xmile")
    run = flywheel.simulate(model, method="euler")
    assert run.attrs["engine"] == "compiled"
    reference = flywheel.simulate(model, engine="pysd")
    for name in reference.data_vars:
        np.testing.assert_allclose(run[name], reference[name], rtol=RTOL, err_msg=name)
    # Points (0, 10), (2, 20), (4, 15), held: exact values between and at the points.
    price = run["Price"].sel(time=[0.0, 1.75, 2.0, 3.75, 4.0, 6.0])
    np.testing.assert_array_equal(price, [10, 10, 20, 20, 15, 15])
    # Euler: dt x (8 x 10 + 8 x 20 + 8 x 15) by time 6; exact in binary.
    assert float(run["Spent"].sel(time=6.0)) == 90.0
    # Points (1, 2), (3, 6), (5, 7), extrapolated along the end segments (slopes 2, 0.5).
    np.testing.assert_array_equal(run["Trend"].sel(time=[0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
                                  [0, 1, 2, 4, 6, 6.5, 7, 7.5])


def test_an_extrapolated_table_of_an_argument_with_state_is_refused(tmp_path):
    text = (TEST_MODELS / "data_lookup_discrete.xmile").read_text().replace(
        "<eqn>Trend_Table(TIME)</eqn>", "<eqn>Trend_Table(SMTH1(TIME, 1))</eqn>")
    (tmp_path / "stateful.xmile").write_text(text)
    with pytest.raises(UnsupportedConstructError, match="'Trend Table' uses a 'extrapolate'"):
        flywheel.simulate(tmp_path / "stateful.xmile", engine="compiled")


def test_subscripted_constants_read_from_a_file_match_pysd():
    model = flywheel.load(TEST_MODELS / "data_subscripted.mdl")
    run = flywheel.simulate(model, method="euler")
    assert run.attrs["engine"] == "compiled"
    reference = flywheel.simulate(model, engine="pysd")
    for name in reference.data_vars:
        np.testing.assert_allclose(run[name], reference[name], rtol=RTOL, err_msg=name)
    # data_table.csv: rows North 1, 2 and South 3, 4; the column read down: 1, 3.
    np.testing.assert_array_equal(run["Rate Table"].isel(time=0), [[1, 2], [3, 4]])
    np.testing.assert_array_equal(run["Weight"].isel(time=0), [1, 3])
    np.testing.assert_array_equal(run["Bonus"].isel(time=0), [4, 3])
    np.testing.assert_array_equal(run["Row Rates"].isel(time=0), [[3, 4], [1, 2]])
    # Constant flows: Total = (1 + 2) * 1 + (3 + 4) * 3 = 24 a year, exact under Euler.
    np.testing.assert_array_equal(run["Total"], 24.0 * run["time"])


def test_subscripted_data_read_from_a_file_match_pysd():
    model = flywheel.load(TEST_MODELS / "data_series_regions.mdl")
    run = flywheel.simulate(model, method="euler")
    assert run.attrs["engine"] == "compiled"
    reference = flywheel.simulate(model, engine="pysd")
    for name in reference.data_vars:
        np.testing.assert_allclose(run[name], reference[name], rtol=RTOL, err_msg=name)
    # data_regions.csv: North 10, 14, 20 and South 100, 80, 60 at times 0, 2, 4.
    at = run.sel(time=[1.0, 3.0, 5.0])
    np.testing.assert_allclose(at["Demand"], [[12, 90], [17, 70], [20, 60]], rtol=1e-15)
    np.testing.assert_array_equal(at["Held Demand"], [[10, 100], [14, 80], [20, 60]])
    np.testing.assert_allclose(at["Swapped"], [[90, 12], [70, 17], [60, 20]], rtol=1e-15)


def test_subscripted_lookups_read_from_a_file_match_pysd():
    model = flywheel.load(TEST_MODELS / "data_lookup_regions.mdl")
    run = flywheel.simulate(model, method="euler")
    assert run.attrs["engine"] == "compiled"
    reference = flywheel.simulate(model, engine="pysd")
    for name in reference.data_vars:
        np.testing.assert_allclose(run[name], reference[name], rtol=RTOL, err_msg=name)
    # data_regions.csv as one table per region: North 10, 14, 20 and South 100, 80, 60 at
    # 0, 2, 4; held past 4.
    at = run["Reading"].sel(time=[1.0, 3.0, 5.0])
    np.testing.assert_allclose(at, [[12, 90], [17, 70], [20, 60]], rtol=1e-15)


def test_macro_calls_over_a_subscript_range_keep_a_stock_per_element():
    model = flywheel.load(TEST_MODELS / "macro_subscripted.mdl")
    run = _compiled_as_pysd(model)
    assert model.compiled.stock_names[:2] == ("EXPO SMOOTH(Smoothed)[North]",
                                              "EXPO SMOOTH(Smoothed)[South]")
    # South's input is constant: its smooth stays at 5 (and 15 weighted), exactly.
    np.testing.assert_array_equal(run["Smoothed"].sel(Region="South"), 5.0)
    np.testing.assert_array_equal(run["Weighted Smooth"].sel(Region="South"), 15.0)
    after = run["time"].to_numpy() >= 2.0
    steps = (run["time"].to_numpy()[after] - 2.0) / 0.125
    # North: Euler's smooth of a step from 10 to 20 at time 2; 1e-12 relative: rounding.
    np.testing.assert_allclose(run["Smoothed"].sel(Region="North")[after],
                               20.0 - 10.0 * (1.0 - 0.125 / 1.5) ** steps, rtol=1e-12)


def test_a_macro_called_with_the_wrong_arguments_is_named(tmp_path):
    text = (TEST_MODELS / "macro_smooth.mdl").read_text().replace(
        "EXPO SMOOTH(Demand, Averaging Time)", "EXPO SMOOTH(Demand)")
    (tmp_path / "wrong_call.mdl").write_text(text)
    with pytest.raises(ModelFileError, match="element 'Smoothed Demand' calls macro "
                                             "'EXPO SMOOTH' with 1 arguments; it takes 2"):
        flywheel.simulate(tmp_path / "wrong_call.mdl", engine="compiled")


def test_a_subscript_range_read_from_a_file_and_its_copy_compile():
    model = flywheel.load(TEST_MODELS / "data_subscript_range.mdl")
    run = flywheel.simulate(model, method="euler")
    assert run.attrs["engine"] == "compiled"
    assert run["Stock"].coords["Region"].values.tolist() == ["north", "south", "east"]
    reference = flywheel.simulate(model, engine="pysd")
    for name in reference.data_vars:
        np.testing.assert_allclose(run[name], reference[name], rtol=RTOL, err_msg=name)
    np.testing.assert_array_equal(run["Total"], 6.0 * run["time"])  # constant flows: exact
    np.testing.assert_array_equal(run["Weighted Total"], 8.5 * run["time"])  # Zone <-> Region


@pytest.mark.parametrize("jit", [False, None])
def test_xmile_pulse_and_open_ramp_as_pysd_computes_them(jit):
    model = flywheel.load(TEST_MODELS / "auto_xmile_forms.xmile")
    run = flywheel.simulate(model, method="euler", jit=jit)
    assert run.attrs["engine"] == "compiled"
    reference = flywheel.simulate(model, engine="pysd")
    for name in reference.data_vars:
        np.testing.assert_allclose(run[name], reference[name], rtol=RTOL, err_msg=name)
    times = run["time"].to_numpy()
    # Exact: magnitude / DT during one step; the open ramp 2 (t - 1) after time 1.
    np.testing.assert_array_equal(run["Single Pulse"], np.where(times == 1.0, 32.0, 0.0))
    np.testing.assert_array_equal(run["Pulse Train"], np.where(np.isin(times, [1, 3, 5]), 16, 0))
    np.testing.assert_array_equal(run["Open Ramp"], np.where(times > 1, 2 * (times - 1), 0))
    assert float(run["Received"].sel(time=6.0)) == 20.0
