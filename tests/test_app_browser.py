"""The workshop page in a real browser: headless Chromium driven by Playwright.

The browser is Debian's ``chromium`` (``.ci/run`` installs it); Playwright only
drives it (``executable_path``), it never downloads a browser of its own.
Every request that is not to a loopback address is blocked, and each test
checks that none was attempted. What the page plots is read from the Bokeh
document in the page and compared with :func:`flywheel.simulate` run with the
page's own method (:func:`flywheel.app.runs.solver_options`), to 1e-9
relative: the page sends float64 arrays, so the two should agree exactly up
to nothing but the transfer. Screenshots of each view are written to
``tests/artifacts/`` (not committed).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest

import flywheel
from flywheel.app.runs import Simulator

CHROMIUM = Path("/usr/bin/chromium")
#: How long `flywheel serve` may take to load the model, find its loops and compile the
#: run before it answers (minutes on a loaded 2-core machine with the research model).
START_SECONDS = 900
ARTIFACTS = Path(__file__).parent / "artifacts"

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = pytest.mark.skipif(not CHROMIUM.is_file() and shutil.which("chromium") is None,
                                reason="no chromium browser (apt-get install chromium)")

#: Reads a named ColumnDataSource of the page as {column: list}.
SOURCE_JS = """name => {
  const source = Bokeh.documents[0].get_model_by_name(name);
  if (source == null) return null;
  const data = source.data;
  const entries = data instanceof Map ? [...data.entries()] : Object.entries(data);
  return Object.fromEntries(entries.map(([k, v]) => [k, Array.from(v)]));
}"""
#: The text of every text-bearing model of the page (Panel renders into shadow roots).
TEXT_JS = """() => Array.from(Bokeh.documents[0].all_models)
  .map(m => (typeof m.text === "string" ? m.text : "") + " " +
            (typeof m.title === "string" ? m.title : "")).join("\\n")"""
#: The value of the slider whose title starts with the given text.
SLIDER_JS = """prefix => {
  for (const model of Bokeh.documents[0].all_models) {
    if (model.type && model.type.endsWith("Slider") && String(model.title).startsWith(prefix))
      return model.value;
  }
  return null;
}"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(model: str, host: str, port: int, check_host: str = "127.0.0.1"):
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / f"serve_{model}_{port}.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "flywheel", "serve", model, "--host", host, "--port",
             str(port)], stdout=out, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"flywheel serve exited: {log.read_text()}")
        try:
            with urllib.request.urlopen(f"http://{check_host}:{port}/", timeout=60) as reply:
                if reply.status == 200:
                    return process
        except OSError:
            time.sleep(1)
    process.kill()
    raise RuntimeError(f"flywheel serve did not answer within {START_SECONDS} s")


def _stop(process) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    process = _start("flywheel", "127.0.0.1", port)
    yield f"http://127.0.0.1:{port}/"
    _stop(process)


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=str(CHROMIUM),
                                          args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def runs():
    return Simulator(flywheel.load("flywheel"))


@pytest.fixture
def page(browser):
    """A page that may reach loopback only; `page.blocked` lists what it tried beyond."""
    context = browser.new_context(viewport={"width": 1600, "height": 1100})
    page = context.new_page()
    page.blocked = []

    def route(request_route):
        url = request_route.request.url
        host = urlsplit(url).hostname or ""
        if url.startswith(("data:", "blob:", "file:")) or host.startswith("127.") \
                or host == "localhost":
            request_route.continue_()
        else:
            page.blocked.append(url)
            request_route.abort()

    page.route("**/*", route)
    yield page
    context.close()


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_function("() => window.Bokeh && Bokeh.documents.length > 0 && "
                           "Bokeh.documents[0].get_model_by_name('run') != null",
                           timeout=120_000)


def _source(page, name: str) -> dict[str, np.ndarray]:
    data = page.evaluate(SOURCE_JS, name)
    assert data is not None, f"no source {name!r} in the page"
    return {key: np.asarray(value, dtype=float) for key, value in data.items()}


