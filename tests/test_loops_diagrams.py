"""Diagrams and the loop-dominance plot (flywheel.plots.diagrams, flywheel.plots.dominance)."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

import flywheel  # noqa: E402
from flywheel.errors import ModelFileError  # noqa: E402
from flywheel.errors import UnknownLoopError  # noqa: E402
from flywheel.plots import (  # noqa: E402
    plot_causal_loop_diagram,
    plot_loop_dominance,
    plot_stock_flow_diagram,
)
from flywheel.sketch import read_sketch, sketch_positions  # noqa: E402

TEST_MODELS = Path(__file__).parent / "models"
LOGISTIC = TEST_MODELS / "ltm_logistic.mdl"
BASS = TEST_MODELS / "ltm_bass.mdl"
SUPPLY = TEST_MODELS / "ltm_supply.mdl"


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


# ---------------------------------------------------------------- the sketch
def test_read_sketch_objects_and_arrows():
    objects, arrows = read_sketch(flywheel.load(LOGISTIC).sketch)
    names = sorted(o.name for o in objects.values() if o.kind == "variable")
    assert names == ["Carrying Capacity", "Fractional Growth Rate", "Initial Population",
                     "Maximum Growth Rate", "Net Growth", "Population"]
    assert [o.id for o in objects.values() if o.is_cloud] == [2]
    assert [o.id for o in objects.values() if o.kind == "valve"] == [5]
    pipes = sorted((a.source, a.target, a.head) for a in arrows if a.pipe)
    assert pipes == [(5, 1, 4), (5, 2, 100)]
    curved = next(a for a in arrows if a.id == 11)
    assert (curved.source, curved.target, curved.point) == (1, 5, (360.0, 160.0))
    assert next(a for a in arrows if a.id == 16).point is None  # (0,0): straight


def test_sketch_positions_put_y_upwards():
    positions = sketch_positions(flywheel.load(LOGISTIC))
    assert positions["Population"] == (420.0, -220.0)
    assert positions["Carrying Capacity"][1] < positions["Population"][1]
    assert sketch_positions(flywheel.load(SUPPLY)) == {}


# ---------------------------------------------------------------- stock and flow
def test_stock_flow_diagram_draws_stocks_flows_clouds_and_names():
    ax = plot_stock_flow_diagram(BASS)
    boxes = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(boxes) == 2  # Potential Adopters and Adopters
    texts = " ".join(_texts(ax)).replace("\n", " ")
    for name in ("Potential Adopters", "Adopters", "Adoption Rate", "Total Market",
                 "Imitation Coefficient"):
        assert name in texts
    assert ax.get_title() == "ltm_bass: stock and flow"


def test_stock_flow_diagram_polarity_marks_and_given_axes():
    _, given = plt.subplots()
    ax = plot_stock_flow_diagram(LOGISTIC, ax=given, polarity=True)
    assert ax is given
    signs = [t for t in _texts(ax) if t in ("+", "\u2212", "?", "\u00b1")]
    assert "\u2212" in signs  # Population -> Fractional Growth Rate


def test_stock_flow_diagram_needs_a_sketch():
    with pytest.raises(ModelFileError, match="no sketch"):
        plot_stock_flow_diagram(SUPPLY)
    with pytest.raises(ModelFileError, match="no sketch view 3; it has views 1"):
        plot_stock_flow_diagram(BASS, view=3)


# ---------------------------------------------------------------- causal loop diagram
def test_causal_loop_diagram_has_polarities_and_loop_markers():
    ax = plot_causal_loop_diagram(BASS)
    texts = _texts(ax)
    assert {"R1", "B1"} <= set(texts)
    assert "Word of mouth" in texts and "Market saturation" in texts
    # four links, each with its sign: three + and one - (Adoption Rate -> Potential Adopters)
    assert sorted(t for t in texts if t in ("+", "\u2212")) == ["+", "+", "+", "\u2212"]


def test_chosen_loops_and_unknown_loops():
    ax = plot_causal_loop_diagram(BASS, loops=["B1"])
    assert ax.get_title() == "ltm_bass: B1"
    assert "Adopters" not in _texts(ax)
    with pytest.raises(UnknownLoopError, match="no loop 'R7'.*R1"):
        plot_causal_loop_diagram(BASS, loops=["R7"])


def test_delays_fold_into_one_marked_link():
    ax = plot_causal_loop_diagram(SUPPLY)
    texts = _texts(ax)
    assert "||" in texts
    assert not any("DELAY3" in t or "SMOOTH(" in t for t in texts)
    shown = plot_causal_loop_diagram(SUPPLY, hidden=True, simplify=False)
    assert any("DELAY3" in t for t in _texts(shown))


def test_simplify_folds_pass_through_auxiliaries(minimal):
    simple = " ".join(_texts(plot_causal_loop_diagram(minimal)))
    full = " ".join(_texts(plot_causal_loop_diagram(minimal, simplify=False)))
    assert "Annual Cost" not in simple and "Annual Cost" in full
    assert "Hardware Cost" in simple  # listed in the sidecar


def test_layouts():
    positions = {"Population": (0, 0), "Net Growth": (1, 0), "Fractional Growth Rate": (0, 1)}
    ax = plot_causal_loop_diagram(LOGISTIC, layout=positions)
    placed = {t.get_text(): t.get_position() for t in ax.texts}
    assert placed["Population"] == (0, 0)
    sketch = plot_causal_loop_diagram(LOGISTIC, layout="sketch")
    assert {t.get_text(): t.get_position() for t in sketch.texts}["Population"] == (420, -220)
    with pytest.raises(ModelFileError, match="does not place"):
        plot_causal_loop_diagram(SUPPLY, layout="sketch")
    with pytest.raises(ValueError, match="layout must be"):
        plot_causal_loop_diagram(LOGISTIC, layout="spring")


# ---------------------------------------------------------------- dominance
def test_loop_dominance_plot():
    dominance = flywheel.loop_dominance(LOGISTIC)
    ax = plot_loop_dominance(dominance)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["B1 Crowding", "R1 Births"]  # by mean |relative score|
    assert ax.get_ylim() == (-1.02, 1.02)
    assert ax.get_ylabel() == "relative loop score"
    top = plot_loop_dominance(dominance, top=1)
    assert [t.get_text() for t in top.get_legend().get_texts()] == ["B1 Crowding",
                                                                     "1 other loop"]
    with pytest.raises(ValueError, match="no cycle partition 4"):
        plot_loop_dominance(dominance, partition=4)


def test_loop_dominance_plot_of_a_scenario():
    dominance = flywheel.loop_dominance(LOGISTIC, params={"Maximum Growth Rate": [0.2, 0.6]})
    ax = plot_loop_dominance(dominance, scenario=1)
    assert ax.get_title() == "ltm_logistic: loop dominance"
