"""``flywheel serve``, ``flywheel export-html`` and ``flywheel selftest``: the workshop.

Examples
--------
>>> from flywheel.cli import command_names
>>> [name for name in command_names() if name in ("serve", "export-html", "selftest")]
['serve', 'export-html', 'selftest']
"""

from __future__ import annotations

import argparse

from flywheel.cli.common import add_model_argument
from flywheel.errors import ParameterValueError

__all__ = ["register"]


def _serve(args: argparse.Namespace) -> None:
    from flywheel.app.server import serve

    if not 0 <= args.port <= 65535:
        raise ParameterValueError(f"--port must be 0-65535, got {args.port}")
    where = "every network interface (other machines may connect)" \
        if args.host in ("0.0.0.0", "::") else args.host
    print(f"flywheel serve: loading {args.model} and compiling its run (a few seconds) ...",
          flush=True)
    print(f"listening on {where}, port {args.port}; open http://"
          f"{'<this machine address>' if args.host in ('0.0.0.0', '::') else args.host}"
          f":{args.port}/ (Ctrl-C stops)", flush=True)
    serve(args.model, host=args.host, port=args.port, show=args.show,
          num_procs=args.processes)


def _export(args: argparse.Namespace) -> None:
    from flywheel.app.export import export_html

    vary = [s.strip() for s in args.vary.split(",") if s.strip()] if args.vary else None
    path = export_html(args.model, args.out, vary=vary, points=args.points)
    print(f"wrote {path.resolve()} ({path.stat().st_size / 1e6:.1f} MB)")


def _selftest(args: argparse.Namespace) -> int:
    from flywheel.app.selftest import selftest

    return 0 if selftest() else 1


def register(command) -> None:
    """Add serve, export-html and selftest to the command line."""
    serve = command(
        "serve", "Serve the workshop page: sliders, live runs, loop dominance, pinned "
        "scenarios, shareable URLs (one laptop serves the room).",
        "flywheel serve flywheel --host 0.0.0.0 --port 5006", _serve)
    add_model_argument(serve, optional=True)
    serve.add_argument("--host", default="127.0.0.1",
                       help="interface to listen on (default 127.0.0.1, this machine only; "
                            "0.0.0.0: every interface, any browser that reaches the port)")
    serve.add_argument("--port", type=int, default=5006, help="port (default 5006)")
    serve.add_argument("--processes", type=int, default=1,
                       help="server processes sharing the port (default 1)")
    serve.add_argument("--show", action="store_true", help="open the page in a browser here")

    export = command(
        "export-html", "Write the workshop page as one HTML file that needs no server, "
        "no Python and no network: sliders snap to a precomputed grid.",
        "flywheel export-html flywheel workshop.html --vary 'Price Elasticity of Demand,"
        "Learning Rate,Supply Line Weight'", _export)
    add_model_argument(export, optional=True)
    export.add_argument("out", metavar="OUT.html", help="the HTML file to write")
    export.add_argument("--vary", metavar="NAME,NAME",
                        help="the two or three strengths on the sliders (default: the "
                             "model's first three feedback strengths)")
    export.add_argument("--points", type=int, default=9,
                        help="grid values per strength (default 9)")

    command("selftest", "Check this installation in under 30 s: results against PySD and a "
            "closed form, the compiled path, a figure, the app answering on loopback.",
            "flywheel selftest", _selftest)
