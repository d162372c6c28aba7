"""The page's Bokeh figures: key outputs over time and the loop-dominance band.

The figures read named ``ColumnDataSource`` objects, so the server page, the
offline export and the browser tests all find the data by name:

* ``run``: ``time`` and one column per shown output (the current run);
* ``defaults``: the same for the model's defaults (grey);
* ``pin 1`` ... ``pin 5``: pinned scenarios (empty until pinned);
* ``observed <output>``: the observed levels of one output (``time``, ``observed``);
* ``projection``: ``time`` and ``<output> low``/``high``, the 5-95% band of
  :func:`flywheel.project`'s ensemble (empty until asked for);
* ``families``: ``time`` and, per loop family, ``<id> low`` and ``<id> high``,
  the band it fills: reinforcing families stack up from zero, balancing ones
  down, each as thick as its |relative score|.

Examples
--------
>>> import flywheel
>>> from flywheel.app.runs import Simulator
>>> runs = Simulator(flywheel.load("flywheel_minimal"))
>>> views = build_views(runs, runs.run(runs.defaults))
>>> [name for name in views.sources if not name.startswith("observed")]
['run', 'defaults', 'pin 1', 'pin 2', 'pin 3', 'pin 4', 'pin 5', 'projection']
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from flywheel.app.runs import Simulator

__all__ = ["MAX_PINS", "PIN_COLOURS", "Views", "band_columns", "build_views", "run_columns"]

#: The most scenarios a user can pin.
MAX_PINS = 5
#: Colours of the current run, the defaults, the observations and the pins (Okabe-Ito:
#: distinguishable with the common colour-vision deficiencies).
RUN_COLOUR, DEFAULT_COLOUR, OBSERVED_COLOUR = "#000000", "#b0b0b0", "#d55e00"
PIN_COLOURS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9")
#: Family colours: reinforcing warm, balancing cool, "other" grey.
REINFORCING = ("#d62728", "#ff7f0e", "#8c564b", "#e377c2", "#bcbd22", "#f7b6d2", "#c49c94")
BALANCING = ("#1f77b4", "#17becf", "#2ca02c", "#9467bd", "#aec7e8", "#98df8a", "#c5b0d5")


def run_columns(run: xr.Dataset, names: list[str]) -> dict[str, np.ndarray]:
    """The data of a ``run``-like source: ``time`` and one float64 column per output."""
    return {"time": np.asarray(run["time"].values, dtype=float),
            **{name: np.asarray(run[name].values, dtype=float) for name in names}}


def band_columns(families: xr.Dataset) -> dict[str, np.ndarray]:
    """The data of the ``families`` source: each family's band, stacked by polarity.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> f = xr.Dataset({"relative_family_score": (("time", "family"), [[0.5, -0.3, 0.2]])},
    ...                coords={"time": [2020.0], "family": ["R1", "B1", "R2"]})
    >>> {k: float(v[0]) for k, v in band_columns(f).items()}
    {'time': 2020.0, 'R1 low': 0.0, 'R1 high': 0.5, 'B1 low': -0.3, 'B1 high': 0.0, 'R2 low': 0.5, 'R2 high': 0.7}
    """
    scores = np.nan_to_num(np.asarray(families["relative_family_score"].values, dtype=float))
    columns = {"time": np.asarray(families["time"].values, dtype=float)}
    up = np.zeros(scores.shape[0])
    down = np.zeros(scores.shape[0])
    for k, family in enumerate(families["family"].values):
        positive, negative = np.clip(scores[:, k], 0, None), np.clip(scores[:, k], None, 0)
        columns[f"{family} low"] = np.where(scores[:, k] >= 0, up, down + negative)
        columns[f"{family} high"] = np.where(scores[:, k] >= 0, up + positive, down)
        up, down = up + positive, down + negative
    return columns


def family_colours(families: xr.Dataset) -> dict[str, str]:
    """A distinguishable colour per family: reinforcing warm, balancing cool, mixed grey."""
    counts = {"reinforcing": 0, "balancing": 0}
    colours = {}
    for family, polarity in zip(families["family"].values,
                                families["family_polarity"].values):
        polarity = str(polarity)
        if polarity in counts:
            palette = REINFORCING if polarity == "reinforcing" else BALANCING
            colours[str(family)] = palette[counts[polarity] % len(palette)]
            counts[polarity] += 1
        else:
            colours[str(family)] = "#7f7f7f"
    return colours


@dataclass
class Views:
    """The figures and their named sources."""

    outputs: list = field(default_factory=list)
    band: object = None
    sources: dict = field(default_factory=dict)

    @property
    def grid(self):
        """The outputs in rows of four, then the band, as one Bokeh layout."""
        from bokeh.layouts import column, row

        rows = [row(self.outputs[k:k + 4]) for k in range(0, len(self.outputs), 4)]
        return column(*rows, *([self.band] if self.band is not None else []))


def _wants_log(values: np.ndarray) -> bool:
    from flywheel.plots.runs import _wants_log as wants

    return wants(values)


def build_views(runs: Simulator, baseline: xr.Dataset, families: xr.Dataset | None = None,
                *, pins: bool = True, width: int = 295, height: int = 230) -> Views:
    """The output figures (current run, defaults, observations, pins) and the dominance band.

    Parameters
    ----------
    runs : Simulator
    baseline : xarray.Dataset
        The run with the defaults (also the first current run).
    families : xarray.Dataset, optional
        Loop families of the defaults; no band when None.
    pins : bool
        Add the empty ``pin 1`` ... sources and their lines.
    """
    from bokeh.models import (ColumnDataSource, HoverTool, Label, Legend, LegendItem,
                              SingleIntervalTicker, Span)
    from bokeh.plotting import figure

    views = Views()
    names = runs.shown
    data = run_columns(baseline, names)
    views.sources["run"] = ColumnDataSource(data, name="run")
    views.sources["defaults"] = ColumnDataSource(dict(data), name="defaults")
    empty = {key: np.array([]) for key in data}
    if pins:
        for k in range(1, MAX_PINS + 1):
            views.sources[f"pin {k}"] = ColumnDataSource(dict(empty), name=f"pin {k}")
        views.sources["projection"] = ColumnDataSource(
            {"time": np.array([]), **{f"{n} {q}": np.array([]) for n in names
                                      for q in ("low", "high")}}, name="projection")
    units = {name: runs.model.elements[name].units for name in names}
    observed = runs.observations
    time_units = runs.model.elements["INITIAL TIME"].units
    for index, name in enumerate(names):
        log = _wants_log(data[name])
        fig = figure(title=name, height=height, width=width,
                     y_axis_type="log" if log else "linear", tools="pan,box_zoom,reset,save",
                     x_axis_label=f"time [{time_units}]", y_axis_label=units[name] or None,
                     name=f"figure {name}")
        fig.title.text_font_size = "11pt"
        fig.xaxis.ticker = SingleIntervalTicker(interval=5, num_minor_ticks=5)
        fig.yaxis.axis_label_text_font_size = "9pt"
        items = []
        if pins:
            band = fig.varea("time", f"{name} low", f"{name} high",
                             source=views.sources["projection"], fill_color=PIN_COLOURS[4],
                             fill_alpha=0.3)
            items.append(LegendItem(label="5-95% of the ensemble", renderers=[band],
                                    name="legend projection", visible=False))
        items.append(LegendItem(label="defaults", renderers=[fig.line(
            "time", name, source=views.sources["defaults"], color=DEFAULT_COLOUR,
            line_width=4)]))
        if pins:
            for k in range(1, MAX_PINS + 1):
                line = fig.line("time", name, source=views.sources[f"pin {k}"],
                                color=PIN_COLOURS[k - 1], line_width=2, line_dash="dashed",
                                visible=False, name=f"pin {k} {name}")
                items.append(LegendItem(label=f"pin {k}", renderers=[line], name=f"legend pin {k}",
                                        visible=False))
        current = fig.line("time", name, source=views.sources["run"], color=RUN_COLOUR,
                           line_width=2)
        items.append(LegendItem(label="this run", renderers=[current]))
        points = observed[observed["variable"] == name]
        if len(points):
            source = ColumnDataSource({"time": points["time"].to_numpy(float),
                                       "observed": points["observed"].to_numpy(float),
                                       "series": points["series"].astype(str).to_numpy()},
                                      name=f"observed {name}")
            views.sources[f"observed {name}"] = source
            items.append(LegendItem(label="observed", renderers=[fig.scatter(
                "time", "observed", source=source, color=OBSERVED_COLOUR, size=7)]))
        if runs.history_end is not None:
            fig.add_layout(Span(location=runs.history_end, dimension="height",
                                line_color="#555555", line_dash="dotted", line_width=1.5))
            fig.add_layout(Label(x=runs.history_end, y=4, x_units="data", y_units="screen",
                                 text=" history | projection", text_font_size="8pt",
                                 text_color="#555555"))
        fig.add_tools(HoverTool(renderers=[current], tooltips=[
            ("time", "@time{0.00}"), (name, f"@{{{name}}}{{0.[000]a}} {units[name]}")],
            mode="vline"))
        if index == 0:
            legend = Legend(items=items, location="bottom_left", click_policy="hide",
                            label_text_font_size="8pt", spacing=0, padding=4)
            fig.add_layout(legend)
        views.outputs.append(fig)
    if families is not None:
        views.band = band_figure(families, views.sources, time_units, width=4 * width, height=height + 40)
    return views


def band_figure(families: xr.Dataset, sources: dict, time_units: str, *, width: int = 1180,
                height: int = 270):
    """The loop-dominance band: each family's |relative score|, stacked by polarity."""
    from bokeh.models import ColumnDataSource, Legend, LegendItem, SingleIntervalTicker, Span
    from bokeh.plotting import figure

    source = ColumnDataSource(band_columns(families), name="families")
    sources["families"] = source
    fig = figure(title="Loop dominance by loop family (relative score: reinforcing up, "
                       "balancing down; Loops That Matter)", height=height, width=width,
                 y_range=(-1.05, 1.05), tools="pan,box_zoom,reset,save",
                 x_axis_label=f"time [{time_units}]", y_axis_label="relative score",
                 name="figure dominance")
    fig.xaxis.ticker = SingleIntervalTicker(interval=1, num_minor_ticks=4)
    colours = family_colours(families)
    items = []
    for family, label in zip(families["family"].values, families["family_name"].values):
        family = str(family)
        area = fig.varea("time", f"{family} low", f"{family} high", source=source,
                         fill_color=colours[family], fill_alpha=0.85)
        items.append(LegendItem(label=f"{family} {label}", renderers=[area]))
    fig.add_layout(Span(location=0, dimension="width", line_color="black", line_width=1))
    fig.add_layout(Legend(items=items, location="top_left", click_policy="hide",
                          label_text_font_size="8pt", spacing=0, padding=4), "right")
    return fig
