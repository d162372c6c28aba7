"""Benchmark one live-slider re-simulation of the research model (notebook 06).

Usage::

    python benchmarks/bench_sliders.py [--repeat 30] [--model flywheel]

A slider change in ``notebooks/06_workshop_exercises.ipynb`` re-simulates the
research model, 2020-2040, with the eight feedback strengths as set on the
sliders, and recomputes what the figure shows:

* the run: :func:`flywheel.simulate` with ``return_columns`` limited to the six
  plotted outputs;
* the loop-dominance summary: :func:`flywheel.loop_dominance` of all the
  model's loops (found once, reused) at the model's TIME STEP, reported at its
  SAVEPER, :func:`flywheel.loop_families` and :func:`flywheel.dominant_periods`
  of the families.

Each repeat moves one slider to a new value (as a user does), so nothing is
reused from the previous call except what the notebook also keeps (the loaded
model, its loops, a compiled kernel). Paths timed:

* **euler (numpy)**: ``method="euler"``, the vectorised numpy engine;
* **RK45**: ``simulate``'s default adaptive method (the loop scores use Euler
  whatever the run's method, as Loops That Matter assumes);
* **euler (jit)**: ``method="euler", jit=True``, the whole run as one numba loop
  (only with numba installed; its one-off compilation is reported separately).

Printed: best and median wall time per re-simulation in milliseconds, with the
split between the run and the dominance summary; for reference, the time to
draw the figure (matplotlib, rendered to PNG in memory). The target is a re-simulation (run + summary data) under
100 ms.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
import warnings

__all__ = ["main"]

SHOWN = ["Unit Inference Cost", "Tokens Served", "Total Compute Spend", "Capex",
         "Utilization", "Inference Share of Compute Spend"]
STRENGTHS = ["Price Elasticity of Demand", "Learning Rate", "Capability Elasticity of Demand",
             "Scarcity Pricing Strength", "Imitation Coefficient",
             "Training Reinvestment Fraction", "Supply Line Weight", "Forecast Horizon"]
TARGET_MS = 100.0


def _slider_values(model, repeat: int) -> list[dict[str, float]]:
    """`repeat` settings, each moving one strength to a new point of its range."""
    import numpy as np

    defaults = {name: model.constants[name] for name in STRENGTHS}
    settings = []
    for k in range(repeat):
        name = STRENGTHS[k % len(STRENGTHS)]
        low, high = model.element(name).range
        settings.append({**defaults, name: float(np.linspace(low, high, repeat + 2)[k + 1])})
    return settings


def _time_path(model, loops, options: dict, settings: list[dict]) -> dict[str, list[float]]:
    import flywheel

    times: dict[str, list[float]] = {"run": [], "summary": [], "total": []}
    for values in settings:
        start = time.perf_counter()
        flywheel.simulate(model, params=values, return_columns=SHOWN, **options)
        ran = time.perf_counter()
        dominance = flywheel.loop_dominance(model, params=values, loops=loops)
        flywheel.dominant_periods(flywheel.loop_families(dominance, model))
        done = time.perf_counter()
        times["run"].append(ran - start)
        times["summary"].append(done - ran)
        times["total"].append(done - start)
    return times


def _draw_time(model, loops, repeat: int) -> float:
    """Median time to draw the notebook's figure and render it to PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import flywheel
    from flywheel.plots import plot_variable

    values = {name: model.constants[name] for name in STRENGTHS}
    run = flywheel.simulate(model, params=values, method="euler", return_columns=SHOWN)
    families = flywheel.loop_families(
        flywheel.loop_dominance(model, params=values, loops=loops), model)
    shares = families["relative_family_score"].sel(time=slice(2025, None)).mean("time").values
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fig, axes = plt.subplot_mosaic([["a", "b", "c", "loops"], ["d", "e", "f", "loops"]],
                                       figsize=(17, 6.6), layout="constrained")
        for key, name in zip("abcdef", SHOWN):
            plot_variable(run, name, ax=axes[key])
        axes["loops"].barh(list(families["family"].values), shares)
        fig.savefig(io.BytesIO(), format="png", dpi=72)
        plt.close(fig)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="flywheel", help="bundled model or file (default flywheel)")
    parser.add_argument("--repeat", type=int, default=30, help="re-simulations per path (default 30)")
    parser.add_argument("--no-draw", action="store_true", help="skip timing the figure")
    args = parser.parse_args(argv)

    import flywheel

    model = flywheel.load(args.model)
    loops = flywheel.feedback_loops(model)
    settings = _slider_values(model, args.repeat)
    paths = {"euler (numpy)": {"method": "euler"}, "RK45": {"method": "RK45"}}
    try:
        start = time.perf_counter()
        flywheel.simulate(model, params=settings[0], return_columns=SHOWN, method="euler",
                          jit=True)
        compile_time = time.perf_counter() - start
        paths["euler (jit)"] = {"method": "euler", "jit": True}
    except ValueError as error:
        compile_time = None
        print(f"jit path skipped: {error}")
    # warm up: first-call costs (compiling the model, building the evaluator) are not per slider
    _time_path(model, loops, paths["euler (numpy)"], settings[:2])
    print(f"{model.name}: {len(loops)} loops scored, in families, at the model's TIME STEP "
          f"{model.control['TIME STEP']:g}, reported every {model.control['SAVEPER']:g}; "
          f"{args.repeat} slider changes per path; times in ms")
    if compile_time is not None:
        print(f"jit kernel: first call (numba compilation) {_ms(compile_time).strip()} ms, once "
              "per session")
    print(f"{'path':16} {'best':>8} {'median':>8}   {'run':>7} {'summary':>8}  (medians)  target")
    for label, options in paths.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            times = _time_path(model, loops, options, settings)
        best, median = min(times["total"]), statistics.median(times["total"])
        verdict = "ok" if median < TARGET_MS / 1000 else f"over {TARGET_MS:g} ms"
        print(f"{label:16} {_ms(best)} {_ms(median)}   {_ms(statistics.median(times['run']))} "
              f"{_ms(statistics.median(times['summary']))}             {verdict}")
    if not args.no_draw:
        print(f"drawing the figure (matplotlib, PNG in memory): median "
              f"{_ms(_draw_time(model, loops, 5)).strip()} ms, not part of the target")


if __name__ == "__main__":
    main()
