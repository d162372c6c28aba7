"""Feedback loops (flywheel.loops.cycles): enumeration, polarity, ids, partitions, bound."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

import flywheel
from flywheel.errors import ParameterValueError
from flywheel.errors import LoopLimitWarning, LoopNameWarning, UnknownLoopError
from flywheel.loops.cycles import loop_id, strongest_path_loops

TEST_MODELS = Path(__file__).parent / "models"


def test_logistic_has_births_and_crowding_with_names_and_polarity():
    loops = flywheel.feedback_loops(TEST_MODELS / "ltm_logistic.mdl")
    assert [(l.id, l.name, l.polarity, l.variables) for l in loops] == [
        ("R1", "Births", "reinforcing", ("Population", "Net Growth")),
        ("B1", "Crowding", "balancing",
         ("Population", "Fractional Growth Rate", "Net Growth")),
    ]
    assert loops["R1"].links == (("Population", "Net Growth", "+"),
                                 ("Net Growth", "Population", "+"))
    assert loops.method == "exhaustive"
    assert {l.partition for l in loops} == {0}


def test_unread_link_signs_are_measured_along_a_run_unless_numeric_is_false():
    # Net Growth = Population * Fractional Growth Rate, whose sign the equation does not say
    path = TEST_MODELS / "ltm_logistic.mdl"
    measured = flywheel.feedback_loops(path)
    assert measured.graph.edges["Population", "Net Growth"] == {
        "polarity": "+", "flow": False, "measured": True}
    with pytest.warns(LoopNameWarning, match="R1 .*undetermined.*sidecar says reinforcing"):
        symbolic = flywheel.feedback_loops(path, numeric=False)
    assert symbolic["R1"].polarity == "undetermined"
    assert symbolic["B1"].polarity == "balancing"


def test_supply_chain_loops_through_delays_and_smooths():
    loops = flywheel.feedback_loops(TEST_MODELS / "ltm_supply.mdl")
    by_variables = {l.variables: l for l in loops}
    assert len(loops) == 9
    self_loops = [l for l in loops if l.length == 1]
    assert sorted(l.variables[0] for l in self_loops) == [
        "DELAY3(Production) stage 1", "DELAY3(Production) stage 2",
        "DELAY3(Production) stage 3", "SMOOTH(Expected Demand)", "TREND(Demand Trend)"]
    assert all(l.polarity == "balancing" for l in self_loops)
    assert by_variables[("Inventory", "Shipments")].polarity == "balancing"
    # more inventory -> lower price -> more demand -> more expected demand -> more production
    longest = max(loops, key=lambda l: l.length)
    assert longest.length == 10 and longest.polarity == "reinforcing"
    assert longest.variables[:3] == ("Inventory", "Price", "Demand")
    # unnamed: ordered by length then names; ids are hashes of the variables
    assert [l.length for l in loops] == sorted(l.length for l in loops)
    assert all(l.id == loop_id(l.variables) and l.name == "" for l in loops)


def test_partitions_are_strongly_connected_components():
    loops = flywheel.feedback_loops(TEST_MODELS / "ltm_supply.mdl")
    by_partition = {}
    for loop in loops:
        by_partition.setdefault(loop.partition, set()).update(loop.variables)
    graph = loops.graph
    components = [c for c in nx.strongly_connected_components(graph) if len(c) > 1
                  or graph.has_edge(*(2 * list(c)))]
    assert sorted(map(sorted, by_partition.values())) == sorted(map(sorted, components))
    assert sorted(by_partition) == list(range(len(by_partition)))


def test_loop_ids_are_stable_and_rotation_free():
    assert loop_id(["A", "B", "C"]) == loop_id(["B", "C", "A"]) == loop_id(["C", "A", "B"])
    assert loop_id(["A", "B", "C"]) != loop_id(["A", "C", "B"])
    assert loop_id(["Population", "Net Growth"]) == "L" + __import__("hashlib").sha1(
        "Net Growth\u2192Population".encode()).hexdigest()[:8]
    first = [l.id for l in flywheel.feedback_loops(TEST_MODELS / "ltm_supply.mdl")]
    second = [l.id for l in flywheel.feedback_loops(flywheel.load(TEST_MODELS / "ltm_supply.mdl"))]
    assert first == second and len(set(first)) == len(first)


def test_dense_model_is_enumerated_exhaustively_within_the_bound():
    # six stocks whose flows each read all six: one loop per cycle of the complete
    # digraph on six nodes with self-loops, sum over k of C(6, k) (k - 1)! = 415
    loops = flywheel.feedback_loops(TEST_MODELS / "ltm_dense.mdl")
    assert len(loops) == 415
    assert loops.method == "exhaustive"
    assert sum(l.length == 12 for l in loops) == 120  # six stocks and their six flows


def test_more_loops_than_the_bound_warns_and_switches_to_the_search():
    with pytest.warns(LoopLimitWarning, match="more than 50 feedback loops.*strongest-path"):
        loops = flywheel.feedback_loops(TEST_MODELS / "ltm_dense.mdl", max_loops=50)
    assert loops.method == "strongest-path"
    assert 0 < len(loops) < 415
    exhaustive = {l.variables for l in flywheel.feedback_loops(TEST_MODELS / "ltm_dense.mdl")}
    assert {l.variables for l in loops} <= exhaustive


def test_strongest_path_search_follows_the_strongest_links():
    graph = nx.DiGraph([("S", "a"), ("a", "S"), ("S", "b"), ("b", "c"), ("c", "S"),
                        ("c", "a")])
    graph.nodes["S"]["kind"] = "stock"
    strong_a = {("S", "a"): 5.0, ("a", "S"): 1.0, ("S", "b"): 1.0, ("b", "c"): 1.0,
                ("c", "S"): 1.0, ("c", "a"): 0.1}
    found = strongest_path_loops(graph, [strong_a])
    assert ("S", "a") in found and ("S", "b", "c") in found
    assert strongest_path_loops(graph, [{e: 0.0 for e in graph.edges}]) == []


def test_a_causal_graph_can_be_given_instead_of_a_model():
    graph = flywheel.causal_graph(TEST_MODELS / "ltm_bass.mdl")
    loops = flywheel.feedback_loops(graph)
    assert sorted(l.polarity for l in loops) == ["balancing", "reinforcing"]
    assert all(l.name == "" for l in loops)


def test_lookup_by_id_or_name_and_unknown_loops_list_what_exists():
    loops = flywheel.feedback_loops(TEST_MODELS / "ltm_bass.mdl")
    assert loops["word of mouth"] is loops["R1"] is loops[0]
    with pytest.raises(UnknownLoopError, match=r"no loop 'R3'.*'R1'.*named loops: R1 Word"):
        loops["R3"]
    with pytest.raises(KeyError):  # an UnknownLoopError is a KeyError too
        loops.get("Saturation")


def test_table_and_repr():
    loops = flywheel.feedback_loops(TEST_MODELS / "ltm_bass.mdl")
    frame = loops.to_frame()
    assert frame.loc["B1", "variables"] == "Potential Adopters -> Adoption Rate"
    assert frame.loc["R1", "polarity"] == "reinforcing"
    assert "2 loops (exhaustive); 1 reinforcing, 1 balancing" in repr(loops)
    assert str(loops["R1"]) == ("R1 Word of mouth (reinforcing): "
                                "Adopters -> Adoption Rate -> Adopters")


@pytest.mark.parametrize("bad", [0, -3, 2.5, True])
def test_max_loops_must_be_a_positive_integer(bad):
    with pytest.raises(ParameterValueError, match="max_loops"):
        flywheel.feedback_loops(TEST_MODELS / "ltm_bass.mdl", max_loops=bad)
