"""Benchmark the served workshop page under a room's load: real browsers over the websocket.

Usage::

    python benchmarks/bench_app.py [--sessions 20] [--seconds 60] [--every 2]
                                   [--processes 1] [--model flywheel]

Starts ``flywheel serve MODEL --port P [--processes N]`` as ``docs/workshop.md``
says, then opens `sessions` pages, each in its own context of one headless
Chromium (Debian's ``/usr/bin/chromium`` driven by Playwright; the browser is
never downloaded). Every `every` seconds each page moves one slider (the
slider's model gets a new value, exactly what releasing it sends) and records,
in the page, the time from the change to the arrival of the new figure data
(the ``run`` and ``families`` sources both replaced) over the websocket. The
sessions' changes are staggered over the interval, as in a room.

Printed: the number of changes, the median and 95th-percentile latency for
`sessions` at once and for one session alone, against the targets (p95 under
300 ms with 20 sessions, under 100 ms alone), and the size of the offline
HTML file for three strengths x 9 values (target under 5 MB).
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

__all__ = ["main"]

TARGET_ROOM_MS, TARGET_ALONE_MS, TARGET_HTML_MB = 300.0, 100.0, 5.0

#: Installs the timer in a page: the time from `move(k)` to both sources' new data.
TIMER_JS = """() => {
  const doc = Bokeh.documents[0];
  const run = doc.get_model_by_name("run"), families = doc.get_model_by_name("families");
  const sliders = Array.from(doc.all_models).filter(m => m.type && m.type.endsWith("Slider")
      && m.step && m.title && !m.title.startsWith("time"));
  window.fw = {latencies: [], pending: null, seen: new Set(), sliders};
  const arrived = name => () => {
    const p = window.fw.pending;
    if (p == null) return;
    window.fw.seen.add(name);
    if (window.fw.seen.size == 2) {
      window.fw.latencies.push(performance.now() - p);
      window.fw.pending = null;
    }
  };
  run.properties.data.change.connect(arrived("run"));
  families.properties.data.change.connect(arrived("families"));
  window.fw.move = k => {
    const s = window.fw.sliders[k % window.fw.sliders.length];
    const next = s.value + s.step <= s.end ? s.value + s.step : s.start;
    window.fw.seen = new Set();
    window.fw.pending = performance.now();
    s.value = next;
    s.value_throttled = next;
  };
  return sliders.length;
}"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(model: str, port: int, processes: int):
    process = subprocess.Popen([sys.executable, "-m", "flywheel", "serve", model, "--port",
                                str(port), "--processes", str(processes)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=60):
                return process
        except OSError:
            time.sleep(1)
    process.kill()
    raise RuntimeError("flywheel serve did not answer within 300 s")


def _measure(browser, url: str, sessions: int, seconds: float, every: float) -> list[float]:
    pages = []
    for _ in range(sessions):
        page = browser.new_context(viewport={"width": 1600, "height": 1000}).new_page()
        page.goto(url, timeout=300_000)
        page.wait_for_function("() => window.Bokeh && Bokeh.documents.length > 0 && "
                               "Bokeh.documents[0].get_model_by_name('run') != null",
                               timeout=300_000)
        page.evaluate(TIMER_JS)
        pages.append(page)
    start = time.monotonic()
    step = every / sessions
    moves = 0
    while time.monotonic() - start < seconds:
        for k, page in enumerate(pages):
            target = start + moves * every + k * step
            time.sleep(max(0.0, target - time.monotonic()))
            page.evaluate(f"() => window.fw.move({moves})")
        moves += 1
    time.sleep(every)
    latencies = []
    for page in pages:
        latencies += page.evaluate("() => window.fw.latencies")
        page.context.close()
    return latencies


def _report(label: str, latencies: list[float], target: float) -> None:
    if not latencies:
        print(f"{label}: no change arrived")
        return
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    verdict = "ok" if p95 < target else f"over the {target:g} ms target"
    print(f"{label}: {len(ordered)} changes, median {statistics.median(ordered):.0f} ms, "
          f"p95 {p95:.0f} ms ({verdict})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="flywheel")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--every", type=float, default=2.0, help="seconds between changes")
    parser.add_argument("--processes", type=int, default=1, help="server processes")
    parser.add_argument("--no-html", action="store_true", help="skip the offline file")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    port = _free_port()
    server = _serve(args.model, port, args.processes)
    url = f"http://127.0.0.1:{port}/"
    try:
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=["--no-sandbox"])
            alone = _measure(browser, url, 1, min(args.seconds, 30.0), args.every)
            room = _measure(browser, url, args.sessions, args.seconds, args.every)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"{args.model}, {args.processes} server process(es), change every {args.every:g} s:")
    _report("one session alone", alone, TARGET_ALONE_MS)
    _report(f"{args.sessions} sessions for {args.seconds:g} s", room, TARGET_ROOM_MS)
    if not args.no_html:
        from flywheel.app.export import export_html

        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            path = export_html(args.model, Path(folder) / "workshop.html", points=9)
            size = path.stat().st_size / 1e6
            print(f"offline HTML, 3 strengths x 9 values: {size:.2f} MB "
                  f"({'ok' if size < TARGET_HTML_MB else 'over 5 MB'}), written in "
                  f"{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
