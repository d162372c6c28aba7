"""The workshop page (Panel): one :class:`Workshop` per browser tab.

Sliders for the feedback strengths, grouped by the model's sectors, each
with its units in the label and its documentation, range and default in a
tooltip; any other constant through the search box. Every change
re-simulates (:class:`flywheel.app.runs.Simulator`) and patches the named
Bokeh sources of :mod:`flywheel.app.figures`; the settings go into the
page's URL, so the address is a shareable scenario.

Tabs: the run (key outputs, observations, end of history, pins, dominance
band), the causal loop diagram with the family that dominates at a chosen
time, the Jevons phase diagram for two chosen strengths, and the exercises.

Examples
--------
>>> import flywheel
>>> from flywheel.app.runs import Simulator
>>> page = Workshop(Simulator(flywheel.load("flywheel_minimal")),
...                 query={"Learning Rate": [b"0.3"]})
>>> page.values()["Learning Rate"]
0.3
>>> page.pin()
>>> page.pins
1
"""

from __future__ import annotations

import io
import time
from collections.abc import Mapping

import panel as pn
import numpy as np
from bokeh.core.properties import value as bokeh_value

from flywheel.app.controls import parse_settings, query_string, slider_specs
from flywheel.app.exercises import EXERCISES
from flywheel.app.figures import MAX_PINS, band_columns, build_views, run_columns
from flywheel.app.runs import Simulator
from flywheel.errors import FlywheelError

__all__ = ["Workshop"]

