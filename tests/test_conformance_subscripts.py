"""Subscripts in the compiled engine (issue 12 part 1) against PySD's run of the same files.

Every ``tests/models/sub_*.mdl`` runs under the compiled engine (Euler) and
under PySD; every variable, element by element, agrees to 1e-9 relative (the
same arithmetic, in another order: rounding only). The models: ``sub_1d``
(SUM, PROD, VMIN, VMAX, ELMCOUNT, equations per element, a list constant),
``sub_2d`` (tables, transposes, partial sums, a SMOOTH per element),
``sub_mapped`` (a mapping, a subrange, :EXCEPT:, a range as a value),
``sub_vector`` (VECTOR SELECT, SORT ORDER, RANK, REORDER, INVERT MATRIX),
``sub_alloc`` (ALLOCATE BY PRIORITY, ALLOCATE AVAILABLE) and ``sub_mixed``
(a 2-D :EXCEPT:, a stock defined per element, a lookup, DELAY1, SMOOTH3 and
INITIAL over arrays, a variable over a subrange, a range used as a number, a
subscripted variable named without its subscripts).
"""

from __future__ import annotations

import io
import tokenize

import networkx as nx
import numpy as np
import pytest
import xarray as xr

import flywheel
from flywheel.errors import ParameterValueError, UnknownParameterError
from flywheel.loops.graph import aggregate

from conftest import TEST_MODELS

#: Same equations, another order of operations: rounding only.
RTOL = 1e-9
MODELS = sorted(TEST_MODELS.glob("sub_*.mdl"))


@pytest.fixture(scope="module")
def runs():
    """(compiled Euler run, PySD's run) of each subscripted test model, made once."""
    cache = {}

    def run(path, **options):
        key = (path, tuple(sorted(options.items())))
        if key not in cache:
            model = flywheel.load(path)
            cache[key] = (flywheel.simulate(model, engine="compiled", method="euler", **options),
                          flywheel.simulate(model, engine="pysd", **options))
        return cache[key]
    return run


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_euler_reproduces_pysd(path, runs):
    result, reference = runs(path)
    assert list(result.data_vars) == list(reference.data_vars)
    for name in reference.data_vars:
        assert result[name].dims == reference[name].dims, name
        np.testing.assert_allclose(result[name], reference[name], rtol=RTOL, atol=0, err_msg=name)


def test_dataset_has_one_dimension_per_range(runs):
    result, _ = runs(TEST_MODELS / "sub_1d.mdl")
    assert result["Population"].dims == ("time", "Region")
    assert result["Region"].values.tolist() == ["North", "South", "East"]
    north = result["Population"].sel(Region="North")
    np.testing.assert_array_equal(north, result["North Population"])
    # SUM over the range is the sum of the elements (1e-12: three additions rounded)
    np.testing.assert_allclose(result["Population"].sum("Region"), result["Total Population"],
                               rtol=1e-12)


def test_the_kernel_declines_subscripted_models_and_the_numpy_path_runs_them():
    model = flywheel.load(TEST_MODELS / "sub_1d.mdl")
    with pytest.raises(ParameterValueError, match="does not run subscripted models"):
        flywheel.simulate(model, method="euler", jit=True)
    run = flywheel.simulate(model, method="euler")  # jit=None: the numpy path
    assert "stats: jit" not in run.attrs
    assert model.compiled.kernel_refusal is not None


def test_subscript_names_reach_the_generated_source_only_as_repr_literals():
    model = flywheel.load(TEST_MODELS / "sub_1d.mdl")
    tokens = tokenize.generate_tokens(io.StringIO(model.compiled.source).readline)
    code = " ".join(t.string for t in tokens if t.type not in (tokenize.STRING, tokenize.COMMENT))
    for name in ("Region", "North", "South", "East"):
        assert name not in code


REGIONS = ["North", "South", "East"]


