"""``flywheel figures OUTDIR``: regenerate the README's and the workshop's figures.

Examples
--------
>>> import tempfile
>>> from flywheel.cli import main
>>> with tempfile.TemporaryDirectory() as folder:
...     main(["figures", folder, "--grid", "3", "3", "--only", "baseline.png"])
wrote .../baseline.png
0
"""

from __future__ import annotations

import argparse

__all__ = ["register"]


def _figures(args: argparse.Namespace) -> None:
    from flywheel.figures import make_figures

    for path in make_figures(args.outdir, grid=tuple(args.grid), only=args.only or None,
                             dpi=args.dpi):
        print(f"wrote {path.resolve()}")


def register(command) -> None:
    """Add figures to the command line."""
    from flywheel.figures import DEFAULT_GRID, FIGURES

    figures = command(
        "figures",
        "Regenerate every figure of the README and the workshop as PNG files: "
        + ", ".join(FIGURES) + ".",
        "flywheel figures docs/figures", _figures)
    figures.add_argument("outdir", help="folder to write the PNG files to (created if missing)")
    figures.add_argument("--grid", type=int, nargs=2, default=list(DEFAULT_GRID),
                         metavar=("N_ELASTICITY", "N_LEARNING"),
                         help="points of the Jevons phase-diagram sweep (default: "
                              f"{DEFAULT_GRID[0]} {DEFAULT_GRID[1]})")
    figures.add_argument("--only", action="append", choices=list(FIGURES), metavar="FILE",
                         help="draw only this figure; repeat for several")
    figures.add_argument("--dpi", type=int, default=100, help="resolution (default 100)")
