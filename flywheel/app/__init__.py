"""The workshop in a browser: a page to play with a model, served, exported or in Jupyter.

One module per job:

* :mod:`~flywheel.app.controls` — sliders by sector, settings read from a URL;
* :mod:`~flywheel.app.runs` — the re-simulation method and the dominance summary;
* :mod:`~flywheel.app.figures` — the Bokeh figures and their named data sources;
* :mod:`~flywheel.app.page` — the Panel page of one session;
* :mod:`~flywheel.app.server` — ``flywheel serve``;
* :mod:`~flywheel.app.export` — ``flywheel export-html``, one offline HTML file;
* :mod:`~flywheel.app.explore` — :func:`flywheel.explore` in a notebook;
* :mod:`~flywheel.app.selftest` — ``flywheel selftest``, the readiness check;
* :mod:`~flywheel.app.exercises` — the workshop's questions and insights.

Panel is imported only by the modules that build pages.
"""

__all__: list[str] = []