@pytest.mark.parametrize("params", [
    {"Birth Rate[North]": 0.05},
    {"Birth Rate": xr.DataArray([0.01, 0.02, 0.03], dims=["Region"], coords={"Region": REGIONS})},
    {"Birth Rate[South]": [0.01, 0.04], "Lifetime": [30.0, 50.0]},
    {"Birth Rate": xr.DataArray([[0.01, 0.02], [0.03, 0.04]], dims=["Region", "scenario"],
                                coords={"Region": ["North", "East"]})},
    {"Initial Population": 50.0},
], ids=["one-element", "dataarray", "element-per-scenario", "dataarray-with-scenario", "all"])
def test_per_element_params_reproduce_pysd(params):
    _per_element_params_reproduce_pysd("sub_1d.mdl", params)


@pytest.mark.parametrize("params", [
    {"Base[North,Chips]": 7.0},
    {"Base[Coastal,Power]": [3.0, 4.0]},
    {"Base": xr.DataArray([9.0, 8.0], dims=["Product"], coords={"Product": ["Chips", "Power"]})},
], ids=["one-element", "a-subrange-per-scenario", "dataarray-over-one-range"])
def test_per_element_params_of_a_table_reproduce_pysd(params):
    _per_element_params_reproduce_pysd("sub_mixed.mdl", params)


def _per_element_params_reproduce_pysd(name, params):
    model = flywheel.load(TEST_MODELS / name)
    result = flywheel.simulate(model, params=params, method="euler")
    reference = flywheel.simulate(model, params=params, engine="pysd")
    for name in reference.data_vars:
        np.testing.assert_allclose(result[name], reference[name], rtol=RTOL, atol=0, err_msg=name)


def test_per_element_params_set_only_the_elements_named():
    model = flywheel.load(TEST_MODELS / "sub_1d.mdl")
    run = flywheel.simulate(model, params={"Birth Rate[North]": 0.05}, method="euler")
    assert run["Birth Rate"].isel(time=0).values.tolist() == [0.05, 0.02, 0.015]
    sweep = flywheel.simulate(model, params={"Birth Rate[South]": [0.01, 0.04]}, method="euler")
    assert sweep["Birth Rate"].sel(Region="South").isel(time=0).values.tolist() == [0.01, 0.04]
    assert sweep["Birth Rate"].sel(Region="North").isel(time=0).values.tolist() == [0.03, 0.03]


@pytest.mark.parametrize(("params", "error", "match"), [
    ({"Birth Rate[West]": 0.1}, ParameterValueError, "'West' is not an element"),
    ({"Birth Rate[North,South]": 0.1}, ParameterValueError, "has 1 subscripts"),
    ({"Birth Rte[North]": 0.1}, UnknownParameterError, "closest: 'Birth Rate'"),
    ({"Birth Rate": xr.DataArray([0.1], dims=["Age"])}, ParameterValueError, "'Age'"),
    ({"Birth Rate[North]": [0.1, 0.2], "Lifetime": [1.0, 2.0, 3.0]}, ParameterValueError,
     "one common length"),
])
def test_bad_per_element_params_name_the_problem(params, error, match):
    with pytest.raises(error, match=match):
        flywheel.simulate(TEST_MODELS / "sub_1d.mdl", params=params, method="euler")


def test_allocation_is_not_trivial(runs):
    """The supply binds: the branches get less than they ask, in priority order."""
    result, _ = runs(TEST_MODELS / "sub_alloc.mdl")
    asked = result["Demand"].isel(time=0)
    given = result["Shipments"].isel(time=-1)
    assert float(given.sum()) < float(asked.sum())
    allocated = result["Allocated"].isel(time=0)
    # ALLOCATE AVAILABLE hands out exactly what is available (1e-6: PySD's least squares)
    np.testing.assert_allclose(float(allocated.sum()), 0.6 * 1000, rtol=1e-6)


# ------------------------------------------------------------------ loops on arrays


