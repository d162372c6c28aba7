"""flywheel.jevons_decomposition: price, non-price, interaction, frozen parts of a change in spend.

Exact numbers on ``tests/models/jevons_parts.mdl``, whose spend has a closed
form (demand of constant elasticity on an exponential price path, adopters
growing exponentially; no feedback, so Euler is exact). The parts must add
up to the total change to 1e-12 (relative to the largest change: only
rounding of four sums and differences separates them). On the research
model v1 with switches (``tests/models/flywheel_jevons.mdl``) only the
identity and the structure are checked.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import flywheel  # noqa: E402
from flywheel.errors import DataFileError, ParameterValueError  # noqa: E402
from flywheel.experiments.decomposition import PARTS, RUNS, jevons_decomposition  # noqa: E402
from flywheel.plots.decomposition import plot_jevons_decomposition  # noqa: E402

from conftest import TEST_MODELS  # noqa: E402

P0, G, A0, A, K, T0 = 10.0, 0.9, 100.0, 0.4, 1000.0, 2020.0


@pytest.fixture(scope="module")
def parts_model():
    return flywheel.load(TEST_MODELS / "jevons_parts.mdl")


@pytest.fixture(scope="module")
def research_copy():
    return flywheel.load(TEST_MODELS / "flywheel_jevons.mdl")


def spend(adoption_time, price_time, elasticity):
    """Closed form: A0 e^(a (ta - t0)) k P0^e P^(1 - e), P = P0 e^(-g (tp - t0))."""
    price = P0 * np.exp(-G * (price_time - T0))
    return A0 * np.exp(A * (adoption_time - T0)) * K * (price / P0) ** (-elasticity) * price


@pytest.mark.parametrize("elasticity", [1.3, 0.7])
def test_parts_match_the_closed_form(parts_model, elasticity):
    base = 2025.0
    result = jevons_decomposition(parts_model, base, params={"Price Elasticity": elasticity})
    t = result["time"].to_numpy()
    b = np.full_like(t, base)
    expected = {
        "price": spend(b, t, elasticity) - spend(b, b, elasticity),
        "non-price": spend(t, b, elasticity) - spend(b, b, elasticity),
        "interaction": spend(t, t, elasticity) - spend(t, b, elasticity)
        - spend(b, t, elasticity) + spend(b, b, elasticity),
        "frozen": np.zeros_like(t),
        "total": spend(t, t, elasticity) - spend(b, b, elasticity),
    }
    scale = np.abs(expected["total"]).max()
    for part, values in expected.items():
        assert np.abs(result["Spend"].sel(part=part).to_numpy() - values).max() <= 1e-12 * scale
    # Above elasticity 1 the price fall alone raises spend (Jevons); below, it lowers it.
    later = result["Spend"].sel(part="price").to_numpy()[1:]
    assert (later > 0).all() if elasticity > 1 else (later < 0).all()


def test_the_runs_are_the_four_counterfactuals(parts_model):
    result = jevons_decomposition(parts_model, 2027.5)
    runs = result["Spend (runs)"]
    assert list(runs["run"].values) == RUNS
    t = result["time"].to_numpy()
    b = np.full_like(t, 2027.5)
    for run, (ta, tp) in zip(RUNS, [(t, t), (t, b), (b, t), (b, b)]):
        assert runs.sel(run=run).to_numpy() == pytest.approx(spend(ta, tp, 1.3), rel=1e-12)
    assert result.attrs["base_year"] == 2027.5 and t[0] == 2027.5


def test_research_copy_parts_add_up_to_the_total(research_copy):
    result = jevons_decomposition(research_copy, 2025)
    assert list(result["part"].values) == [*PARTS, "total"]
    for name in ("Total Compute Spend", "Inference Compute Spend"):
        data = result[name]
        total = data.sel(part="total").to_numpy()
        summed = data.sel(part=PARTS).sum("part").to_numpy()
        assert np.isfinite(data.to_numpy()).all()
        assert np.abs(summed - total).max() <= 1e-12 * np.abs(total).max()
        assert total[0] == 0.0
    # With the switches at their defaults the copy is the base run.
    base = flywheel.simulate(research_copy, method="euler", params={"Jevons Base Time": 2025},
                             return_columns=["Total Compute Spend"])
    assert np.array_equal(result["Total Compute Spend (runs)"].sel(run="base").to_numpy(),
                          base["Total Compute Spend"].sel(time=result["time"]).to_numpy())


def test_no_sidecar_or_no_jevons_table_is_a_clear_error(minimal, parts_model, tmp_path):
    with pytest.raises(DataFileError, match="flywheel_minimal.uncertainty.toml: no uncertainty"):
        jevons_decomposition(minimal)
    empty = tmp_path / "empty.toml"
    empty.write_text("[history]\nend = 2025\n")
    with pytest.raises(DataFileError, match=r"no \[jevons\] table"):
        jevons_decomposition(parts_model, uncertainty=empty)


def test_switches_acting_before_the_base_time_are_refused(parts_model, tmp_path):
    sidecar = tmp_path / "early.toml"
    sidecar.write_text('[jevons]\nbase_time = "Jevons Base Time"\noutputs = ["Spend"]\n'
                       '[jevons.price]\nset = { "Initial Price" = 20 }\n'
                       '[jevons.non_price]\nset = { "Non Price Drivers Frozen" = 1 }\n')
    with pytest.raises(ParameterValueError, match="must act only from the base time"):
        jevons_decomposition(parts_model, uncertainty=sidecar)


def test_base_year_outside_the_run(parts_model):
    with pytest.raises(ParameterValueError, match="base_year 2050 must lie in the run"):
        jevons_decomposition(parts_model, 2050)


def test_the_figure_stacks_the_parts_and_draws_the_total(parts_model):
    result = jevons_decomposition(parts_model, 2025, params={"Price Elasticity": 0.7})
    ax = plot_jevons_decomposition(result, "Spend")
    total = [line for line in ax.lines if line.get_label() == "total change"][0]
    assert np.allclose(total.get_ydata(), result["Spend"].sel(part="total"))
    # The price part is negative here: its area lies below zero.
    price = [c for c in ax.collections if c.get_label() == "price"][0]
    assert ax.get_ylim()[0] < 0 and price is not None


def test_a_constant_in_both_counterfactuals_is_refused(parts_model, tmp_path):
    sidecar = tmp_path / "both.toml"
    sidecar.write_text('[jevons]\nbase_time = "Jevons Base Time"\noutputs = ["Spend"]\n'
                       '[jevons.price]\nset = { "Price Path Frozen" = 1 }\n'
                       '[jevons.non_price]\nset = { "Price Path Frozen" = 1 }\n')
    with pytest.raises(DataFileError, match="both set 'Price Path Frozen'"):
        jevons_decomposition(parts_model, uncertainty=sidecar)
