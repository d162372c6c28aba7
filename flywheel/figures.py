"""Regenerate every figure the README and the workshop show.

:func:`make_figures` runs the bundled models and writes one PNG per figure
into a folder; ``flywheel figures OUTDIR`` is the same from a shell. The
committed copies in ``docs/figures/`` are its output.

========================  ===================================================
file                      what it shows
========================  ===================================================
baseline.png              the research model's baseline: unit cost, usage,
                          adopters, spend, capex, inference share, capacity,
                          utilisation, 2020-2040, with the observed data and
                          the end of the history
bands.png                 the research model's projection: 5-95% bands of an
                          ensemble of 500 over the calibrated intervals and
                          the least-grounded assumptions, with the data
jevons_decomposition.png  the change in total and inference compute spend
                          since 2025 split into the price part, the non-price
                          part and their interaction
causal_loop_diagram.png   the research model's named feedback loops (R1-R7,
                          B1-B6) as a causal loop diagram
stock_flow_minimal.png    the workshop model's stock-and-flow diagram (its
                          Vensim sketch)
jevons_phase.png          the Jevons phase diagram: spend ratio over price
                          elasticity and learning rate, workshop model and
                          research model, with the threshold (ratio = 1)
loop_dominance.png        Loops That Matter: which loop dominates when, in
                          the workshop model, and which loop family (a named
                          loop with its parallel variants) in the research model
jevons_threshold.png      the figure of ``docs/experiments.md``: phase diagram
                          and spend ratio against elasticity, workshop model
                          (total spend) and research model (inference and
                          total spend), 2025-2035
========================  ===================================================

Figures are drawn on :class:`matplotlib.figure.Figure` objects, never
registered with :mod:`matplotlib.pyplot`, so a caller's open figures are
left alone and nothing accumulates.

Examples
--------
>>> import tempfile
>>> from flywheel.figures import make_figures
>>> with tempfile.TemporaryDirectory() as folder:
...     paths = make_figures(folder, grid=(5, 3), only=["baseline.png"])
...     [p.name for p in paths]
['baseline.png']
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import flywheel
from flywheel.errors import ParameterValueError
from flywheel.model import Model
from flywheel.outputs import save_figure

__all__ = ["BASELINE_OUTPUTS", "FIGURES", "make_figures"]

#: The research model's outputs on the baseline figure, in panel order.
BASELINE_OUTPUTS = (
    "Unit Inference Cost",
    "Tokens Served",
    "Adopters",
    "Total Compute Spend",
    "Capex",
    "Inference Share of Compute Spend",
    "Installed Compute",
    "Utilization",
)

#: Default grid of the Jevons phase diagrams: (elasticity points, learning-rate points).
DEFAULT_GRID = (41, 21)

#: Years of each model's spend ratio on the phase diagram. The workshop model's
#: demand is almost all price-driven by 2025; the research model's adoption, reasoning and
#: capability keep spend growing through the late 2020s at any elasticity, so
#: its flip shows once adoption saturates.
PHASE_YEARS = {"flywheel_minimal": (2025, 2035), "flywheel": (2030, 2040)}

_DPI = 100


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _year_ticks(ax) -> None:
    """Whole years on the time axis (the panels are too narrow for 2022.5 labels)."""
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))


def _baseline(models: _Models, grid: tuple[int, int]):
    from flywheel.experiments.projection import history_end, observed_points
    from flywheel.plots import plot_run

    model = models["flywheel"]
    run = flywheel.simulate(model, return_columns=list(BASELINE_OUTPUTS))
    figure = _figure(15, 6.6)
    axes = figure.subplots(2, 4)
    plot_run(run, list(BASELINE_OUTPUTS), axes=axes, observations=observed_points(model, run),
             history_end=history_end(model),
             title="The AI compute flywheel: baseline of the research model, 2020-2040")
    for ax in axes.ravel():
        _year_ticks(ax)
    return figure


#: Seed and size of the projection ensemble of bands.png.
BANDS_SEED, BANDS_MEMBERS = 0, 500


def _bands(models: _Models, grid: tuple[int, int]):
    from flywheel.experiments.projection import observed_points
    from flywheel.plots import plot_bands

    model = models["flywheel"]
    bands = flywheel.project(model, n=BANDS_MEMBERS, seed=BANDS_SEED,
                             outputs=list(BASELINE_OUTPUTS))
    run = flywheel.simulate(model, return_columns=list(BASELINE_OUTPUTS))
    figure = _figure(15, 6.6)
    axes = figure.subplots(2, 4)
    plot_bands(bands, list(BASELINE_OUTPUTS), axes=axes,
               observations=observed_points(model, run),
               title=f"The research model's projection: 5-95% bands of {BANDS_MEMBERS} runs "
                     "over the calibrated intervals and the least-grounded assumptions")
    for ax in axes.ravel():
        _year_ticks(ax)
    return figure


def _jevons_decomposition(models: _Models, grid: tuple[int, int]):
    from flywheel.plots.decomposition import plot_jevons_decomposition

    parts = flywheel.jevons_decomposition(models["flywheel"])
    figure = _figure(13, 4.8)
    for ax, output in zip(figure.subplots(1, 2), ("Total Compute Spend",
                                                  "Inference Compute Spend")):
        plot_jevons_decomposition(parts, output, ax=ax)
        _year_ticks(ax)
    figure.suptitle("Jevons, price-only: the change in spend since 2025 from the price fall, "
                    "from non-price growth, and from both together")
    return figure


def _causal_loop_diagram(models: _Models, grid: tuple[int, int]):
    from flywheel.plots import plot_causal_loop_diagram

    figure = _figure(17.6, 12.7)
    plot_causal_loop_diagram(models["flywheel"], ax=figure.add_subplot())
    return figure


def _stock_flow(models: _Models, grid: tuple[int, int]):
    from flywheel.plots import plot_stock_flow_diagram

    figure = _figure(17, 9)
    plot_stock_flow_diagram(models["flywheel_minimal"], ax=figure.add_subplot(), fontsize=11)
    return figure


def _jevons_phase(models: _Models, grid: tuple[int, int]):
    from flywheel.plots import plot_phase_diagram

    figure = _figure(15, 5.6)
    left, right = figure.subplots(1, 2)
    for ax, name in ((left, "flywheel_minimal"), (right, "flywheel")):
        result = flywheel.jevons_threshold(models[name], n=grid, years=PHASE_YEARS[name],
                                  progress=False)
        plot_phase_diagram(result, ax=ax)
        start, end = PHASE_YEARS[name]
        label = "workshop model" if name == "flywheel_minimal" else "research model"
        ax.set_title(f"{label} ({name}): total compute spend {end} / {start}")
    figure.suptitle("The Jevons threshold: where cheaper inference raises total spend "
                    "(red) or lowers it (blue)")
    return figure


def _loop_dominance(models: _Models, grid: tuple[int, int]):
    from flywheel.plots import plot_loop_dominance

    figure = _figure(13, 9)
    top, bottom = figure.subplots(2, 1)
    minimal = flywheel.loop_families(flywheel.loop_dominance(models["flywheel_minimal"]),
                            models["flywheel_minimal"])
    plot_loop_dominance(minimal, partition=_busiest(minimal), ax=top)
    top.set_title("workshop model (flywheel_minimal): the capacity and learning loops")
    research = models["flywheel"]
    dominance = flywheel.loop_dominance(research)
    families = flywheel.loop_families(dominance, research)
    plot_loop_dominance(families, ax=bottom)
    bottom.set_title(f"research model (flywheel): its {dominance.sizes['loop']} loops in "
                     f"{families.sizes['family']} families (a named loop with its variants)")
    figure.suptitle("Which loop dominates when (Loops That Matter: relative scores of each "
                    "named loop with its parallel variants)")
    return figure


def _jevons_threshold(models: _Models, grid: tuple[int, int]):
    """The figure of docs/experiments.md, drawn by the code printed there."""
    from flywheel.plots import plot_phase_diagram, plot_threshold_1d

    n = (grid[0], min(grid[1], 15))
    figure = _figure(12, 8)
    axes = figure.subplots(2, 2)
    minimal = flywheel.jevons_threshold(models["flywheel_minimal"], n=n, progress=False)
    plot_phase_diagram(minimal, ax=axes[0, 0])
    plot_threshold_1d(minimal, ax=axes[0, 1])
    inference = flywheel.jevons_threshold(models["flywheel"], spend="Inference Compute Spend",
                                          n=n, progress=False)
    plot_phase_diagram(inference, ax=axes[1, 0])
    plot_threshold_1d(inference, ax=axes[1, 1])
    total = flywheel.jevons_threshold(models["flywheel"], y=None, n=n[0], progress=False)
    axes[1, 1].plot(total["Price Elasticity of Demand"], total["spend ratio"], ".-", color="C3")
    return figure


def _busiest(dominance) -> int:
    """The cycle partition with the most loops or families (the flywheel's, not adoption's)."""
    partitions = list(dominance["partition"].values)
    return max(set(partitions), key=partitions.count)


class _Models(dict):
    """The bundled models, each loaded when a figure first asks for it."""

    def __missing__(self, name: str) -> Model:
        self[name] = flywheel.load(name)
        return self[name]


#: File name -> the function that draws it.
FIGURES: dict[str, Callable] = {
    "baseline.png": _baseline,
    "bands.png": _bands,
    "jevons_decomposition.png": _jevons_decomposition,
    "causal_loop_diagram.png": _causal_loop_diagram,
    "stock_flow_minimal.png": _stock_flow,
    "jevons_phase.png": _jevons_phase,
    "loop_dominance.png": _loop_dominance,
    "jevons_threshold.png": _jevons_threshold,
}


def make_figures(outdir: str | Path, *, grid: Sequence[int] = DEFAULT_GRID,
                 only: Sequence[str] | None = None, dpi: int = _DPI) -> list[Path]:
    """Draw the README's and the workshop's figures and write them as PNG.

    Parameters
    ----------
    outdir : str or path
        The folder to write to (created if missing); existing files of the
        same names are replaced.
    grid : (int, int)
        Points of the Jevons sweep along price elasticity and learning rate.
        Smaller grids are faster (the tests use a few points); the committed
        figures use :data:`DEFAULT_GRID`.
    only : sequence of str, optional
        File names from :data:`FIGURES` to draw (default: all).
    dpi : int
        Resolution of the PNG files.

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of :data:`FIGURES`.

    Raises
    ------
    ParameterValueError
        An unknown name in `only` (the message lists the figures), or a grid
        that is not two counts of at least 2.
    """
    names = list(FIGURES) if only is None else list(dict.fromkeys(only))
    unknown = [name for name in names if name not in FIGURES]
    if unknown:
        raise ParameterValueError(
            f"unknown figure(s) {', '.join(map(repr, unknown))}; the figures are "
            f"{', '.join(FIGURES)}")
    counts = tuple(grid)
    if len(counts) != 2 or any(isinstance(k, bool) or not isinstance(k, int) or k < 2
                               for k in counts):
        raise ParameterValueError(f"grid must be two integers of at least 2, got {grid!r}")
    folder = Path(outdir)
    folder.mkdir(parents=True, exist_ok=True)
    models = _Models()
    written = []
    for name in names:
        figure = FIGURES[name](models, counts)
        path = folder / name
        written.append(save_figure(figure, path, dpi=dpi, bbox_inches="tight"))
    return written
