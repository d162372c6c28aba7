"""Dimensional consistency: the units reader and the equation walker.

The test models ``units_ok.mdl`` (every rule used, all balanced) and
``units_mismatch.mdl`` (one deliberate mismatch per element) give exact
answers; a copy of the research model with one wrong units string must be
caught.
"""

from __future__ import annotations

import pytest

import flywheel
from flywheel.checks.units import check_units
from flywheel.checks.unitsystem import format_units, parse_units

from conftest import TEST_MODELS


@pytest.mark.parametrize(
    ("text", "other", "factor"),
    [
        ("tokens/month", "tokens/Year", 12.0),
        ("tokens/quarter", "trillion tokens/Year", 4e-12),
        ("USD billion/year", "billion USD/Year", 1.0),
        ("USD per million tokens", "USD/(million*tokens)", 1.0),
        ("million users", "million people", 1.0),
        ("fraction", "Dmnl", 1.0),
        ("exaFLOP/s", "FLOP/s", 1e18),
        ("$/Year", "USD/Year", 1.0),
    ],
    ids=lambda v: str(v),
)
def test_parse_units_follows_vensim_conventions(text, other, factor):
    assert parse_units(text).to(parse_units(other)).magnitude == pytest.approx(factor, rel=1e-12)


def test_words_joined_by_spaces_form_one_term():
    # Vensim reads "USD/million tokens" as USD per (million tokens), not (USD/million) tokens.
    assert str(parse_units("USD/million tokens").dimensionality) == "[currency] / [token]"


def test_unknown_words_are_base_units_and_plurals_match():
    assert parse_units("Widgets").dimensionality == parse_units("Widget").dimensionality
    assert parse_units("Widgets").dimensionality != parse_units("Gadgets").dimensionality


def test_unreadable_units_raise_value_error():
    with pytest.raises(ValueError, match="cannot read units"):
        parse_units("USD/Year; oops")


def test_format_units_is_compact():
    assert format_units(parse_units("Dmnl")) == "Dmnl"
    assert format_units(None) == "any"
    assert format_units(parse_units("Widgets/Week")) == "Widget/Week"


def test_balanced_model_has_no_mismatch():
    assert check_units(flywheel.load(TEST_MODELS / "units_ok.mdl")) == []


def test_each_deliberate_mismatch_is_reported_with_both_units():
    found = check_units(flywheel.load(TEST_MODELS / "units_mismatch.mdl"))
    got = {(m.element, m.expression, m.left, m.right) for m in found}
    assert got == {
        ("Stock A", "Flow A", "Widget", "Widget/Month"),
        ("Stock A", "Initial A", "Gadget", "Widget"),
        ("Flow A", "(Stock A * Rate)", "Widget/Month", "Widget"),
        ("Mixed Sum", "(Stock A + Rate)", "Widget", "1/Month"),
        ("Bad Exp", "Stock A", "Widget", "Dmnl"),
        ("Bad Branches", "IF THEN ELSE((Stock A > 5), Stock A, Rate)", "Widget", "1/Month"),
        ("Bad Smooth", "Initial A", "Gadget", "Month"),
        ("Bad Power", "Rate", "1/Month", "Dmnl"),
        ("Bad Compare", "(Stock A > Rate)", "Widget", "1/Month"),
    }
    rules = {m.element: m.rule for m in found}
    assert "INTEG" in rules["Stock A"] and "EXP" in rules["Bad Exp"]


@pytest.mark.parametrize("name", flywheel.available_models())
def test_bundled_models_balance(name):
    mismatches = check_units(flywheel.load(name))
    assert not mismatches, "\n".join(map(str, mismatches))


def test_a_wrong_units_string_in_the_research_model_is_caught(research, tmp_path):
    text = research.path.read_text()
    start = text.index("\nCapex=\n")
    units_at = text.index("billion USD/Year", start)
    broken = text[:units_at] + "billion USD" + text[units_at + len("billion USD/Year"):]
    path = tmp_path / "broken.mdl"
    path.write_text(broken)
    found = [m for m in check_units(flywheel.load(path)) if m.element == "Capex"]
    assert [(m.expression, m.right) for m in found] == [
        ("(Compute Shipments * Hardware Cost per Compute * Hardware Scarcity Markup)",
         "USD*billion")
    ]
    assert "/Year" in found[0].left
