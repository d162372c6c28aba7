"""``flywheel export-html``: the workshop page as one HTML file, for a room without Python.

The file needs no server, no Python and no network: Bokeh's scripts are
inlined, and every run the sliders can reach is precomputed. Two or three
strengths (``vary``) each take `points` values evenly spread over their range;
the grid's runs (:class:`flywheel.app.runs.Simulator`, the page's method,
in one batch) keep the shown outputs at whole years as float32, and the
loop-dominance band (loop families, stacked as on the page) likewise. A
slider snaps to the grid and a few lines of JavaScript copy that run's slice
into the plotted sources; the figures are those of the served page
(:mod:`flywheel.app.figures`).

Size: with 3 strengths x 9 values (729 runs), 8 outputs and 11 loop families
the research model's file is about 4 MB, most of it the band and Bokeh's
scripts (``flywheel export-html`` prints the size).

Examples
--------
>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp()) / "minimal.html"
>>> path = export_html("flywheel_minimal", out, points=3)
>>> import re  # no script or style loaded from anywhere: all inline
>>> re.findall(r"<(?:script|link)[^>]*(?:src|href)=", path.read_text(encoding="utf-8"))
[]
"""

from __future__ import annotations

import html
import itertools
import os
import re
import tempfile
from pathlib import Path

import numpy as np
import xarray as xr

from flywheel.app.figures import band_columns, build_views
from flywheel.app.runs import Simulator
from flywheel.errors import ParameterValueError
from flywheel.model import Model, load

__all__ = ["export_html", "grid_runs"]

#: Scenarios per batch of loop scores (each batch holds every loop's scores in memory).
BATCH = 81

#: Copies the grid slice of the sliders' setting into the plotted sources.
CALLBACK = """
const n = sliders.length;
let flat = 0;
for (let k = 0; k < n; k++) {
  const s = sliders[k];
  const index = Math.round((s.value - s.start) / s.step);
  flat = flat * points + Math.min(Math.max(index, 0), points - 1);
}
const T = times.length;
const take = (names) => {
  const out = {time: times};
  for (const name of names) out[name] = grid.data[name].slice(flat * T, (flat + 1) * T);
  return out;
};
run.data = take(outputs);
families.data = take(bands);
"""


def grid_runs(runs: Simulator, vary: list[str], points: int) -> tuple[
        list[np.ndarray], xr.Dataset, xr.Dataset]:
    """The grid's values, its runs at whole years and their loop families.

    Returns
    -------
    axes : list of numpy.ndarray
        Each varied strength's `points` values.
    run : xarray.Dataset
        The shown outputs, ``scenario`` in C order over `axes` (the last varies fastest).
    families : xarray.Dataset
        :meth:`Simulator.families` of the same scenarios, at the same times.
    """
    import flywheel

    model = runs.model
    axes = []
    for name in vary:
        low, high = model.element(name).range
        if low is None or high is None:
            raise ParameterValueError(f"--vary {name!r}: the constant has no range [min,max] "
                                      "in the model file, so its grid has no ends")
        axes.append(np.linspace(low, high, points))
    mesh = np.array(list(itertools.product(*axes))).T
    params = {**runs.defaults, **{name: values for name, values in zip(vary, mesh)}}
    run = runs.run(params, saveper=1.0)
    years = run["time"].values
    parts = []
    for start in range(0, mesh.shape[1], BATCH):
        chunk = {k: (v[start:start + BATCH] if isinstance(v, np.ndarray) else v)
                 for k, v in params.items()}
        dominance = flywheel.loop_dominance(model, params=chunk, loops=runs.loops, saveper=1.0)
        scores = flywheel.loop_families(dominance, model)
        parts.append(scores[["relative_family_score", "family_polarity"]])
    families = xr.concat(parts, dim="scenario", data_vars="minimal", coords="minimal",
                         compat="override")
    families = families.assign_coords(time=years)
    return axes, run, families


