"""The causal graph (flywheel.loops.graph): nodes, links, flows, hidden stocks."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

import flywheel
from flywheel.compiler import compile_model
from flywheel.loops.evaluate import Evaluator
from flywheel.loops.graph import model_structure

TEST_MODELS = Path(__file__).parent / "models"
COMPILABLE = ["ltm_bass", "ltm_logistic", "ltm_supply", "ltm_polarity", "delays", "functions"]


@pytest.fixture(scope="module")
def bass():
    return flywheel.load(TEST_MODELS / "ltm_bass.mdl")


@pytest.fixture(scope="module")
def supply():
    return flywheel.load(TEST_MODELS / "ltm_supply.mdl")


def test_nodes_are_the_elements_with_kind_and_units(bass):
    graph = flywheel.causal_graph(bass)
    assert isinstance(graph, nx.DiGraph)
    assert sorted(graph.nodes) == sorted(
        ["Potential Adopters", "Adopters", "Adoption Rate", "Innovation Coefficient",
         "Imitation Coefficient", "Total Market"])
    assert graph.nodes["Adopters"] == {"kind": "stock", "units": "People", "hidden": False}
    assert graph.nodes["Adoption Rate"]["kind"] == "flow"
    assert graph.nodes["Total Market"]["kind"] == "constant"
    assert graph.graph["model"] == "ltm_bass"


def test_edges_are_references_with_polarity_and_inflows_outflows(bass):
    graph = flywheel.causal_graph(bass)
    edges = {(a, b): (d["polarity"], d["flow"]) for a, b, d in graph.edges(data=True)}
    assert edges == {
        ("Adopters", "Adoption Rate"): ("+", False),
        ("Potential Adopters", "Adoption Rate"): ("+", False),
        ("Innovation Coefficient", "Adoption Rate"): ("+", False),
        ("Imitation Coefficient", "Adoption Rate"): ("+", False),
        ("Total Market", "Adoption Rate"): ("-", False),
        ("Adoption Rate", "Adopters"): ("+", True),  # inflow
        ("Adoption Rate", "Potential Adopters"): ("-", True),  # outflow
    }


def test_control_variables_time_and_lookup_tables_are_not_nodes():
    graph = flywheel.causal_graph(TEST_MODELS / "functions.mdl")
    assert not {"TIME STEP", "INITIAL TIME", "FINAL TIME", "SAVEPER", "Time"} & set(graph)
    assert "Effect Table" not in graph
    assert graph.edges["Relative Growth", "Effect"]["polarity"] == "+"  # rising table


def test_initial_values_are_not_links():
    graph = flywheel.causal_graph(TEST_MODELS / "ltm_polarity.mdl")
    assert list(graph.predecessors("Fixed At Start")) == []
    graph = flywheel.causal_graph(TEST_MODELS / "delays.mdl")
    assert list(graph.predecessors("Initial Backlog")) == []  # INITIAL(...)
    assert "Initial Backlog" not in set(graph.predecessors("Backlog"))  # INTEG's initial value


def test_hidden_stocks_are_named_as_the_compiler_names_them(supply):
    graph = flywheel.causal_graph(supply)
    hidden = sorted(n for n, d in graph.nodes(data=True) if d["hidden"])
    compiled = compile_model(supply.abstract).stock_names
    assert hidden == sorted(set(compiled) - set(supply.stocks))
    assert hidden == ["DELAY3(Production) stage 1", "DELAY3(Production) stage 2",
                      "DELAY3(Production) stage 3", "SMOOTH(Expected Demand)",
                      "TREND(Demand Trend)"]
    node = graph.nodes["SMOOTH(Expected Demand)"]
    assert (node["kind"], node["function"], node["element"]) == (
        "stock", "SMOOTH", "Expected Demand")


def test_delays_and_smooths_are_chains_through_their_hidden_stocks(supply):
    graph = flywheel.causal_graph(supply)
    chain = ["Production Starts", "DELAY3(Production) stage 1", "DELAY3(Production) stage 2",
             "DELAY3(Production) stage 3", "Production"]
    assert all(graph.edges[a, b]["polarity"] == "+" for a, b in zip(chain, chain[1:]))
    assert not graph.has_edge("Production Starts", "Production")
    for stage in chain[1:4]:
        assert graph.edges[stage, stage]["polarity"] == "-"  # first-order drain
    assert graph.edges["Demand", "SMOOTH(Expected Demand)"] == {"polarity": "+", "flow": True}
    assert graph.edges["SMOOTH(Expected Demand)", "Expected Demand"]["polarity"] == "+"


def test_every_hidden_stock_of_every_delay_function_matches_the_compiler():
    model = flywheel.load(TEST_MODELS / "delays.mdl")
    graph = flywheel.causal_graph(model)
    compiled = set(compile_model(model.abstract).stock_names)
    hidden = {n for n, d in graph.nodes(data=True) if d["hidden"]}
    assert hidden == compiled - set(model.stocks)


@pytest.mark.parametrize("name", COMPILABLE)
def test_links_agree_with_what_the_compiled_code_reads(name):
    """Every equation's in-links equal the varying inputs of the compiler's code for it."""
    model = flywheel.load(TEST_MODELS / f"{name}.mdl")
    structure = model_structure(model)
    graph = structure.graph
    evaluator = Evaluator(model)
    assert evaluator.equations
    for node in evaluator.equations:
        varying = {u for u in graph.predecessors(node) if structure.value_of(u) is None}
        assert set(evaluator.inputs(node)) == varying, node


def test_the_graph_is_a_fresh_copy_each_call(bass):
    first = flywheel.causal_graph(bass)
    first.remove_node("Adopters")
    assert "Adopters" in flywheel.causal_graph(bass)