def _text(page) -> str:
    import html
    import re

    return re.sub(r"<[^>]+>", "", html.unescape(page.evaluate(TEXT_JS)))


def _shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _move_slider(page, index: int, presses: int) -> None:
    """Move the `index`-th slider of the page by `presses` steps with the keyboard."""
    handle = page.locator(".noUi-handle").nth(index)
    handle.focus()
    for _ in range(presses):
        handle.press("ArrowRight")


def _wait_changed(page, before: np.ndarray, column: str, name: str = "run") -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        now = _source(page, name)[column]
        if now.shape != before.shape or not np.array_equal(now, before):
            return
        time.sleep(0.2)
    raise AssertionError(f"the page's {name!r} data did not change within 60 s")


def _assert_equal(data: dict[str, np.ndarray], expected, names: list[str]) -> None:
    np.testing.assert_allclose(data["time"], expected["time"].values, rtol=1e-12)
    for name in names:
        np.testing.assert_allclose(data[name], expected[name].values, rtol=1e-9, atol=0,
                                   err_msg=name)


def _assert_matches(page, name: str, runs: Simulator, values: dict) -> None:
    """The page's source `name` holds flywheel.simulate's run of `values` (to 1e-9).

    Waits up to 60 s for the page to receive it: a slider moved by several key
    presses re-simulates once per press, and the last run arrives last.
    """
    expected = runs.run(values)
    deadline = time.monotonic() + 60
    while True:
        try:
            return _assert_equal(_source(page, name), expected, runs.shown)
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def _page_order(runs: Simulator) -> list[str]:
    """The strengths in the order the page shows their sliders: by sector."""
    from flywheel.app.controls import slider_specs

    specs = slider_specs(runs.model, runs.strengths)
    return [s.name for sector in dict.fromkeys(s.sector for s in specs) for s in specs
            if s.sector == sector]


def _settings_in_url(url: str) -> dict[str, float]:
    return {k: float(v[-1]) for k, v in parse_qs(urlsplit(url).query).items()}


def _wait_settled(page, settings: dict[str, float]) -> None:
    """Wait until the page's URL holds `settings`: the page has re-simulated with them.

    The server sends the figures' data before the new URL, so the data is there too.
    """
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if _settings_in_url(page.evaluate("() => window.location.href")) == settings:
            return
        time.sleep(0.2)
    raise AssertionError(f"the page's URL {page.url} never held {settings}")


def test_page_loads_and_a_slider_re_simulates(server, page, runs):
    _open(page, server)
    _assert_matches(page, "run", runs, runs.defaults)
    assert f"Method {runs.method}" in _text(page)
    _shot(page, "serve_run_defaults")
    first = _page_order(runs)[0]
    _move_slider(page, 0, 3)
    value = page.evaluate(SLIDER_JS, first)
    assert value != runs.defaults[first]
    _wait_settled(page, {first: value})
    _assert_matches(page, "run", runs, {**runs.defaults, first: value})
    band = _source(page, "families")
    assert band["time"][0] == runs.model.control["INITIAL TIME"]
    _shot(page, "serve_run_moved")
    assert page.blocked == []


def test_pinned_scenarios_compare_on_the_same_axes(server, page, runs):
    _open(page, server)
    second = _page_order(runs)[1]
    _move_slider(page, 1, 5)
    pinned_value = page.evaluate(SLIDER_JS, second)
    _wait_settled(page, {second: pinned_value})
    page.get_by_text("Pin this run").click()
    _wait_changed(page, np.array([]), "time", "pin 1")
    _move_slider(page, 1, 5)
    now_value = page.evaluate(SLIDER_JS, second)
    _wait_settled(page, {second: now_value})
    _assert_matches(page, "pin 1", runs, {**runs.defaults, second: pinned_value})
    _assert_matches(page, "run", runs, {**runs.defaults, second: now_value})
    assert pinned_value != now_value
    _shot(page, "serve_pinned")
    page.get_by_text("Reset to defaults").click()
    _wait_settled(page, {})
    _assert_matches(page, "run", runs, runs.defaults)
    assert page.blocked == []