class Workshop:
    """The page of one session.

    Parameters
    ----------
    runs : Simulator
        Shared by every session of the process (the model, its loops, the kernel).
    query : mapping, optional
        The page URL's arguments (constant name to value): applied, each held
        to its range; problems are listed on the page.
    """

    def __init__(self, runs: Simulator, query: Mapping[str, object] | None = None) -> None:
        self.runs = runs
        model = runs.model
        self.baseline, self.baseline_families = runs.baseline
        self.views = build_views(runs, self.baseline, self.baseline_families)
        self.pins = 0
        self.pinned: dict[str, object] = {}
        self.current = self.baseline
        self.families = self.baseline_families
        self.defaults = {name: float(value) for name, value in model.constants.items()}
        self.sliders: dict[str, pn.widgets.FloatSlider] = {}
        sectors: dict[str, list] = {}
        for spec in slider_specs(model, runs.strengths):
            slider = self._slider(spec)
            self.sliders[spec.name] = slider
            sectors.setdefault(spec.sector, []).append(
                pn.Row(slider, pn.widgets.TooltipIcon(value=spec.tooltip), margin=0))
        others = sorted(set(model.constants) - set(self.sliders))
        self.search = pn.widgets.AutocompleteInput(
            label="Any other constant (type to search)", options=others, case_sensitive=False,
            search_strategy="includes", min_characters=1, placeholder="e.g. Maximum Utilization",
            sizing_mode="stretch_width")
        self.search.param.watch(self._add_constant, "value")
        self.extra = pn.Column(sizing_mode="stretch_width")
        self.status = pn.pane.Markdown("", sizing_mode="stretch_width", name="status")
        self.problems = pn.pane.Alert("", alert_type="warning", visible=False)
        pin = pn.widgets.Button(label="Pin this run", color="primary")
        pin.on_click(lambda _: self._locked(self.pin))
        unpin = pn.widgets.Button(label="Clear pins")
        unpin.on_click(lambda _: self._locked(self.clear_pins))
        reset = pn.widgets.Button(label="Reset to defaults")
        reset.on_click(lambda _: self._locked(self.reset))
        project = pn.widgets.Button(label="Projection band (ensemble of the uncertain "
                                    "constants)", visible=runs.has_projection)
        project.on_click(lambda _: self._locked(self.project))
        csv = pn.widgets.FileDownload(callback=self.csv, filename=f"{model.name}_run.csv",
                                      label="Download run (CSV)")
        png = pn.widgets.FileDownload(callback=self.png, filename=f"{model.name}_run.png",
                                      label="Download figure (PNG)")
        self.sidebar = pn.Column(
            pn.pane.Markdown(f"### {model.name}\nFeedback strengths by sector; hover the "
                             "**?** for units, range and source."),
            *[pn.Card(*rows, title=sector, collapsible=True, sizing_mode="stretch_width")
              for sector, rows in sectors.items()],
            self.search, self.extra, pn.Row(pin, unpin), reset, project, pn.Row(csv, png),
            width=400)
        self.tabs = pn.Tabs(
            ("Run", pn.Column(self.status, self.problems, pn.pane.Bokeh(self.views.grid),
                              sizing_mode="stretch_width")),
            ("Loop diagram", self._diagram_tab()),
            ("Jevons", self._jevons_tab()),
            ("Exercises", self._exercises_tab()),
            dynamic=True, sizing_mode="stretch_width")
        self.tabs.param.watch(self._tab_shown, "active")
        values, problems = parse_settings(model, query or {})
        self._show_problems(problems)
        self._applying = True
        for name, value in values.items():
            if name not in self.sliders:
                self._extra_widget(name)
            self._widget(name).value = value
        self._applying = False
        self.update()

    # ---- widgets -------------------------------------------------------------------------
    def _slider(self, spec) -> pn.widgets.FloatSlider:
        label = f"{spec.name} [{spec.units}]" if spec.units else spec.name
        slider = pn.widgets.FloatSlider(label=label, start=spec.low, end=spec.high,
                                        step=spec.step, value=spec.default,
                                        format="0[.]000", sizing_mode="stretch_width")
        slider.param.watch(self._changed, "value_throttled")
        return slider

    def _widget(self, name: str):
        return self.sliders.get(name) or self._extras[name]

    @property
    def _extras(self) -> dict:
        return {w.tags[0]: w for w in self.extra.objects if w.tags}

    def _extra_widget(self, name: str):
        if name in self._extras:
            return self._extras[name]
        spec = slider_specs(self.runs.model, [name])[0]
        slider = self._slider(spec)
        slider.tags = [name]
        self.extra.append(slider)
        return slider

    def _add_constant(self, event) -> None:
        if not event.new:
            return
        values, problems = parse_settings(self.runs.model, {event.new: str(
            self.defaults.get(event.new, "nan"))})
        self._show_problems(problems)
        for name in values:
            self._extra_widget(name)
        self.search.value = ""

    @staticmethod
    def _locked(job) -> None:
        """Run `job`, which changes Bokeh models, holding the served document's lock."""
        document = pn.state.curdoc
        if document is not None and document.session_context is not None:
            document.add_next_tick_callback(job)
        else:
            job()

    def _tab_shown(self, event) -> None:
        if event.new == 1 and self._draw_diagram is not None:
            draw, self._draw_diagram = self._draw_diagram, None
            draw()

    def _changed(self, event) -> None:
        if not self._applying:
            self.update()

    def _show_problems(self, problems: list[str]) -> None:
        self.problems.object = "\n".join(f"* {p}" for p in problems)
        self.problems.visible = bool(problems)

    # ---- state ---------------------------------------------------------------------------
    def values(self) -> dict[str, float]:
        """Every setting of the page: the strengths and any constant added by search."""
        out = {name: float(s.value) for name, s in self.sliders.items()}
        out.update({name: float(w.value) for name, w in self._extras.items()})
        return out

    def update(self) -> None:
        """Re-simulate with the page's values and patch the figures' sources."""
        values = self.values()
        start = time.perf_counter()
        try:
            run = self.runs.run(values)
            families = self.runs.families(values)
        except FlywheelError as error:
            self.status.object = f"**Could not simulate:** {error}"
            return
        elapsed = time.perf_counter() - start
        self.current, self.families = run, families
        self.views.sources["run"].data = run_columns(run, self.runs.shown)
        self.views.sources["families"].data = band_columns(families)
        self._show_projection(None)
        changed = {k: v for k, v in values.items() if v != self.defaults[k]}
        self.status.object = (
            f"Method **{self.runs.method}** (flywheel.simulate), loop scores at the model's "
            f"TIME STEP; re-simulated in {elapsed * 1000:.0f} ms. "
            f"Settings: {', '.join(f'{k} = {v:g}' for k, v in changed.items()) or 'defaults'}.")
        if pn.state.location is not None and pn.state.curdoc is not None \
                and pn.state.curdoc.session_context is not None:  # served: the URL shares it
            pn.state.location.search = query_string(values, self.defaults)

    def pin(self) -> None:
        """Keep the current run as a dashed line (up to :data:`MAX_PINS`; the oldest goes)."""
        slot = self.pins % MAX_PINS + 1
        self.pins += 1
        source = self.views.sources[f"pin {slot}"]
        source.data = run_columns(self.current, self.runs.shown)
        changed = {k: v for k, v in self.values().items() if v != self.defaults[k]}
        label = f"pin {slot}: " + (", ".join(f"{k}={v:g}" for k, v in changed.items())
                                   or "defaults")
        self.pinned[f"pin {slot}"] = (label, self.current)
        for fig in self.views.outputs:
            for renderer in fig.renderers:
                if renderer.name and renderer.name.startswith(f"pin {slot} "):
                    renderer.visible = True
            for legend in fig.legend:
                for item in legend.items:
                    if item.name == f"legend pin {slot}":
                        item.update(label=bokeh_value(label), visible=True)

    def project(self) -> None:
        """Draw the 5-95% band of :func:`flywheel.project` around the current settings."""
        try:
            bands = self.runs.projection(self.values())
        except FlywheelError as error:
            self.status.object = f"**No projection:** {error}"
            return
        self._show_projection(bands)

    def _show_projection(self, bands) -> None:
        source = self.views.sources["projection"]
        if bands is None:
            if len(source.data["time"]):
                source.data = {key: np.array([]) for key in source.data}
        else:
            data = {"time": bands["time"].values}
            for name in self.runs.shown:
                data[f"{name} low"] = bands[name].sel(quantile=0.05).values
                data[f"{name} high"] = bands[name].sel(quantile=0.95).values
            source.data = data
        for fig in self.views.outputs:
            for legend in fig.legend:
                for item in legend.items:
                    if item.name == "legend projection":
                        item.visible = bands is not None

    def clear_pins(self) -> None:
        """Remove every pinned scenario."""
        for fig in self.views.outputs:
            for renderer in fig.renderers:
                if renderer.name and renderer.name.startswith("pin "):
                    renderer.visible = False
            for legend in fig.legend:
                for item in legend.items:
                    if item.name and item.name.startswith("legend pin "):
                        item.visible = False
        self.pins = 0
        self.pinned.clear()

    def reset(self) -> None:
        """Every slider back to its default, added constants removed."""
        self._applying = True
        for name, slider in self.sliders.items():
            slider.value = self.runs.defaults[name]
        self.extra.clear()
        self._applying = False
        self.update()

    # ---- downloads -----------------------------------------------------------------------
    def csv(self) -> io.BytesIO:
        """The current run (shown outputs), as CSV."""
        frame = self.current.to_dataframe()
        return io.BytesIO(frame.to_csv().encode())

    def png(self) -> io.BytesIO:
        """The current figure (run, defaults, pins, observations) as PNG."""
        from matplotlib.figure import Figure

        from flywheel.plots import plot_scenarios

        names = self.runs.shown
        figure = Figure(figsize=(16, 6.4), layout="constrained")
        axes = figure.subplots(2, 4, squeeze=False)
        runs = {"defaults": self.baseline, **{label: run for label, run in self.pinned.values()},
                "this run": self.current}
        plot_scenarios(runs, names, observations=self.runs.observations,
                       history_end=self.runs.history_end, axes=axes)
        out = io.BytesIO()
        figure.savefig(out, format="png", dpi=110)
        out.seek(0)
        return out

    # ---- tabs ----------------------------------------------------------------------------
    def _diagram_tab(self):
        model = self.runs.model
        times = self.baseline["time"].values
        chosen = pn.widgets.FloatSlider(label="time", start=float(times[0]) + 1,
                                        end=float(times[-1]), step=0.25,
                                        value=float(self.runs.history_end or times[-1]))
        pane = pn.pane.Matplotlib(dpi=90, tight=True, format="png", sizing_mode="stretch_width")

        def draw(*_):
            from matplotlib.figure import Figure

            from flywheel.plots import plot_causal_loop_diagram

            at = chosen.value_throttled or chosen.value
            dominant = self.runs.dominant(self.families, at)
            figure = Figure(figsize=(15, 9), layout="constrained")
            ax = figure.subplots()
            named = not dominant.startswith("other")
            plot_causal_loop_diagram(model, ax=ax, fontsize=9,
                                     highlight=dominant if named else None)
            ax.set_title(f"dominant at {at:g} in this run: " + (
                f"{dominant} {self.runs.loops[dominant].name} (highlighted)" if named
                else "the unnamed loops"), fontsize=13)
            pane.object = figure

        chosen.param.watch(draw, "value_throttled")
        self._draw_diagram = draw  # drawn when its tab is first shown: a few seconds
        return pn.Column(pn.pane.Markdown(
            "The named loops of the model; the loop family that dominates at the chosen "
            "time in the current run is highlighted."), chosen, pane, sizing_mode="stretch_width")

    def _jevons_tab(self):
        names = self.runs.strengths
        x = pn.widgets.Select(label="horizontal", options=names, value=names[0])
        y = pn.widgets.Select(label="vertical", options=names, value=names[min(1, len(names) - 1)])
        go = pn.widgets.Button(label="Compute the phase diagram (9 x 9 runs)",
                               color="primary")
        pane = pn.pane.Matplotlib(dpi=90, tight=True, format="png", width=700)
        note = pn.pane.Markdown("")

        def compute(_=None):
            import flywheel
            from matplotlib.figure import Figure

            from flywheel.plots import plot_phase_diagram

            if x.value == y.value:
                note.object = "Choose two different strengths."
                return
            fixed = {k: v for k, v in self.values().items() if k not in (x.value, y.value)}
            result = flywheel.jevons_threshold(self.runs.model, x=x.value, y=y.value, n=9,
                                               params=fixed, progress=False)
            figure = Figure(figsize=(8, 5.5), layout="constrained")
            plot_phase_diagram(result, ax=figure.subplots())
            pane.object = figure
            note.object = ("Spend ratio 2035/2025 over the two strengths, the others as on "
                           "the sliders; black: the threshold (ratio 1).")

        go.on_click(compute)
        return pn.Column(pn.Row(x, y), go, note, pane)

    def _exercises_tab(self):
        cards = []
        for k, exercise in enumerate(EXERCISES, 1):
            insight = pn.pane.Markdown(f"**Insight.** {exercise.insight}", visible=False)
            toggle = pn.widgets.Toggle(label="show the insight")
            toggle.link(insight, value="visible")
            cards.append(pn.Card(pn.pane.Markdown(exercise.question), toggle, insight,
                                 title=f"Exercise {k} · {exercise.title}",
                                 sizing_mode="stretch_width"))
        return pn.Column(*cards, sizing_mode="stretch_width")

    def _repr_mimebundle_(self, include=None, exclude=None):
        """Display as the page in Jupyter."""
        return self.view()._repr_mimebundle_(include, exclude)

    def view(self):
        """The page: the sidebar beside the tabs."""
        header = pn.pane.Markdown(
            f"## flywheel workshop: {self.runs.model.name}", margin=(0, 10))
        return pn.Column(header, pn.Row(self.sidebar, self.tabs, sizing_mode="stretch_width"),
                         sizing_mode="stretch_width")
