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
    ParameterValueError,
    UnsupportedConstructError,
)

from conftest import TEST_MODELS

#: Same equations, another order of operations: rounding only.
RTOL = 1e-9


def compiles(model) -> bool:
    """Whether the compiled engine runs `model` (the subscripts work may make it so)."""
    try:
        model.compiled  # noqa: B018 -- compiling is the test
    except UnsupportedConstructError:
        return False
    return True


def auto_warning(model):
    """pytest.warns for the one EngineFallbackWarning of a model that does not compile."""
    if compiles(model):
        return contextlib.nullcontext()
    return pytest.warns(EngineFallbackWarning, match=model.name)


def fallbacks(caught) -> int:
    """How many of the `caught` warnings are EngineFallbackWarnings (PySD's run adds others)."""
    return sum(issubclass(w.category, EngineFallbackWarning) for w in caught)


def refuse_to_compile(monkeypatch) -> None:
    """Make every compilation fail as an unsupported construct does."""
    def unsupported(abstract_model):
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


@pytest.fixture(scope="module")
def two_d():
    return flywheel.load(TEST_MODELS / "auto_2d.mdl")


def euler_total(rate: np.ndarray, times: np.ndarray, dt: float = 0.25) -> np.ndarray:
    """auto_2d.mdl's Total under Euler: 10 (1 + rate dt)^(t/dt), shape (time, scenario)."""
    return 10.0 * (1.0 + np.outer(np.ones_like(times), rate) * dt) ** (times[:, None] / dt)


def test_sweep_of_a_2d_subscripted_model_goes_through_auto(two_d):
    rates = np.array([0.05, 0.1, 0.2])
    with auto_warning(two_d) as caught:
        result = flywheel.sweep(two_d, {"Growth Rate": rates}, outcomes=["Total"],
                                progress=False)
    assert caught is None or fallbacks(caught) == 1  # once per sweep, not per chunk or run
    assert result.attrs["simulation_engine"] == ("compiled" if compiles(two_d) else "pysd")
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
    assert result.success
    # Exact data from the closed form: the fit's tolerance (1e-5 relative).
    assert result.values["Growth Rate"] == pytest.approx(0.3, rel=1e-5)