def export_html(model: Model | str | Path = "flywheel", out: str | Path = "workshop.html", *,
                vary: list[str] | None = None, points: int = 9) -> Path:
    """Write the offline workshop page of `model` to `out` and return its path.

    Parameters
    ----------
    model : Model, str or path
    out : path
        The HTML file (written atomically: a temporary file, then renamed).
    vary : list of str, optional
        The two or three constants on the sliders (default: the first three
        feedback strengths); each needs a range in the model file.
    points : int
        Values per constant (2 to 25).

    Raises
    ------
    ParameterValueError
        Not 2-3 distinct constants, a constant without a range, or `points`
        outside 2-25.
    """
    from bokeh.embed import file_html
    from bokeh.layouts import column, row
    from bokeh.models import ColumnDataSource, CustomJS, Div, Slider
    from bokeh.resources import INLINE

    model = model if isinstance(model, Model) else load(model)
    runs = Simulator(model)
    vary = [model.resolve(name) for name in (vary or runs.strengths[:3])]
    if not 2 <= len(vary) <= 3 or len(set(vary)) != len(vary):
        raise ParameterValueError(f"--vary takes two or three different constants, got "
                                  f"{', '.join(vary) or 'none'}")
    for name in vary:
        if name not in model.constants:
            raise ParameterValueError(f"--vary {name!r} is a {model.elements[name].kind}, "
                                      "not a constant")
    if not 2 <= points <= 25:
        raise ParameterValueError(f"--points must be 2 to 25, got {points}")
    out = Path(out)
    if out.suffix.lower() not in (".html", ".htm"):
        raise ParameterValueError(f"the output must be an .html file, got {str(out)!r}")

    axes, run, families = grid_runs(runs, vary, points)
    nearest = [int(np.argmin(np.abs(values - runs.defaults[name])))
               for name, values in zip(vary, axes)]
    start = int(np.ravel_multi_index(nearest, [points] * len(vary)))
    first_run = run.isel(scenario=start)
    first_families = families.isel(scenario=start)
    first_families = first_families.assign(family_name=families["family_name"])
    baseline = runs.run(runs.defaults, saveper=1.0)
    views = build_views(runs, baseline, first_families, pins=False)
    names = runs.shown
    band = band_columns(first_families)
    band_names = [key for key in band if key != "time"]
    grid = {name: np.ascontiguousarray(run[name].transpose("scenario", "time").values,
                                       dtype=np.float32).ravel() for name in names}
    stacked = [band_columns(families.isel(scenario=k)) for k in range(run.sizes["scenario"])]
    for key in band_names:
        grid[key] = np.concatenate([s[key] for s in stacked]).astype(np.float32)
    source = ColumnDataSource(grid, name="grid")
    times = run["time"].values.astype(float)
    views.sources["run"].data = {"time": times, **{n: grid[n][start * len(times):(start + 1)
                                                              * len(times)] for n in names}}
    views.sources["families"].data = {"time": times, **{k: grid[k][start * len(times):(
        start + 1) * len(times)] for k in band_names}}
    sliders = []
    for name, values, index in zip(vary, axes, nearest):
        units = model.elements[name].units
        sliders.append(Slider(title=f"{name} [{units}]" if units else name,
                              start=float(values[0]), end=float(values[-1]),
                              step=float(values[1] - values[0]), value=float(values[index]),
                              width=360, format="0[.]000", name=f"slider {name}"))
    callback = CustomJS(args={"sliders": sliders, "grid": source, "run": views.sources["run"],
                              "families": views.sources["families"], "times": list(times),
                              "outputs": names, "bands": band_names, "points": points},
                        code=CALLBACK)
    for slider in sliders:
        slider.js_on_change("value", callback)
    header = Div(text=(
        f"<h2>flywheel workshop: {html.escape(model.name)} (offline)</h2><p>Each slider "
        f"snaps to {points} values over its range; the {run.sizes['scenario']} runs were "
        f"computed with method <b>{html.escape(runs.method)}</b> (flywheel.simulate) and are "
        "shown at whole years. Black: this setting; grey: the model's defaults; dots: "
        "observed data; dotted line: the end of history. Below: loop dominance by loop "
        "family. For every other constant, use <code>flywheel serve</code>.</p>"), width=1200)
    layout = column(header, row(column(*sliders, width=380), views.grid))
    page = file_html(layout, resources=INLINE, title=f"flywheel workshop: {model.name}")
    # Panel, when imported in this process, adds its module-shim script by a server path
    # to every Bokeh page; this page uses no Panel model, and a file cannot load it.
    page = re.sub(r'<script src="static/[^"]*"></script>\n?', "", page)
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=out.parent, suffix=".html.tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(page)
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return out