def test_causal_graph_has_one_node_per_element_of_a_subscripted_variable():
    graph = flywheel.causal_graph(TEST_MODELS / "sub_1d.mdl")
    assert {n for n in graph if n.startswith("Population[")} == {
        f"Population[{r}]" for r in REGIONS}
    assert sorted(graph.in_edges("Population[North]", data="polarity")) == [
        ("Births[North]", "Population[North]", "+"), ("Deaths[North]", "Population[North]", "-")]
    # SUM(Population[Region!]) reads every element; Population[North] one element
    assert {u for u, _ in graph.in_edges("Total Population")} == {
        f"Population[{r}]" for r in REGIONS}
    assert [u for u, _ in graph.in_edges("North Population")] == ["Population[North]"]
    assert graph.nodes["Births[South]"]["subscripts"] == (("Region", "South"),)
    loops = {tuple(sorted(c)) for c in nx.simple_cycles(graph)}
    assert ("Births[East]", "Population[East]") in loops
    # Share[r] = Population[r] / SUM(...): no loop closes through a non-stock cycle
    assert all(any(n.startswith("Population[") for n in loop) for loop in loops)


def test_causal_graph_follows_mappings_subranges_and_hidden_stocks():
    mapped = flywheel.causal_graph(TEST_MODELS / "sub_mapped.mdl")
    assert list(mapped.predecessors("Mapped Level[T2]")) == ["Level[S2]"]
    assert sorted(mapped.predecessors("Upper Sum")) == ["Level[S1]", "Level[S2]"]
    assert sorted(mapped.predecessors("Z[S3]")) == ["X[S3]"]
    mixed = flywheel.causal_graph(TEST_MODELS / "sub_mixed.mdl")
    assert list(mixed.predecessors("Whole Effect[East]")) == ["Effect[East]"]
    two_d = flywheel.causal_graph(TEST_MODELS / "sub_2d.mdl")
    smooth = two_d.nodes["SMOOTH(Smoothed Total)[South]"]
    assert smooth["hidden"] and smooth["element"] == "Smoothed Total[South]"
    assert sorted(two_d.predecessors("Regional Total[North]")) == [
        f"Stock[North,{p}]" for p in ("Chips", "Power", "Tokens")]


def test_aggregating_a_range_merges_its_elements():
    graph = flywheel.causal_graph(TEST_MODELS / "sub_2d.mdl")
    every = aggregate(graph)
    assert "Stock" in every and "Stock[North,Chips]" not in every
    assert every.edges["Growth", "Stock"]["polarity"] == "+"
    by_region = aggregate(graph, ["Product"])
    assert {n for n in by_region if n.startswith("Stock")} == {"Stock[North]", "Stock[South]"}
    assert by_region.has_edge("Stock[South]", "Regional Total[South]")
    assert not by_region.has_edge("Stock[South]", "Regional Total[North]")


def test_a_subscripted_lookup_reads_each_elements_own_table():
    """sub_lookup.mdl (against PySD by test_compiler): tables of 3, 2 and 4 points per
    region and one table for the whole range, each read at its region's argument and held
    at its ends; by hand from the tables."""
    run = flywheel.simulate(TEST_MODELS / "sub_lookup.mdl", engine="compiled", method="euler")
    reading = run["Reading"]
    # t = 0: North (0,0)-(1,1) at 0.5; South (0,1)-(2,0) at 1.5; East (0,0.5)-(1,2) at 2.5
    # is past (1,2)-(3,2.5): 2 + 0.25 * 1.5
    np.testing.assert_allclose(reading.sel(time=0).values, [0.5, 0.25, 2.375], rtol=1e-12)
    np.testing.assert_allclose(reading.sel(time=20).values, [4.0, 0.0, 2.5], rtol=1e-12)
    shared = run["Shared Reading"].sel(time=5).values  # (0,0)-(10,20) at 0.5*5, 1.5*5, 2.5*5
    np.testing.assert_allclose(shared, [5.0, 15.0, 20.0], rtol=1e-12)
