"""``flywheel selftest``: is this laptop ready for the workshop? Results, not imports.

Each check computes something and compares it with an independent answer:

1. **closed form and PySD**: a first-order decay model, written to a
   temporary folder, run by the compiled engine (Euler) against
   ``S0 (1 - dt/tau)^n`` (1e-12 relative: exact up to rounding) and against
   PySD's own run of the same file (1e-9 relative, the project's tolerance
   for the same floating-point operations, ``docs/architecture.md``);
2. **the compiled numba path**: the workshop model with ``jit=True`` against
   the numpy engine (1e-9 relative); skipped, not failed, without numba;
3. **a figure**: the workshop model's run drawn and rendered to PNG in memory,
   which must have drawn pixels of more than one colour;
4. **the app**: ``flywheel serve`` started on a free loopback port, its page
   fetched over HTTP and the session's scripts served by it (no internet).

Examples
--------
>>> results = [check_closed_form_and_pysd()]
>>> results[0].passed, results[0].name
(True, 'closed form and PySD')
"""

from __future__ import annotations

import functools
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["CHECKS", "Check", "selftest"]

#: The first-order model of check 1: its closed form under Euler is exact.
DECAY = """{UTF-8}
Level = INTEG(-Outflow, 100) ~ widgets ~ |
Outflow = Level / Residence Time ~ widgets/Month ~ |
Residence Time = 4 ~ Month ~ |
INITIAL TIME = 0 ~ Month ~ |
FINAL TIME = 12 ~ Month ~ |
TIME STEP = 0.25 ~ Month ~ |
SAVEPER = TIME STEP ~ Month ~ |
"""


@dataclass(frozen=True)
class Check:
    """One check's outcome: its name, whether it passed (None: skipped) and what it found."""

    name: str
    passed: bool | None
    detail: str
    seconds: float = 0.0


def _relative(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def check_closed_form_and_pysd() -> Check:
    """Check 1: the compiled engine against a closed form and against PySD."""
    import flywheel

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "decay.mdl"
        path.write_text(DECAY, encoding="utf-8")
        model = flywheel.load(path)
        compiled = flywheel.simulate(model, method="euler")
        reference = flywheel.simulate(model, engine="pysd")
    steps = np.round(compiled["time"].values / 0.25)
    exact = 100 * (1 - 0.25 / 4) ** steps
    closed = _relative(compiled["Level"].values, exact)
    pysd = _relative(compiled["Level"].values, reference["Level"].values)
    passed = closed <= 1e-12 and pysd <= 1e-9
    return Check("closed form and PySD", passed,
                 f"largest relative difference {closed:.1e} from S0(1-dt/tau)^n (limit 1e-12), "
                 f"{pysd:.1e} from PySD (limit 1e-9)")


@functools.cache
def _workshop_model():
    """The workshop model, loaded (and compiled) once for every check."""
    import flywheel

    return flywheel.load("flywheel_minimal")


def check_jit() -> Check:
    """Check 2: the numba kernel against the numpy engine on the workshop model."""
    import flywheel
    from flywheel.compiler.jit import available

    if not available():
        return Check("compiled (numba) path", None,
                     "skipped: numba is not installed (pip install numba); the page uses RK45")
    model = _workshop_model()
    params = {"Learning Rate": [0.1, 0.3]}
    fast = flywheel.simulate(model, method="euler", jit=True, params=params)
    numpy = flywheel.simulate(model, method="euler", params=params)
    worst = max(_relative(fast[name].values, numpy[name].values) for name in model.stocks)
    return Check("compiled (numba) path", worst <= 1e-9,
                 f"largest relative difference from numpy {worst:.1e} over "
                 f"{len(model.stocks)} stocks, 2 scenarios (limit 1e-9)")


def check_figure() -> Check:
    """Check 3: a run drawn with matplotlib and rendered to PNG in memory."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    import flywheel
    from flywheel.plots import plot_run

    run = flywheel.simulate(_workshop_model())
    figure = Figure(figsize=(8, 3), layout="constrained")
    plot_run(run, ["Unit Inference Cost", "Tokens Served"], axes=figure.subplots(1, 2))
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=60)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())
    colours = len(np.unique(pixels.reshape(-1, 4)[::7], axis=0))
    png = out.getvalue()
    passed = png[:8] == b"\x89PNG\r\n\x1a\n" and colours > 2
    return Check("figure", passed, f"PNG of {len(png) / 1000:.0f} kB, {colours} colours drawn")


def check_app() -> Check:
    """Check 4: the workshop page served on loopback, fetched over HTTP."""
    import re
    import socket
    import urllib.request

    from flywheel.app.server import serve

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = serve(_workshop_model(), host="127.0.0.1", port=port, threaded=True)
    try:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + 20
        while True:
            try:
                with opener.open(f"http://127.0.0.1:{port}/", timeout=20) as reply:
                    status, page = reply.status, reply.read().decode("utf-8", "replace")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        scripts = re.findall(r'src="([^"]+)"', page)
        outside = [s for s in scripts if s.startswith(("http:", "https:", "//"))]
        with opener.open(f"http://127.0.0.1:{port}/{scripts[-1]}", timeout=20) as reply:
            script = reply.status
    finally:
        server.stop()
    passed = status == 200 and script == 200 and not outside and "bokeh" in page.lower()
    return Check("app", passed, f"page HTTP {status}, {len(scripts)} scripts all served "
                                f"locally ({'none' if not outside else outside} from outside)")


#: The checks, in the order they run.
CHECKS: tuple[Callable[[], Check], ...] = (check_closed_form_and_pysd, check_jit, check_figure,
                                            check_app)


def selftest(checks=CHECKS, *, echo: Callable[[str], None] = print) -> bool:
    """Run `checks`, print one line each, and return True when none failed.

    A check that raises counts as failed, with the error as its detail.
    """
    start = time.perf_counter()
    failed = 0
    for check in checks:
        began = time.perf_counter()
        try:
            result = check()
        except Exception as error:  # a broken install shows here, whatever it raises
            result = Check(check.__name__.removeprefix("check_"), False,
                           f"{type(error).__name__}: {error}")
        seconds = time.perf_counter() - began
        verdict = {True: "ok  ", False: "FAIL", None: "skip"}[result.passed]
        echo(f"{verdict} {result.name:24} {seconds:5.1f} s  {result.detail}")
        failed += result.passed is False
    echo(f"{'all checks passed' if not failed else f'{failed} check(s) failed'} in "
         f"{time.perf_counter() - start:.1f} s")
    return not failed
