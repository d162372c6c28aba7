"""The ``flywheel`` command line: the package's jobs from a shell.

Every command prints ``--help`` with an example. Errors on bad input print
one line naming what is wrong and exit with status 2.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

from flywheel.errors import FlywheelError, ParameterValueError
from flywheel.model import available_models, load
from flywheel.outputs import key_outputs, to_frame
from flywheel.simulate import ENGINES, simulate

__all__ = ["main"]


def _parse_set(items: Sequence[str]) -> dict[str, str]:
    """``["Name=1.5", ...]`` to ``{"Name": "1.5"}`` (values checked later)."""
    params = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ParameterValueError(f"--set expects NAME=VALUE, got {item!r}")
        params[name.strip()] = value.strip()
    return params


def _cmd_run(args: argparse.Namespace) -> None:
    model = load(args.model)
    run = simulate(
        model,
        params=_parse_set(args.set),
        engine=args.engine,
        method=args.method,
        final_time=args.final_time,
    )
    variables = key_outputs(model)
    out = Path(args.out or f"{model.name}_run.csv")
    plot = Path(args.plot or out.with_suffix(".png"))
    out.parent.mkdir(parents=True, exist_ok=True)
    to_frame(run, variables).to_csv(out)
    from flywheel.plots import plot_run

    axes = plot_run(run, variables, title=f"{model.name}: baseline run")
    plot.parent.mkdir(parents=True, exist_ok=True)
    axes[0].figure.savefig(plot, dpi=120)
    print(f"wrote {out.resolve()} ({len(variables)} key outputs, {run.sizes['time']} times)")
    print(f"wrote {plot.resolve()}")


def _cmd_models(args: argparse.Namespace) -> None:
    for name in available_models():
        model = load(name)
        doc = model.elements.get("FINAL TIME")
        span = f"{model.control['INITIAL TIME']:g}-{model.control['FINAL TIME']:g}"
        print(
            f"{name:<20} {len(model.stocks):>3} stocks {len(model.constants):>3} constants"
            f"  {span} {doc.units if doc else ''}  {model.path}"
        )


def _format_table(rows: list[list[str]], headers: list[str], widths: list[int]) -> str:
    """A plain-text table; cells wrap to the given widths."""
    lines = []
    for row in [headers, ["-" * w for w in widths], *rows]:
        cells = [textwrap.wrap(str(c), w) or [""] for c, w in zip(row, widths)]
        for i in range(max(len(c) for c in cells)):
            parts = [(c[i] if i < len(c) else "").ljust(w) for c, w in zip(cells, widths)]
            lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _cmd_describe(args: argparse.Namespace) -> None:
    model = load(args.model)
    print(f"{model.name}: {model.path}")
    control = model.control
    print(
        f"runs {control['INITIAL TIME']:g} to {control['FINAL TIME']:g}, "
        f"TIME STEP {control['TIME STEP']:g}, SAVEPER {control['SAVEPER']:g}\n"
    )
    for kind, title in (("stock", "Stocks"), ("flow", "Flows")):
        rows = [
            [el.name, el.units, el.equation]
            for el in model.elements.values()
            if el.kind == kind
        ]
        print(f"{title} ({len(rows)})")
        print(_format_table(rows, ["name", "units", "equation"], [34, 22, 60]) + "\n")
    rows = [
        [el.name, el.units, _number(el.value), f"[{_number(el.range[0])}, {_number(el.range[1])}]",
         el.source or el.documentation]
        for el in model.elements.values()
        if el.kind == "constant"
    ]
    print(f"Constants ({len(rows)})")
    print(_format_table(rows, ["name", "units", "default", "range", "source"], [34, 22, 9, 14, 50]))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flywheel",
        description="System-dynamics toolkit and model of the AI compute flywheel.",
        epilog="example: flywheel run flywheel --set 'Price Elasticity of Demand=0.8'",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str, example: str, func) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name, help=help, description=help, epilog=f"example: {example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.set_defaults(func=func)
        return sub

    run = command(
        "run",
        "Run a model and write its key outputs as CSV and a PNG figure.",
        "flywheel run flywheel --set 'Learning Rate=0.3' --out out/run.csv --plot out/run.png",
        _cmd_run,
    )
    run.add_argument("model", nargs="?", default="flywheel",
                     help="bundled model name or model file path (default: flywheel)")
    run.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                     help="set a constant; repeat for several")
    run.add_argument("--final-time", type=float, help="end the run at this time")
    run.add_argument("--out", help="CSV file of the key outputs (default: MODEL_run.csv)")
    run.add_argument("--plot", help="PNG figure of the key outputs (default: beside --out)")
    run.add_argument("--engine", choices=sorted(ENGINES), default="pysd",
                     help="simulation engine (default: %(default)s)")
    run.add_argument("--method", help="integration method (see flywheel.simulate)")

    command("models", "List the bundled models.", "flywheel models", _cmd_models)

    describe = command(
        "describe",
        "Describe a model: stocks, flows, constants with units, defaults, ranges, sources.",
        "flywheel describe flywheel_minimal",
        _cmd_describe,
    )
    describe.add_argument("model", help="bundled model name or model file path")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with `argv` (default: ``sys.argv[1:]``); return the exit status."""
    args = _parser().parse_args(argv)
    try:
        args.func(args)
    except FlywheelError as error:
        print(f"flywheel {args.command}: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
