"""Arguments and formatting that several commands share."""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Sequence

from flywheel.errors import ParameterValueError
from flywheel.simulate import ENGINES

__all__ = ["add_model_argument", "add_run_options", "add_strict_option", "format_table",
           "parse_set"]


def add_model_argument(parser: argparse.ArgumentParser, *, optional: bool = False) -> None:
    """The MODEL positional: a bundled model's name or a model file's path."""
    if optional:
        parser.add_argument("model", nargs="?", default="flywheel",
                            help="bundled model name or model file path (default: flywheel)")
    else:
        parser.add_argument("model", help="bundled model name or model file path")


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """``--set``, ``--strict``, ``--final-time``, ``--engine`` and ``--method``."""
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="set a constant; repeat for several")
    add_strict_option(parser)
    parser.add_argument("--final-time", type=float, help="end the run at this time")
    parser.add_argument("--engine", choices=["auto", *sorted(ENGINES)], default=None,
                        help="simulation engine (default: flywheel.simulate's)")
    parser.add_argument("--method", help="integration method (see flywheel.simulate)")


def add_strict_option(parser: argparse.ArgumentParser) -> None:
    """``--strict``: a value outside a constant's documented range is an error, not a warning."""
    parser.add_argument("--strict", action="store_true",
                        help="refuse values outside a constant's documented range "
                             "(default: warn)")


def parse_set(items: Sequence[str]) -> dict[str, str]:
    """``["Name=1.5", ...]`` to ``{"Name": "1.5"}``; values are checked by the run.

    Examples
    --------
    >>> parse_set(["Learning Rate = 0.3"])
    {'Learning Rate': '0.3'}
    """
    params = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ParameterValueError(f"--set expects NAME=VALUE, got {item!r}")
        params[name.strip()] = value.strip()
    return params


def format_table(rows: Sequence[Sequence[object]], headers: Sequence[str],
                 widths: Sequence[int]) -> str:
    """A plain-text table whose cells wrap to `widths`.

    Examples
    --------
    >>> print(format_table([["R1", "reinforcing"]], ["loop", "polarity"], [4, 11]))
    loop  polarity
    ----  -----------
    R1    reinforcing
    """
    lines = []
    for row in [list(headers), ["-" * w for w in widths], *rows]:
        cells = [textwrap.wrap(str(c), w) or [""] for c, w in zip(row, widths)]
        for i in range(max(len(c) for c in cells)):
            parts = [(c[i] if i < len(c) else "").ljust(w) for c, w in zip(cells, widths)]
            lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)
