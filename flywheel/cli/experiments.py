"""``flywheel sweep``, ``flywheel sensitivity`` and ``flywheel threshold``.

``--param`` names a constant to vary, optionally with its bounds and (for a
grid) its number of points: ``NAME``, ``NAME=LOW:HIGH`` or
``NAME=LOW:HIGH:POINTS``; bounds default to the constant's declared range.
Results are written as netCDF (``.nc``, readable with ``xarray.open_dataset``)
or CSV, and figures as PNG.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from typing import TYPE_CHECKING

import numpy as np

from flywheel.cli.common import add_model_argument, add_strict_option, format_table, parse_set
from flywheel.errors import ParameterValueError
from flywheel.experiments.problem import define_problem
from flywheel.experiments.sampling import SAMPLERS, sample
from flywheel.experiments.sensitivity import METHODS, sensitivity
from flywheel.model import load
from flywheel.outputs import check_outputs, save_figure, write_csv, write_netcdf
from flywheel.params import finite_number

if TYPE_CHECKING:  # sweeps import xarray when they run (cheap start-up)
    import xarray as xr

__all__ = ["parse_param", "register"]

#: The outcome the flywheel's central question is about.
SPEND_RATIO = "Total Compute Spend@2035/2025"


def parse_param(text: str) -> tuple[str, list[float] | None, int | None]:
    """``"NAME=LOW:HIGH:POINTS"`` to ``(NAME, [LOW, HIGH], POINTS)``; bounds and points optional.

    Examples
    --------
    >>> parse_param("Price Elasticity of Demand=0.5:2.5:41")
    ('Price Elasticity of Demand', [0.5, 2.5], 41)
    >>> parse_param("Learning Rate")
    ('Learning Rate', None, None)
    """
    name, _, spec = text.partition("=")
    parts = [p.strip() for p in spec.split(":")] if spec.strip() else []
    if not name.strip() or len(parts) not in (0, 2, 3):
        raise ParameterValueError(
            f"--param expects NAME, NAME=LOW:HIGH or NAME=LOW:HIGH:POINTS, got {text!r}"
        )
    bounds = [finite_number(p, f"--param {name.strip()!r} bound") for p in parts[:2]] or None
    points = None
    if len(parts) == 3:
        if not parts[2].isdigit() or int(parts[2]) < 2:
            raise ParameterValueError(f"--param {text!r}: POINTS must be an integer >= 2")
        points = int(parts[2])
    return name.strip(), bounds, points


def _problem(model, params: list[str]) -> tuple[dict, list[int | None]]:
    """The problem ``--param`` describes, and the grid points each one asks for."""
    if not params:
        return define_problem(model), [None] * len(define_problem(model)["names"])
    parsed = [parse_param(p) for p in params]
    problem = define_problem(model, [n for n, _, _ in parsed], bounds=[b for _, b, _ in parsed])
    return problem, [p for _, _, p in parsed]


def _write(result: xr.Dataset, out: Path) -> None:
    """`result` as CSV or netCDF, with its provenance; netCDF keeps the inputs as
    variables (names with spaces cannot be netCDF coordinates) and the
    ``problem`` attr lists them."""
    if out.suffix == ".csv":
        write_csv(result.to_dataframe(), out, result.attrs)
    else:
        write_netcdf(result, out)


def _save_figure(ax, path: Path, attrs: dict) -> None:
    save_figure(ax.figure, path, attrs, dpi=120)
    print(f"wrote {path.resolve()}")


def _execution(args: argparse.Namespace) -> dict:
    return {"engine": args.scheduler or "local", "workers": args.workers,
            "progress": not args.no_progress}


def _sweep(args: argparse.Namespace) -> None:
    if not args.param:
        raise ParameterValueError("give the constants to vary with --param (one or more)")
    if args.resume and not args.checkpoint:
        raise ParameterValueError("--resume continues the sweep in --checkpoint DIR: give DIR")
    model = load(args.model)
    out = Path(args.out or f"{model.name}_sweep.nc")
    check_outputs([out, args.plot], inputs=[model.path])
    problem, points = _problem(model, args.param)
    if args.sample == "grid":
        n = [p or args.n or 11 for p in points]
    elif any(points):
        raise ParameterValueError("POINTS in --param apply to --sample grid; use --n instead")
    else:
        n = args.n or 256
    from flywheel.experiments.sweep import sweep

    samples = sample(problem, n, method=args.sample, seed=args.seed)
    result = sweep(model, samples, outcomes=args.outcome or [SPEND_RATIO],
                   params=parse_set(args.set), final_time=args.final_time, strict=args.strict,
                   checkpoint=args.checkpoint, resume=args.resume, max_memory=args.max_memory,
                   **_execution(args))
    _write(result, out)
    print(f"wrote {out.resolve()} ({len(samples)} runs, {args.sample} sampling)")
    rows = [[name, f"{np.nanmin(v):.4g}", f"{np.nanmedian(v):.4g}", f"{np.nanmax(v):.4g}"]
            for name, v in ((n, result[n].values) for n in result.data_vars)]
    print(format_table(rows, ["outcome", "min", "median", "max"], [44, 10, 10, 10]))
    if args.plot:
        from flywheel.plots import plot_sweep

        _save_figure(plot_sweep(result), Path(args.plot), result.attrs)


def _sensitivity(args: argparse.Namespace) -> None:
    from flywheel.experiments.sweep import sweep

    model = load(args.model)
    check_outputs([args.out, args.plot], inputs=[model.path])
    problem, points = _problem(model, args.param)
    if any(points):
        raise ParameterValueError("POINTS in --param apply to flywheel sweep's grid")
    samples = sample(problem, args.n, method=args.method, seed=args.seed, levels=args.levels)
    outcome = args.outcome or SPEND_RATIO
    result = sweep(model, samples, outcomes=[outcome], params=parse_set(args.set),
                   final_time=args.final_time, strict=args.strict, **_execution(args))
    indices = sensitivity(result, conf_level=args.conf_level)
    table = indices.to_df()
    print(f"{args.method} indices of {indices.outcome} ({len(samples)} runs, seed {samples.seed})")
    rows = [[name, *(f"{v:.3f}" for v in row)] for name, row in zip(table.index, table.values)]
    print(format_table(rows, ["input", *table.columns], [34] + [12] * len(table.columns)))
    if args.out:
        write_csv(table, args.out, result.attrs)
        print(f"wrote {Path(args.out).resolve()}")
    if args.plot:
        _save_figure(indices.plot(), Path(args.plot), result.attrs)


def _threshold(args: argparse.Namespace) -> None:
    from flywheel.experiments.jevons import jevons_threshold

    check_outputs([args.plot, args.out, args.one_d], inputs=[load(args.model).path])
    counts = [int(c) for c in args.n.split(",")] if args.n else [41, 21]
    result = jevons_threshold(args.model, args.x, None if args.y == "none" else args.y,
                              n=counts if args.y != "none" else counts[0],
                              params=parse_set(args.set), **_execution(args))
    x = result.attrs["x"]
    threshold = result["threshold"]
    if threshold.ndim:
        y = result.attrs["y"]
        rows = [[f"{v:g}", f"{t:.4g}"] for v, t in zip(result[y].values, threshold.values)]
        print(format_table(rows, [y, f"{x} at the flip"], [30, 40]))
    else:
        print(f"{x} at the flip (spend ratio = 1): {float(threshold):.4g}")
    if args.out:
        _write(result, Path(args.out))
        print(f"wrote {Path(args.out).resolve()}")
    from flywheel.plots import plot_phase_diagram, plot_threshold_1d

    if threshold.ndim:
        _save_figure(plot_phase_diagram(result), Path(args.plot), result.attrs)
    if args.one_d or not threshold.ndim:
        _save_figure(plot_threshold_1d(result), Path(args.one_d or args.plot), result.attrs)


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="hold a constant at a value in every run; repeat for several")
    parser.add_argument("--workers", type=int, default=1,
                        help="local processes (default 1: this process)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="run on the Dask cluster at ADDRESS (e.g. tcp://10.0.0.5:8786)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def _add_sampling(parser: argparse.ArgumentParser) -> None:
    add_model_argument(parser)
    parser.add_argument("--param", action="append", default=[],
                        metavar="NAME[=LOW:HIGH[:POINTS]]",
                        help="a constant to vary; repeat for several")
    parser.add_argument("--seed", type=int, help="seed of the random sampling")
    parser.add_argument("--final-time", type=float, help="end every run at this time")
    add_strict_option(parser)
    _add_common(parser)


def register(command) -> None:
    """Add sweep, sensitivity and threshold to the command line."""
    run = command(
        "sweep", "Run a model over a sample of constants and keep scalar or series outcomes.",
        "flywheel sweep flywheel_minimal --param 'Price Elasticity of Demand=0.5:2.5:41' "
        "--outcome 'Total Compute Spend@2035/2025' --out sweep.nc --plot sweep.png",
        _sweep,
    )
    _add_sampling(run)
    run.add_argument("--outcome", action="append", metavar="SPEC",
                     help="an outcome spec (flywheel.experiments.outcomes); repeat for "
                          f"several (default: {SPEND_RATIO!r})")
    run.add_argument("--sample", choices=sorted(SAMPLERS), default="grid",
                     help="sampling method (default: grid)")
    run.add_argument("--n", type=int, help="grid points per name (default 11), or runs, "
                     "base samples or trajectories of the other methods (default 256)")
    run.add_argument("-o", "--out", help="netCDF (.nc) or CSV file (default: MODEL_sweep.nc)")
    run.add_argument("--plot", help="PNG figure of the first outcome against the first input")
    run.add_argument("--checkpoint", metavar="DIR",
                     help="save each finished chunk in DIR (resume with --resume)")
    run.add_argument("--resume", action="store_true",
                     help="continue the sweep saved in --checkpoint DIR")
    run.add_argument("--max-memory", metavar="SIZE",
                     help="memory the sweep may take, e.g. 512MB (default 2GB): chunks "
                          "shrink to fit, outcomes that cannot are refused before any run")

    sens = command(
        "sensitivity",
        "Sobol or Morris sensitivity indices of an outcome over the --param constants "
        "(default: the model's feedback strengths).",
        "flywheel sensitivity flywheel --method sobol --n 1024 --out indices.csv "
        "--plot indices.png", _sensitivity,
    )
    _add_sampling(sens)
    sens.add_argument("--outcome", metavar="SPEC",
                      help=f"the outcome spec to analyse (default: {SPEND_RATIO!r})")
    sens.add_argument("--method", choices=sorted(METHODS), default="sobol")
    sens.add_argument("--n", type=int, default=1024,
                      help="Sobol base samples (a power of 2) or Morris trajectories")
    sens.add_argument("--levels", type=int, default=4, help="Morris grid levels (even)")
    sens.add_argument("--conf-level", type=float, default=0.95)
    sens.add_argument("-o", "--out", help="CSV table of the indices")
    sens.add_argument("--plot", help="PNG figure of the indices")

    threshold = command(
        "threshold", "The Jevons threshold: phase diagram of spend 2035/2025 over two strengths.",
        "flywheel threshold flywheel_minimal --plot phase.png -o grid.nc", _threshold,
    )
    add_model_argument(threshold)
    threshold.add_argument("--plot", default="threshold.png",
                           help="PNG phase diagram (default: threshold.png)")
    threshold.add_argument("--x", default="Price Elasticity of Demand",
                           help="strength on the x axis (default: %(default)s)")
    threshold.add_argument("--y", default="Learning Rate",
                           help="second strength, or 'none' (default: %(default)s)")
    threshold.add_argument("--n", help="grid points as NX,NY (default: 41,21)")
    threshold.add_argument("--one-d", metavar="FILE", help="also a PNG of spend ratio against x")
    threshold.add_argument("-o", "--out", help="netCDF of the grid and the threshold")
    _add_common(threshold)
