"""Loop families (flywheel.loops.families): assignment, sums, the research model, CLI."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import flywheel  # noqa: E402
from flywheel.cli import main  # noqa: E402
from flywheel.loops.families import assign_families  # noqa: E402
from flywheel.loops.names import LoopName  # noqa: E402


@pytest.fixture(scope="module")
def minimal():
    model = flywheel.load("flywheel_minimal")
    dominance = flywheel.loop_dominance(model)
    return dominance, flywheel.loop_families(dominance, model)


@pytest.fixture(scope="module")
def research():
    model = flywheel.load("flywheel")
    dominance = flywheel.loop_dominance(model)
    return dominance, flywheel.loop_families(dominance, model)


def _check_sums(dominance, families):
    rel = dominance["relative_loop_score"].values
    fam = families["relative_family_score"].values
    of = families["loop_family"].values
    for k, family in enumerate(families["family"].values):
        expected = rel[:, of == family].sum(axis=1)
        np.testing.assert_allclose(fam[1:, k], expected[1:], rtol=0, atol=1e-12)
    assert np.isnan(fam[0]).all()
    parts = families["partition"].values
    for part in np.unique(parts):
        assert np.abs(fam[1:, parts == part]).sum(axis=1).max() <= 1 + 1e-12


def test_every_loop_in_exactly_one_family(minimal):
    dominance, families = minimal
    assert families["loop"].values.tolist() == dominance["loop"].values.tolist()
    assert set(families["loop_family"].values) == set(families["family"].values)
    assert int(families["family_members"].sum()) == dominance.sizes["loop"]
    counts = {f: int((families["loop_family"] == f).sum()) for f in families["family"].values}
    assert counts == families["family_members"].to_series().to_dict()
    assert families["loop_family"].sel(loop="R1") == "R1"
    assert families["family_members"].sel(family="R1") == 2


def test_family_scores_are_sums_and_bounded(minimal, research):
    for dominance, families in (minimal, research):
        _check_sums(dominance, families)


def test_most_specific_entry_of_the_loops_polarity_wins_and_named_loops_keep_theirs():
    r1 = LoopName("R1", "Flywheel", ("P", "f"), polarity="reinforcing")
    b1 = LoopName("B1", "Crowding", ("P",), polarity="balancing")
    r3 = LoopName("R3", "Word of mouth", ("P",))  # no polarity stated: takes either
    got = assign_families([b1, r3, r1], [
        ("B1", ("P", "f"), "balancing"),        # named: keeps its own family
        ("L1", ("f", "g", "P"), "reinforcing"),  # R1 lists more variables than R3
        ("L2", ("P", "g"), "balancing"),         # B1 comes before R3 in file order
        ("L3", ("P", "g"), "reinforcing"),       # B1 has the other polarity: R3
        ("L4", ("f", "g"), "balancing"),         # matches nothing
    ])
    assert got == ["B1", "R1", "B1", "R3", None]


def test_research_model_families_name_sidecar_loops(research):
    dominance, families = research
    assert families["family_members"].sel(family="R1") > 1
    assert families["family_name"].sel(family="R1") == "Learning flywheel"
    periods = flywheel.dominant_periods(families)
    assert len(periods) > 0
    ids = set(periods["family"])
    assert not any(i.startswith("L") for i in ids)
    named = ids - {"other"}
    assert named and named <= set(families["family"].values)
    assert all(periods.loc[periods["family"] != "other", "name"] != "")


def test_dominant_periods_choose_families(minimal):
    _, families = minimal
    periods = flywheel.dominant_periods(families, loops=["B3"])
    assert set(periods["family"]) == {"B3"}
    with pytest.raises(flywheel.errors.UnknownLoopError, match="no family 'R9'"):
        flywheel.dominant_periods(families, loops=["R9"])


def test_plot_families(minimal):
    from flywheel.plots import plot_loop_dominance

    ax = plot_loop_dominance(minimal[1])
    assert ax.get_ylabel() == "relative family score"
    labels = ax.get_legend_handles_labels()[1]
    assert "R1 Learning flywheel" in labels
    plt.close("all")


def test_cli_families_prints_family_names(capsys):
    assert main(["dominance", "flywheel_minimal", "--families"]) == 0
    out = capsys.readouterr().out
    assert "4 loop families of 5 loops" in out
    assert "Learning flywheel" in out and "Capacity acquisition" in out
    assert "L8b4b0ede" not in out
    assert main(["dominance", "flywheel", "--families", "--named"]) == 0
    out = capsys.readouterr().out
    rows = [line.split()[1] for line in out.splitlines()[3:]]
    assert rows and all(not r.startswith("L") and r != "other" for r in rows)
