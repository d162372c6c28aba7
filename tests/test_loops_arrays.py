"""Loops That Matter on subscripted models: one node per element (flywheel.loops.evaluate_arrays).

Tolerances: the logistic identity (relative scores 1 - P/K and -P/K, P at
the step's start) and the births/deaths shares of sub_1d.mdl hold exactly
in the discrete definitions; they are checked to 1e-9 absolute. The scores
of element North of sub_ltm_logistic.mdl equal those of the scalar
ltm_logistic.mdl (North's constants are its defaults) to 1e-9 absolute. For
a net rate linear in its flows, the flows' partial changes sum to the net
rate's change (checked to 1e-9 relative).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import flywheel
from flywheel.loops.evaluate import evaluator

TEST_MODELS = Path(__file__).parent / "models"
REGIONS = {"North": 1000.0, "South": 200.0, "East": 3000.0}  # each region's Carrying Capacity


def _loop(dominance, variables: str) -> str:
    """The id of the loop whose variables are `variables` ("A -> B")."""
    match = dominance["loop"].values[dominance["loop_variables"].values == variables]
    assert match.size == 1, variables
    return str(match[0])


@pytest.fixture(scope="module")
def logistic():
    model = flywheel.load(TEST_MODELS / "sub_ltm_logistic.mdl")
    return flywheel.loop_dominance(model), flywheel.simulate(model, method="euler")


@pytest.mark.parametrize("region", list(REGIONS))
def test_each_element_follows_the_logistic_identity(logistic, region):
    dominance, run = logistic
    population = run["Population"].sel(Region=region).values
    births = _loop(dominance, f"Population[{region}] -> Net Growth[{region}]")
    crowding = _loop(dominance, f"Population[{region}] -> Fractional Growth Rate[{region}] "
                                f"-> Net Growth[{region}]")
    relative = dominance["relative_loop_score"]
    np.testing.assert_allclose(relative.sel(loop=births).values[1:],
                               1 - population[:-1] / REGIONS[region], rtol=0, atol=1e-9)
    np.testing.assert_allclose(relative.sel(loop=crowding).values[1:],
                               -population[:-1] / REGIONS[region], rtol=0, atol=1e-9)
    assert dominance["loop_polarity"].sel(loop=births) == "reinforcing"
    assert dominance["loop_polarity"].sel(loop=crowding) == "balancing"


def test_element_north_scores_as_the_scalar_model(logistic):
    dominance, _ = logistic
    scalar = flywheel.loop_dominance(TEST_MODELS / "ltm_logistic.mdl")
    pairs = {"R1": "Population[North] -> Net Growth[North]",
             "B1": "Population[North] -> Fractional Growth Rate[North] -> Net Growth[North]"}
    for scalar_loop, variables in pairs.items():
        element_loop = _loop(dominance, variables)
        for score in ("loop_score", "relative_loop_score"):
            np.testing.assert_allclose(dominance[score].sel(loop=element_loop).values,
                                       scalar[score].sel(loop=scalar_loop).values,
                                       rtol=0, atol=1e-9)
    for link in scalar["link"].values:
        source, target = (str(v) for v in str(link).split(" -> "))
        element = f"{source}[North] -> {target}[North]"
        np.testing.assert_allclose(dominance["link_score"].sel(link=element).values,
                                   scalar["link_score"].sel(link=link).values, rtol=0, atol=1e-9)


def test_sub_1d_births_and_deaths_share_each_region():
    """Births = P b, Deaths = P / L: the relative scores are b / (b + 1/L) and its complement."""
    dominance = flywheel.loop_dominance(TEST_MODELS / "sub_1d.mdl")
    for region, rate in {"North": 0.03, "South": 0.02, "East": 0.015}.items():
        births = _loop(dominance, f"Population[{region}] -> Births[{region}]")
        deaths = _loop(dominance, f"Population[{region}] -> Deaths[{region}]")
        relative = dominance["relative_loop_score"]
        np.testing.assert_allclose(relative.sel(loop=births).values[1:],
                                   rate / (rate + 1 / 40), rtol=0, atol=1e-9)
        np.testing.assert_allclose(relative.sel(loop=deaths).values[1:],
                                   -(1 / 40) / (rate + 1 / 40), rtol=0, atol=1e-9)


def test_sub_2d_scores_every_element_and_the_hidden_stocks():
    dominance = flywheel.loop_dominance(TEST_MODELS / "sub_2d.mdl")
    variables = set(dominance["loop_variables"].values)
    assert "Stock[South,Tokens] -> Growth[South,Tokens]" in variables
    assert "SMOOTH(Smoothed Total)[North]" in variables
    # each loop is alone in its partition: +1 (growth) or -1 (the smooth's adjustment);
    # the smooth starts at its input, so over the first step it does not move: scores 0
    first = dominance["relative_loop_score"].isel(time=1).values
    assert (first == np.where(dominance["loop_polarity"].values == "reinforcing", 1, 0)).all()
    relative = dominance["relative_loop_score"].isel(time=slice(2, None))
    polarity = np.where(dominance["loop_polarity"].values == "reinforcing", 1.0, -1.0)
    np.testing.assert_allclose(relative.values, np.broadcast_to(polarity, relative.shape),
                               rtol=0, atol=1e-9)


@pytest.fixture(scope="module")
def migration():
    return flywheel.load(TEST_MODELS / "sub_migration.mdl")


def test_interacting_elements_loops_and_polarities(migration):
    loops = flywheel.feedback_loops(migration)
    found = {" -> ".join(l.variables): l.polarity for l in loops}
    assert found == {
        "Population[North] -> Births[North]": "reinforcing",
        "Population[South] -> Births[South]": "reinforcing",
        "Population[North] -> Emigration[North]": "balancing",
        "Population[South] -> Emigration[South]": "balancing",
        "Population[North] -> Emigration[North] -> Immigration[South] -> Population[South] "
        "-> Emigration[South] -> Immigration[North]": "reinforcing",
    }
    assert len({l.partition for l in loops}) == 1  # migration joins the regions


def test_interacting_elements_scores(migration):
    dominance = flywheel.loop_dominance(migration)
    links = dominance["link_score"].isel(time=slice(1, None))
    # Immigration[South] = Emigration[North]: all of its change
    np.testing.assert_allclose(links.sel(link="Emigration[North] -> Immigration[South]").values,
                               1.0, rtol=0, atol=1e-9)
    relative = dominance["relative_loop_score"].isel(time=slice(1, None)).values
    np.testing.assert_allclose(np.abs(relative).sum(axis=1), 1.0, rtol=0, atol=1e-9)
    # the net rate is linear in its flows: their partial changes sum to its change
    ev = evaluator(migration)
    run = ev.run()
    flows = ["Births[North]", "Immigration[North]", "Emigration[North]"]
    _, changes = ev.partial_changes(run, "Population[North]", flows)
    rate = run.change(ev.equation_values(run, "Population[North]"))
    np.testing.assert_allclose(sum(changes.values()), rate, rtol=1e-9, atol=0)


def test_an_element_moved_alone_leaves_the_others(migration):
    ev = evaluator(migration)
    run = ev.run()
    _, changes = ev.partial_changes(run, "Immigration[North]",
                                    ["Emigration[North]", "Emigration[South]"])
    assert not changes["Emigration[North]"].any()
    np.testing.assert_allclose(changes["Emigration[South]"],
                               run.change(run.values["Emigration[South]"]), rtol=1e-12, atol=0)


def test_scenarios_and_save_period_score_each_element_as_the_scalar_model():
    """Two scenarios, reported every year: element North equals the scalar model (1e-9)."""
    params = {"Maximum Growth Rate": np.array([0.5, 0.6]),
              "Carrying Capacity": np.array([1000.0, 200.0])}
    scalar = flywheel.loop_dominance(TEST_MODELS / "ltm_logistic.mdl", params=params, saveper=1.0)
    model = flywheel.load(TEST_MODELS / "sub_ltm_logistic.mdl")
    elements = flywheel.loop_dominance(model, saveper=1.0, params={
        "Maximum Growth Rate[North]": params["Maximum Growth Rate"],
        "Carrying Capacity": params["Carrying Capacity"]})
    assert elements.sizes["scenario"] == 2 and elements.sizes["time"] == 31
    north = _loop(elements, "Population[North] -> Net Growth[North]")
    np.testing.assert_allclose(elements["relative_loop_score"].sel(loop=north).values,
                               scalar["relative_loop_score"].sel(loop="R1").values,
                               rtol=0, atol=1e-9)


def test_dominant_periods_per_element(logistic):
    dominance, run = logistic
    periods = flywheel.dominant_periods(dominance)
    assert len(periods) == 2 * len(REGIONS)  # growth, then crowding, in each region
    north = periods[periods["loop"].isin(
        [_loop(dominance, "Population[North] -> Net Growth[North]")])]
    # growth dominates the steps starting below K / 2 (relative scores 1 - P/K against P/K):
    # the last ends at the first time P exceeds K / 2
    population = run["Population"].sel(Region="North").values
    crossing = run["time"].values[np.argmax(population > REGIONS["North"] / 2)]
    assert float(north["end"].iloc[0]) == pytest.approx(crossing, abs=1e-9)


def test_loops_of_the_aggregated_graph(migration):
    loops = flywheel.feedback_loops(migration, aggregate_over=["Region"])
    # the element links' polarities carry over to the merged links
    assert {" -> ".join(l.variables): l.polarity for l in loops} == {
        "Population -> Births": "reinforcing",
        "Population -> Emigration": "balancing",
        "Population -> Emigration -> Immigration": "reinforcing",
    }
    with pytest.raises(flywheel.errors.ParameterValueError, match="not a node .* aggregate_over"):
        flywheel.loop_dominance(migration, loops=loops)
    by_region = flywheel.feedback_loops(TEST_MODELS / "sub_2d.mdl", aggregate_over=["Product"])
    assert {" -> ".join(l.variables) for l in by_region} == {
        "SMOOTH(Smoothed Total)[North]", "SMOOTH(Smoothed Total)[South]",
        "Stock[North] -> Growth[North]", "Stock[South] -> Growth[South]"}


@pytest.mark.parametrize("name", ["sub_mixed.mdl", "sub_mapped.mdl", "auto_2d.mdl",
                                  "macro_subscripted.mdl", "data_subscripted.mdl"])
def test_other_subscripted_models_are_scored(name):
    """Subranges, mappings, SMOOTH3 of an array, a macro's arrays, data: every loop scored
    with relative scores of |sum| 1 per partition, or no loop at all (no score)."""
    dominance = flywheel.loop_dominance(TEST_MODELS / name)
    relative = dominance["relative_loop_score"].isel(time=slice(1, None))
    assert np.isfinite(relative.values).all()
    for part in np.unique(dominance["partition"].values):
        total = np.abs(relative.where(dominance["partition"] == part, 0)).sum("loop").values
        assert np.all((np.abs(total - 1) < 1e-9) | (total == 0))


def test_no_loops_numpy_path():
    from flywheel.loops.dominance import _loop_scores, incidence

    products, relative = _loop_scores(np.zeros((3, 0, 1)), incidence([], []))
    assert products.shape == relative.shape == (3, 0, 1)


def test_constants_given_as_lists_sign_their_elements_links(migration):
    """Birth Rate[Region] = 0.02, 0.01: each element's number, as the compiled run has it."""
    from flywheel.loops.graph import model_structure

    structure = model_structure(migration)
    run = evaluator(migration).run()
    for element, number in (("Birth Rate[North]", 0.02), ("Birth Rate[South]", 0.01)):
        assert structure.value_of(element) == number
        assert np.all(np.asarray(run.values[element]) == number)
    graph = flywheel.causal_graph(migration)
    assert graph.edges["Population[South]", "Births[South]"] == {"polarity": "+", "flow": False}


def test_loop_families_gather_each_partitions_element_loops(logistic):
    """Without a sidecar each region's two loops form the family "other <partition>"; its
    score is the sum of theirs: (1 - P/K) - P/K."""
    dominance, run = logistic
    families = flywheel.loop_families(dominance, TEST_MODELS / "sub_ltm_logistic.mdl")
    for region, capacity in REGIONS.items():
        loop = _loop(dominance, f"Population[{region}] -> Net Growth[{region}]")
        family = str(families["loop_family"].sel(loop=loop).values)
        population = run["Population"].sel(Region=region).values
        np.testing.assert_allclose(
            families["relative_family_score"].sel(family=family).values[1:],
            1 - 2 * population[:-1] / capacity, rtol=0, atol=1e-9)


def test_knockout_of_a_loop_of_array_elements_is_refused_clearly():
    model = flywheel.load(TEST_MODELS / "sub_migration.mdl")
    loop = flywheel.feedback_loops(model)[0]
    with pytest.raises(flywheel.errors.ParameterValueError, match="subscripts .*not supported yet"):
        flywheel.knockout(model, loop=loop.id)
