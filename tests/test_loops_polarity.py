"""Link polarity read from equations (flywheel.loops.polarity).

Each case of ``models/ltm_polarity.mdl`` reads the positive stock X in one
way and states the expected polarity of X -> case in its documentation; the
unit tests below check the sign algebra on hand-built expressions.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import flywheel
from flywheel.loops.polarity import (
    combine_polarities,
    constant_value,
    link_polarity,
    numeric_polarity,
    value_sign,
)

TEST_MODELS = Path(__file__).parent / "models"

POLARITY_MODEL = TEST_MODELS / "ltm_polarity.mdl"
EXPECTED = re.compile(r"expected polarity of X -> .*: (\S+)")


def _cases():
    model = flywheel.load(POLARITY_MODEL)
    return [(name, EXPECTED.search(el.documentation).group(1))
            for name, el in model.elements.items() if EXPECTED.search(el.documentation)]


@pytest.fixture(scope="module")
def polarity_graph():
    return flywheel.causal_graph(POLARITY_MODEL)


@pytest.mark.parametrize(("name", "expected"), _cases(), ids=[c[0] for c in _cases()])
def test_link_polarity_is_read_from_the_equation(polarity_graph, name, expected):
    assert polarity_graph.edges["X", name]["polarity"] == expected


def test_the_case_list_covers_every_construct():
    assert len(_cases()) == 25


X, Y = ("var", "x"), ("var", "y")


def positive(name):
    return "+"


@pytest.mark.parametrize(("expr", "expected"), [
    (("bin", "+", X, Y), "+"),
    (("bin", "-", Y, X), "-"),
    (("neg", X), "-"),
    (("bin", "*", X, X), "+"),
    (("bin", "-", X, ("bin", "*", X, X)), "?"),  # x - x^2: the sign depends on x
    (("bin", "/", Y, ("bin", "+", X, ("num", 1.0))), "-"),
    (("bin", "^", ("num", 2.0), X), "+"),  # 2^x rises
    (("bin", "^", ("num", 0.5), X), "-"),  # 0.5^x falls
    (("call", "max", (X, ("num", 0.0))), "+"),
    (("call", "min", (X, ("neg", X))), "mixed"),
    (("call", "abs", (X,)), "+"),
    (("call", "if_then_else", (("logic", (X, Y)), Y, Y)), "?"),
    (("call", "step", (X, ("num", 3.0))), "+"),
    (("call", "modulo", (X, ("num", 3.0))), "?"),
    (("table", (0.0, 1.0, 2.0), (0.0, 0.0, 0.0), X), "0"),
    (("opaque", (X,)), "?"),
    (("fixed", X), "0"),  # INITIAL(x) does not move with x
], ids=lambda v: None)
def test_sign_algebra(expr, expected):
    assert link_polarity(expr, "x", positive) == expected


def test_products_need_the_sign_of_the_other_factor():
    expr = ("bin", "*", X, Y)
    assert link_polarity(expr, "x", lambda n: "+") == "+"
    assert link_polarity(expr, "x", lambda n: "-" if n == "y" else "+") == "-"
    assert link_polarity(expr, "x", lambda n: "?" if n == "y" else "+") == "?"


def test_value_signs_use_constant_values_when_the_structure_cannot_say():
    learning = ("bin", "/", ("call", "ln", (("bin", "-", ("num", 1.0), ("var", "lr")),)),
                ("call", "ln", (("num", 2.0),)))
    assert value_sign(learning, positive, lambda n: 0.2) == "-"
    assert constant_value(learning, lambda n: 0.2) == pytest.approx(-0.32192809488736235)
    assert constant_value(("bin", "*", X, ("num", 2.0)), lambda n: None) is None


def test_combine_polarities():
    assert combine_polarities(["+", "-"]) == "-"
    assert combine_polarities(["-", "-", "+"]) == "+"
    assert combine_polarities(["+", "mixed"]) == "mixed"
    assert combine_polarities(["mixed", "?"]) == "?"
    assert combine_polarities([]) == "+"


@pytest.mark.parametrize(("dz", "dx", "expected"), [
    ([1.0, 2.0, 0.5], [1.0, 1.0, 1.0], "+"),
    ([-1.0, 2.0], [1.0, -1.0], "-"),
    ([1.0, -2.0], [1.0, 1.0], "mixed"),
    ([0.0, 0.0], [1.0, 1.0], "?"),
    ([1e-12, 1.0], [-1.0, 1.0], "+"),  # a change below 1e-9 of the largest is no change
])
def test_numeric_polarity(dz, dx, expected):
    assert numeric_polarity(dz, dx) == expected
