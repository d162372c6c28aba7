"""The ``flywheel`` command line: the package's jobs from a shell.

Each module here adds one group of commands (``register(command)``). Every
command has ``--help`` with an example. An error on bad input prints one line
naming what is wrong and exits with status 2.

Examples
--------
>>> from flywheel.cli import main
>>> main(["models"])  # doctest: +ELLIPSIS
flywheel ...
0
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable, Sequence

from flywheel.cli import app, basics, calibration, experiments, figures, loops
from flywheel import errors
from flywheel.errors import FlywheelError, SimulationError

__all__ = ["command_names", "main"]

#: The modules whose ``register`` adds commands, in the order ``--help`` lists them.
GROUPS = (basics, experiments, loops, calibration, figures, app)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flywheel",
        description="System-dynamics toolkit and model of the AI compute flywheel.",
        epilog="example: flywheel run flywheel --set 'Price Elasticity of Demand=0.8'",
    )
    from flywheel import __version__

    parser.add_argument("--version", action="version", version=f"flywheel {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(
        name: str, help: str, example: str, func: Callable[[argparse.Namespace], int | None]
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name, help=help, description=help, epilog=f"example: {example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.set_defaults(func=func)
        return sub

    for group in GROUPS:
        group.register(command)
    return parser


def command_names() -> list[str]:
    """The commands of the command line, in the order ``--help`` lists them.

    Examples
    --------
    >>> command_names()[:3]
    ['run', 'models', 'describe']
    """
    parser = _parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return list(commands.choices)


#: flywheel's own warnings: the command line prints each as one line.
_WARNINGS = tuple(c for c in vars(errors).values()
                  if isinstance(c, type) and issubclass(c, Warning))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with `argv` (default: ``sys.argv[1:]``); return the exit status.

    0 on success; 1 when a command reports a failed check, a simulation fails
    or a file cannot be written; 2 on bad input; 130 on Ctrl-C. Errors and
    warnings are one line each, naming the command.
    """
    args = _parser().parse_args(argv)
    name = f"flywheel {args.command}"
    with warnings.catch_warnings():
        for category in _WARNINGS:  # told, one line each, whatever the caller's filters
            warnings.simplefilter("always", category)
        warnings.showwarning = lambda message, category, *_: print(
            f"{name}: warning: {message}", file=sys.stderr)
        try:
            status = args.func(args)
        except SimulationError as error:
            print(f"{name}: error: {error}", file=sys.stderr)
            return 1
        except FlywheelError as error:
            print(f"{name}: error: {error}", file=sys.stderr)
            return 2
        except OSError as error:  # e.g. a full disk while writing: the old file is kept
            print(f"{name}: error: {error}", file=sys.stderr)
            return 1
        except KeyboardInterrupt as error:  # a sweep says where its finished chunks are
            print(f"{name}: interrupted" + (f": {error}" if str(error) else ""), file=sys.stderr)
            return 130
    return int(status or 0)
