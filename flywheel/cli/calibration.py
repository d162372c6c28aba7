"""``flywheel calibrate``, ``flywheel backtest`` and ``flywheel check``."""

from __future__ import annotations

import argparse
from pathlib import Path

from flywheel.cli.common import add_model_argument
from flywheel.errors import ParameterValueError
from flywheel.model import load
from flywheel.outputs import check_outputs, save_figure, write_csv
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
    check_outputs([args.plot], inputs=[model.path, args.data, args.mapping])
    result = calibrate(model, args.data, args.param, bounds=_parse_bounds(args.bounds),
                       mapping=args.mapping, method=args.method)
    print(result.report())
    if args.plot:
        axes = result.plot()
        plot = save_figure(axes[0].figure, args.plot, {"model_file": str(model.path),
                                                       "model_sha256": model.digest}, dpi=120)
        print(f"wrote {plot.resolve()}")


def _backtest(args: argparse.Namespace) -> None:
    from flywheel.calibration.backtest import backtest

    model = load(args.model)
    plot = Path(args.plot) if args.plot else Path(args.out).with_suffix(".png") if args.out else None
    check_outputs([args.out, plot], inputs=[model.path, args.data, args.mapping])
    result = backtest(model, cutoff=args.cutoff, params=args.param,
                      data=args.data, mapping=args.mapping, n=args.members, seed=args.seed,
                      method=args.method)
    print(result.report())
    attrs = {"model_file": str(model.path), "model_sha256": model.digest}
    if args.out:
        out = write_csv(result.to_frame(), args.out, attrs, index=False)
        print(f"wrote {out.resolve()}")
    if plot is not None:
        save_figure(result.plot()[0].figure, plot, attrs, dpi=120)
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
        "--param 'Distillation Gain Rate' --plot fit.png",
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

    back = command(
        "backtest",
        "Fit the observations up to a cutoff and report the error of each later one, and "
        "how many of them the projection's 5-95%% band covers.",
        "flywheel backtest flywheel --cutoff 2024.99 -o backtest.csv",
        _backtest,
    )
    add_model_argument(back)
    back.add_argument("--cutoff", type=float, default=2024.99,
                      help="last time fitted; later observations are the test set "
                           "(default 2024.99)")
    back.add_argument("--param", action="append", metavar="NAME",
                      help="a constant to fit; repeat for several (default: those marked "
                           "calibrated in MODEL.uncertainty.toml)")
    back.add_argument("--data", help="observations CSV (default: the package's)")
    back.add_argument("--mapping", help="series-to-variable mapping TOML (default: the package's)")
    back.add_argument("--members", type=int, default=500,
                      help="members of the projection ensemble (default 500)")
    back.add_argument("--seed", type=int, default=0, help="seed of the ensemble (default 0)")
    back.add_argument("--method", default="euler",
                      help="integration method (default: euler at the model's TIME STEP)")
    back.add_argument("-o", "--out", help="CSV of the later observations and their errors")
    back.add_argument("--plot", help="PNG of the tested series (default: beside --out)")

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
