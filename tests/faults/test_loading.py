"""Loading and parsing: Vensim's precedence, names and syntax errors.

See the section "Loading and parsing" of docs/reliability.md.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import flywheel
from flywheel.errors import ModelFileError, UnsupportedConstructError

FAULTS = Path(__file__).parent / "models"

#: Vensim's rule: unary minus binds looser than ^ (-2^2 = -(2^2)), parentheses
#: bind first ((-2)^2 = 4). PySD's run agrees on each (the test below), once
#: flywheel's parse keeps the parentheses of (-2)^2 that PySD's parser drops.
VENSIM_VALUES = {
    "Minus Two Squared": -4.0,
    "Minus Two In Parentheses Squared": 4.0,
    "Three Times Minus Two In Parentheses Cubed": -24.0,
    "Three Times Minus Two Squared": -12.0,
    "Minus Two Point Five Squared": -6.25,
    "Minus Two To The X": -4.0,
    "Two To The Minus One": 0.5,
    "Minus X Squared": -4.0,
}


@pytest.mark.parametrize("run", [{"method": "euler"}, {"method": "RK45"}, {"engine": "pysd"}])
def test_unary_minus_binds_looser_than_power(run):
    result = flywheel.simulate(FAULTS / "negative_power.mdl", **run)
    for name, value in VENSIM_VALUES.items():
        np.testing.assert_array_equal(result[name].to_numpy(), value, err_msg=name)
    # the stock integrates -2^Exponent = -4 per month
    np.testing.assert_allclose(result["Accumulated"].to_numpy(), [0.0, -4.0, -8.0], rtol=1e-12)


def test_reported_constant_values_follow_vensim_precedence():
    model = flywheel.load(FAULTS / "negative_power.mdl")
    for name in ("Minus Two Squared", "Three Times Minus Two Squared",
                 "Minus Two Point Five Squared", "Two To The Minus One",
                 "Minus Two In Parentheses Squared",
                 "Three Times Minus Two In Parentheses Cubed"):
        assert model.elements[name].value == VENSIM_VALUES[name]
        assert model.compiled.constants[name] == VENSIM_VALUES[name]
    assert model.elements["Minus Two In Parentheses Squared"].equation == "(-2)^2"


@pytest.mark.parametrize("engine", ["compiled", "pysd"])
def test_vensim_spellings_of_names(engine):
    """Growth__Rate (double underscore), FINAL_TIME and Time Step, as PySD reads them."""
    model = flywheel.load(FAULTS / "vensim_names.mdl")
    assert model.control == {"INITIAL TIME": 0.0, "FINAL TIME": 10.0, "TIME STEP": 1.0,
                             "SAVEPER": 1.0}
    assert model.element("FINAL_TIME").kind == "control"
    assert model.constants == {"Growth__Rate": 0.1}
    run = flywheel.simulate(model, engine=engine, method="euler")
    # Population' = 0.1 Population from 100, Euler with dt = 1: 100 * 1.1^t
    np.testing.assert_allclose(run["Population"], 100 * 1.1 ** np.arange(11), rtol=1e-12)
    assert {"FINAL TIME", "TIME STEP"} <= set(run.data_vars)
    run = flywheel.simulate(model, engine=engine, method="euler",
                            params={"Growth__Rate": 0.2}, final_time=2,
                            return_columns=["Population", "FINAL TIME"])
    np.testing.assert_allclose(run["Population"], [100, 120, 144], rtol=1e-12)
    assert float(run["FINAL TIME"][0]) == 2


def test_syntax_error_names_the_file_line_and_element():
    path = FAULTS / "syntax_error.mdl"
    with pytest.raises(ModelFileError) as caught:
        flywheel.load(path)
    message = str(caught.value)
    assert message.startswith(f"{path}, line 9, column 64: syntax error in element "
                              "'Heat Loss to Room': cannot read the equation from '+* 2'")
    assert "line 1," not in message


# ------------------------------------------------------ flywheel's errors, not raw ones


def test_division_by_zero_between_constants_is_inf_not_a_crash():
    model = flywheel.load(FAULTS / "zero_constants.mdl")
    assert model.compiled.constants["Inverse"] == np.inf
    # K = 2 avoids the division by zero: Stock' = 1/(2 - 1) = 1
    run = flywheel.simulate(model, params={"K": 2.0}, method="euler")
    np.testing.assert_array_equal(run["Stock"], [0.0, 1.0, 2.0])
    with pytest.raises(flywheel.errors.SimulationError, match="'Inverse' is inf at time 0"):
        flywheel.simulate(model, method="euler")


def test_binary_file_is_not_a_model(tmp_path):
    path = tmp_path / "garbage.mdl"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(ModelFileError, match="garbage.mdl: not a model file: it holds binary"):
        flywheel.load(path)


def test_pysd_failing_to_load_is_a_model_file_error(tmp_path):
    text = (FAULTS / "data_files" / "room_from_csv.mdl").read_text()
    (tmp_path / "room.csv").write_text("name,value\nroom,70\n")
    path = tmp_path / "bad_cell.mdl"
    path.write_text(text.replace("'B2'", "'Z9'"))  # an empty cell
    with pytest.raises(ModelFileError, match="bad_cell.mdl: PySD cannot load this model"):
        flywheel.simulate(path, engine="pysd")


def test_no_engine_is_suggested_that_fails_too(tmp_path):
    text = (FAULTS / "zero_constants.mdl").read_text()
    path = tmp_path / "npv.mdl"
    path.write_text(text.replace("1/(K-1)", "NPV(K, 0.1, 0, 1)"))
    with pytest.raises(UnsupportedConstructError) as caught:
        flywheel.simulate(path)
    assert "engine='pysd') does not implement it either" in str(caught.value)
    # PySD indeed fails on it: its translator warns (an error under pytest), its run fails
    with pytest.raises(flywheel.errors.FlywheelError, match="(?i)'npv'.*not implemented|"
                                                            "not implemented function 'npv'"):
        flywheel.simulate(path, engine="pysd")


# ------------------------------------------------------------------------ subscripts


def test_subscripted_model_loads_and_runs_under_pysd():
    model = flywheel.load(FAULTS / "subscripts.mdl")
    assert dict(model.subscripts) == {"Region": ("North", "South"),
                                      "Product": ("Chips", "Power", "Tokens")}
    assert model.dimensions("Spending") == ("Region", "Product")
    run = flywheel.simulate(model, engine="pysd", params={"Scale": [1.0, 2.0]})
    assert run["Spending"].dims == ("time", "Region", "Product", "scenario")
    assert run["Region"].values.tolist() == ["North", "South"]
    # Stock[r] = Demand[r] * Scale * t, Demand = 10, 20; Spending = Stock * Price
    t = run["time"].to_numpy()
    south = run["Stock"].sel(Region="South").to_numpy()
    np.testing.assert_allclose(south, 20 * np.outer(t, [1.0, 2.0]), rtol=1e-12)
    spending = run["Spending"].sel(Region="South", Product="Power").to_numpy()
    np.testing.assert_allclose(spending, 5 * south, rtol=1e-12)
    np.testing.assert_allclose(run["Total"], 30 * np.outer(t, [1.0, 2.0]), rtol=1e-12)


def test_subscripted_model_runs_compiled_as_pysd_runs_it():
    # The compiled engine runs subscripts now (issue 12); engine="auto" picks it.
    run = flywheel.simulate(FAULTS / "subscripts.mdl", method="euler")
    assert run.attrs["engine"] == "compiled"
    reference = flywheel.simulate(FAULTS / "subscripts.mdl", engine="pysd")
    for name in reference.data_vars:  # 1e-9 relative: the same arithmetic, reordered
        np.testing.assert_allclose(run[name], reference[name], rtol=1e-9, err_msg=name)


def test_describe_lists_subscript_ranges(capsys):
    from flywheel.cli import main

    assert main(["describe", str(FAULTS / "subscripts.mdl")]) == 0
    out = capsys.readouterr().out
    assert "Subscript ranges (2)" in out
    assert "Chips, Power, Tokens" in out and "Price, Spending" in out
