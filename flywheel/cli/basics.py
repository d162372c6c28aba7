"""``flywheel run``, ``flywheel models`` and ``flywheel describe``."""

from __future__ import annotations

import argparse
from pathlib import Path

from flywheel.cli.common import add_model_argument, add_run_options, format_table, parse_set
from flywheel.model import available_models, load
from flywheel.outputs import check_outputs, save_figure, write_csv
from flywheel.vocabulary import key_outputs
from flywheel.simulate import simulate

__all__ = ["register"]


def _run(args: argparse.Namespace) -> None:
    model = load(args.model)
    out = Path(args.out or f"{model.name}_run.csv")
    plot = Path(args.plot or out.with_suffix(".png"))
    check_outputs([out, plot], inputs=[model.path])
    options = {"engine": args.engine} if args.engine else {}
    run = simulate(model, params=parse_set(args.set), method=args.method,
                   final_time=args.final_time, strict=args.strict, **options)
    variables = key_outputs(model)
    write_csv(_to_frame(run, variables), out, run.attrs)
    from flywheel.experiments.projection import history_end, observed_points, project
    from flywheel.plots import plot_bands, plot_run

    what = "baseline" if not args.set else "; ".join(args.set)
    title = f"{model.name}: {what} ({run.attrs['engine']} engine, {run.attrs['method']})"
    points, end = observed_points(model, run), history_end(model)
    if args.bands:
        bands = project(model, params=parse_set(args.set), final_time=args.final_time,
                        outputs=variables)
        title = (f"{model.name}: {what}, 5/50/95% of {bands.attrs['members']} members "
                 f"(Latin hypercube over {len(bands.attrs['sampled'])} constants)")
        axes = plot_bands(bands, variables, observations=points, history_end=end, title=title)
    else:
        axes = plot_run(run, variables, title=title, observations=points, history_end=end)
    save_figure(axes[0].figure, plot, run.attrs, dpi=120)
    print(f"wrote {out.resolve()} ({len(variables)} key outputs, {run.sizes['time']} times)")
    print(f"wrote {plot.resolve()}")


def _to_frame(run, variables: list[str]):
    """`variables` of `run` as a table whose column names carry the units."""
    frame = run[variables].to_dataframe()[variables]
    return frame.rename(
        columns={v: f"{v} [{run[v].attrs['units']}]" if run[v].attrs.get("units") else v
                 for v in variables}
    )


def _models(args: argparse.Namespace) -> None:
    for name in available_models():
        model = load(name)
        control = model.control
        print(
            f"{name:<18} {len(model.stocks):>3} stocks {len(model.constants):>3} constants  "
            f"{control['INITIAL TIME']:g}-{control['FINAL TIME']:g}  {model.path}"
        )


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _describe(args: argparse.Namespace) -> None:
    model = load(args.model)
    control = model.control
    print(f"{model.name}: {model.path}")
    print(
        f"runs {control['INITIAL TIME']:g} to {control['FINAL TIME']:g}, "
        f"TIME STEP {control['TIME STEP']:g}, SAVEPER {control['SAVEPER']:g}\n"
    )
    if model.subscripts:
        rows = [[name, ", ".join(items),
                 ", ".join(n for n in model.elements if name in model.dimensions(n))]
                for name, items in model.subscripts.items()]
        print(f"Subscript ranges ({len(rows)})")
        header = ["range", "elements", "subscripted elements"]
        print(format_table(rows, header, [20, 40, 60]) + "\n")
    for kind, title in (("stock", "Stocks"), ("flow", "Flows")):
        rows = [[el.name, el.units, el.equation]
                for el in model.elements.values() if el.kind == kind]
        print(f"{title} ({len(rows)})")
        print(format_table(rows, ["name", "units", "equation"], [34, 22, 60]) + "\n")
    rows = [
        [el.name, el.units, _number(el.value),
         f"[{_number(el.range[0])}, {_number(el.range[1])}]", el.source or el.documentation]
        for el in model.elements.values() if el.kind == "constant"
    ]
    print(f"Constants ({len(rows)})")
    print(format_table(rows, ["name", "units", "default", "range", "source"], [34, 22, 9, 14, 50]))


def register(command) -> None:
    """Add run, models and describe to the command line."""
    run = command(
        "run", "Run a model and write its key outputs as CSV and a PNG figure.",
        "flywheel run flywheel --set 'Learning Rate=0.3' --out out/run.csv --plot out/run.png",
        _run,
    )
    add_model_argument(run, optional=True)
    add_run_options(run)
    run.add_argument("-o", "--out", help="CSV file of the key outputs (default: MODEL_run.csv)")
    run.add_argument("--plot", help="PNG figure of the key outputs (default: beside --out)")
    run.add_argument("--bands", action="store_true",
                     help="draw 5/50/95%% bands of a 500-member ensemble over the model's "
                          "uncertainty file (MODEL.uncertainty.toml) instead of the one run")

    command("models", "List the bundled models.", "flywheel models", _models)

    describe = command(
        "describe",
        "Describe a model: stocks, flows, constants with units, defaults, ranges, sources.",
        "flywheel describe flywheel_minimal", _describe,
    )
    add_model_argument(describe)
