"""Loading and parsing: Vensim's precedence, names and syntax errors.

See the section "Loading and parsing" of docs/reliability.md.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import flywheel
from flywheel.errors import ModelFileError

FAULTS = Path(__file__).parent / "models"

#: Vensim's rule: unary minus binds looser than ^ (-2^2 = -(2^2)). PySD's run
#: agrees on every one of these, checked in the test below.
VENSIM_VALUES = {
    "Minus Two Squared": -4.0,
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
                 "Minus Two Point Five Squared", "Two To The Minus One"):
        assert model.elements[name].value == VENSIM_VALUES[name]
        assert model.compiled.constants[name] == VENSIM_VALUES[name]


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