def test_a_shared_url_applies_its_settings_held_to_range(server, page, runs):
    first, last = runs.strengths[0], runs.strengths[-1]
    high = runs.model.element(last).range[1]
    query = (f"?{first.replace(' ', '+')}=0.75&{last.replace(' ', '+')}={high * 10:g}"
             "&FINAL+TIME=2100&TIME+STEP=abc")
    _open(page, server + query)
    _assert_matches(page, "run", runs, {**runs.defaults, first: 0.75, last: high})
    text = _text(page)
    assert "FINAL TIME is a control variable" in text
    assert "TIME STEP is a control variable" in text
    assert f"held to {high:g}" in text
    assert page.evaluate(SLIDER_JS, first) == 0.75
    _shot(page, "serve_shared_url")
    assert page.blocked == []


def test_other_views_render(server, page):
    _open(page, server)
    page.get_by_text("Exercises", exact=True).click()
    page.get_by_text("show the insight").first.click()
    page.wait_for_selector("text=Insight.", timeout=30_000)
    _shot(page, "serve_exercises")
    page.get_by_text("Loop diagram", exact=True).click()
    page.wait_for_selector("img", timeout=60_000)
    _shot(page, "serve_loop_diagram")
    assert page.blocked == []


def test_host_0000_accepts_a_browser_from_another_address(page):
    """Served on every interface, a page from 127.0.0.2 gets its websocket session."""
    port = _free_port()
    process = _start("flywheel_minimal", "0.0.0.0", port, check_host="127.0.0.2")
    try:
        runs = Simulator(flywheel.load("flywheel_minimal"))
        _open(page, f"http://127.0.0.2:{port}/")
        _assert_matches(page, "run", runs, runs.defaults)
        _move_slider(page, 0, 2)
        moved = _page_order(runs)[0]
        value = page.evaluate(SLIDER_JS, moved)
        _wait_settled(page, {moved: value})
        _assert_matches(page, "run", runs, {**runs.defaults, moved: value})
        _shot(page, "serve_other_address")
        assert page.blocked == []
    finally:
        _stop(process)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    """urllib must reach loopback directly, whatever proxy the environment names."""
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "*")
    yield
    os.environ.pop("no_proxy", None)


def test_the_exported_html_works_from_disk(page, tmp_path):
    """The offline file: opened as file://, a slider snaps to the grid and the plots follow."""
    from flywheel.app.export import export_html

    runs = Simulator(flywheel.load("flywheel"))
    vary = [runs.strengths[0], runs.strengths[1]]
    path = export_html(runs.model, tmp_path / "workshop.html", vary=vary, points=3)
    page.goto(path.resolve().as_uri())
    page.wait_for_function("() => window.Bokeh && Bokeh.documents.length > 0 && "
                           "Bokeh.documents[0].get_model_by_name('grid') != null",
                           timeout=120_000)
    _shot(page, "export_start")
    before = _source(page, "run")
    handle = page.locator(".noUi-handle").nth(0)
    handle.focus()
    handle.press("End")
    _wait_changed(page, before[runs.shown[0]], runs.shown[0])
    settings = {name: page.evaluate(SLIDER_JS, name) for name in vary}
    assert settings[vary[0]] == runs.model.element(vary[0]).range[1]
    expected = runs.run({**runs.defaults, **settings}, saveper=1.0)
    data = _source(page, "run")
    np.testing.assert_array_equal(data["time"], expected["time"].values)
    for name in runs.shown:  # float32 in the file: equal to the float32 of the run
        np.testing.assert_array_equal(data[name].astype(np.float32),
                                      expected[name].values.astype(np.float32), err_msg=name)
    _shot(page, "export_moved")
    assert page.blocked == []
