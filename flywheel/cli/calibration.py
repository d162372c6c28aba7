"""``flywheel calibrate`` and ``flywheel check``."""

from __future__ import annotations

import argparse
from pathlib import Path

from flywheel.cli.common import add_model_argument
from flywheel.errors import ParameterValueError
from flywheel.model import load
from flywheel.params import finite_number

__all__ = ["register"]


def _parse_bounds(items: list[str]) -> dict[str, tuple[float, float]]:
    """``["Name=0.1:0.4"]`` to ``{"Name": (0.1, 0.4)}``.

    Examples
    --------
    >>> _parse_bounds(["Learning Rate = 0.1:0.3"])
    {'Learning Rate': (0.1, 0.3)}
    """
    bounds = {}
    for item in items:
        name, sep, span = item.partition("=")
        low, colon, high = span.partition(":")
        if not sep or not colon or not name.strip():
            raise ParameterValueError(f"--bounds expects NAME=LOW:HIGH, got {item!r}")
        bounds[name.strip()] = (finite_number(low.strip(), f"lower bound in {item!r}"),
                                finite_number(high.strip(), f"upper bound in {item!r}"))
    return bounds


def _calibrate(args: argparse.Namespace) -> None:
    from flywheel.calibration import calibrate

    model = load(args.model)
    result = calibrate(model, args.data, args.param, bounds=_parse_bounds(args.bounds),
                       mapping=args.mapping, method=args.method)
    print(result.report())
    if args.plot:
        axes = result.plot()
        plot = Path(args.plot)
        plot.parent.mkdir(parents=True, exist_ok=True)
        axes[0].figure.savefig(plot, dpi=120)
        print(f"wrote {plot.resolve()}")


def _check(args: argparse.Namespace) -> int:
    from flywheel.checks import check_model

    report = check_model(load(args.model), checks=args.only or None)
    print(report)
    return 0 if report.passed else 1


def register(command) -> None:
    """Add calibrate and check to the command line."""
    calibrate = command(
        "calibrate",
        "Fit constants to the observed data (least squares on log errors) and report the fit.",
        "flywheel calibrate flywheel --param 'Imitation Coefficient' "
        "--param 'Algorithmic Learning Rate' --plot fit.png",
        _calibrate,
    )
    add_model_argument(calibrate)
    calibrate.add_argument("--param", action="append", required=True, metavar="NAME",
                           help="a constant to fit; repeat for several")
    calibrate.add_argument("--bounds", action="append", default=[], metavar="NAME=LOW:HIGH",
                           help="bounds of a fitted constant (default: its range in the model)")
    calibrate.add_argument("--data", help="observations CSV (default: the package's)")
    calibrate.add_argument("--mapping", help="series-to-variable mapping TOML "
                           "(default: the package's)")
    calibrate.add_argument("--method", default="euler",
                           help="integration method (default: euler at the model's TIME STEP)")
    calibrate.add_argument("--plot", help="PNG of each series against the fitted model")

    check = command(
        "check",
        "Model-quality checks (units, parameters, extreme conditions, integration error, "
        "behaviour reproduction); exits 1 when any fails.",
        "flywheel check flywheel_minimal --only units --only extremes",
        _check,
    )
    add_model_argument(check)
    check.add_argument("--only", action="append", metavar="CHECK",
                       choices=["units", "parameters", "extremes", "integration", "behaviour"],
                       help="run only this check; repeat for several (default: all)")
