"""``flywheel loops``, ``flywheel dominance`` and ``flywheel diagram``.

Examples
--------
>>> from flywheel.cli import main
>>> main(["loops", "flywheel_minimal"])  # doctest: +ELLIPSIS
flywheel_minimal: ... loops (exhaustive)...
0
>>> main(["loops", "flywheel_minimal", "--named"])  # doctest: +ELLIPSIS
flywheel_minimal: ... loops (exhaustive)...
4 named loops (the model's sidecar); the other 1 are their parallel variants or unnamed ...
0
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

from flywheel.cli.common import add_model_argument, format_table, parse_set
from flywheel.errors import ParameterValueError
from flywheel.outputs import check_outputs, save_figure, write_csv

__all__ = ["register"]


def _loops(args: argparse.Namespace) -> None:
    from flywheel.errors import LoopLimitWarning, LoopNameWarning
    from flywheel.loops import feedback_loops
    from flywheel.model import load

    model = load(args.model)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LoopLimitWarning)
        warnings.simplefilter("always", LoopNameWarning)
        loops = feedback_loops(model, max_loops=args.max_loops,
                               names=False if args.no_names else None)
    for warning in caught:
        print(f"note: {warning.message}")
    counts = {p: sum(l.polarity == p for l in loops)
              for p in ("reinforcing", "balancing", "undetermined")}
    print(f"{model.name}: {len(loops)} loops ({loops.method}): "
          + ", ".join(f"{n} {p}" for p, n in counts.items() if n))
    shown = [loop for loop in loops if loop.name] if args.named else list(loops)
    if args.named:
        print(f"{len(shown)} named loops (the model's sidecar); the other "
              f"{len(loops) - len(shown)} are their parallel variants or unnamed "
              "(flywheel dominance --families scores each named loop with its variants)")
    rows = [[loop.id, loop.name, loop.polarity, loop.length, " -> ".join(loop.variables)]
            for loop in shown]
    print(format_table(rows, ["loop", "name", "polarity", "length", "variables"],
                       [10, 24, 12, 6, 70]))


def _dominance(args: argparse.Namespace) -> None:
    from flywheel.loops import dominant_periods, loop_dominance, loop_families
    from flywheel.model import load

    model = load(args.model)
    check_outputs([args.out, args.plot], inputs=[model.path])
    result = loop_dominance(model, params=parse_set(args.set) or None, method=args.method,
                            final_time=args.final_time)
    loops = result.sizes["loop"]
    kind = "family" if args.families else "loop"
    if args.families:
        result = loop_families(result, model)
    chosen = None
    if args.loops:
        keys = [s.strip() for s in args.loops.split(",") if s.strip()]
        by_name = {str(n).lower(): i for i, n in zip(result[kind].values,
                                                     result[f"{kind}_name"].values) if n}
        chosen = [by_name.get(k.lower(), k) for k in keys]
    elif args.named:
        chosen = [str(i) for i, n in zip(result[kind].values, result[f"{kind}_name"].values)
                  if n and (kind == "loop" or not str(i).startswith("other"))]
    periods = dominant_periods(result, threshold=args.threshold, loops=chosen)
    what = f"{result.sizes['family']} loop families of {loops} loops" if args.families \
        else f"{loops} loops"
    print(f"{model.name}: loop dominance ({what}, {args.method}, "
          f"dt {result.attrs['dt']:g}); {result.attrs['timing']}")
    rows = [[int(r.partition), getattr(r, kind), r.name, r.polarity, f"{r.start:.6g}",
             f"{r.end:.6g}", f"{r.mean_relative_score:+.2f}"] for r in periods.itertuples()]
    print(format_table(rows, ["part", kind, "name", "polarity", "from", "to", "mean"],
                       [4, 10, 24, 12, 7, 7, 6]))
    if args.out:
        frame = result[f"relative_{kind}_score"].to_pandas()
        frame.columns = [f"{i} {n}".strip() for i, n in zip(result[kind].values,
                                                            result[f"{kind}_name"].values)]
        out = write_csv(frame, args.out, result.attrs)
        print(f"wrote {out.resolve()} (relative {kind} scores)")
    if args.plot:
        from flywheel.plots import plot_loop_dominance

        ax = plot_loop_dominance(result, top=args.top)
        _save(ax.figure, args.plot)


def _save(figure, path: str) -> None:
    out = Path(path)
    if out.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise ParameterValueError(f"the figure must be a .png, .svg or .pdf file, got {path!r}")
    save_figure(figure, out, dpi=150, bbox_inches="tight")
    print(f"wrote {out.resolve()}")


def _diagram(args: argparse.Namespace) -> None:
    from flywheel.model import load
    from flywheel.plots import plot_causal_loop_diagram, plot_stock_flow_diagram

    model = load(args.model)
    check_outputs([args.out], inputs=[model.path])
    if args.kind == "stock-flow":
        if args.loops:
            raise ParameterValueError("--loops applies to --kind cld only")
        ax = plot_stock_flow_diagram(model)
    else:
        chosen = [s.strip() for s in args.loops.split(",") if s.strip()] if args.loops else None
        ax = plot_causal_loop_diagram(model, loops=chosen)
    _save(ax.figure, args.out)


def register(command) -> None:
    """Add loops, dominance and diagram to the command line."""
    loops = command(
        "loops", "List a model's feedback loops: id, name, polarity, length, variables.",
        "flywheel loops flywheel", _loops)
    add_model_argument(loops)
    loops.add_argument("--max-loops", type=int, default=10_000,
                       help="enumerate up to this many loops, then search (default 10000)")
    loops.add_argument("--no-names", action="store_true",
                       help="ignore the model's loop-name sidecar file")
    loops.add_argument("--named", action="store_true",
                       help="list only the loops the sidecar names (a short list for a room)")

    dominance = command(
        "dominance", "Loops That Matter: which loop dominates from when to when "
        "(--families: which named loop, with its parallel variants).",
        "flywheel dominance flywheel --families --set 'Learning Rate=0.3' --plot dominance.png",
        _dominance)
    add_model_argument(dominance)
    dominance.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                           help="set a constant; repeat for several")
    dominance.add_argument("--final-time", type=float, help="end the run at this time")
    dominance.add_argument("--method", default="euler",
                           help="integration method (default euler, as LTM assumes)")
    dominance.add_argument("--threshold", type=float, default=0.0,
                           help="report only times where one loop's |relative score| "
                                "exceeds this (default 0)")
    dominance.add_argument("--families", action="store_true",
                           help="score loop families: each sidecar loop with its parallel "
                                "variants (loops through all its listed variables, in "
                                "order); unmatched loops form 'other'")
    dominance.add_argument("--named", action="store_true",
                           help="only the named loops (families) compete for dominance")
    dominance.add_argument("--loops", metavar="R1,B1",
                           help="only these loops (families) compete for dominance "
                                "(ids or names)")
    dominance.add_argument("--plot", metavar="FILE", help="stacked relative loop scores "
                                                          "(.png, .svg or .pdf)")
    dominance.add_argument("--top", type=int, default=8,
                           help="loops named in the plot (default 8)")
    dominance.add_argument("-o", "--out", metavar="FILE.csv",
                           help="relative loop (family) scores as CSV")

    diagram = command(
        "diagram", "Draw a causal loop diagram or a stock-and-flow diagram.",
        "flywheel diagram flywheel --kind cld --loops R1,B1 -o loops.png", _diagram)
    add_model_argument(diagram)
    diagram.add_argument("--kind", choices=("cld", "stock-flow"), default="cld",
                         help="causal loop diagram (default) or stock-and-flow diagram")
    diagram.add_argument("--loops", metavar="R1,B1",
                         help="only these loops (ids or names, comma-separated)")
    diagram.add_argument("-o", "--out", required=True, metavar="FILE",
                         help="the figure: .png, .svg or .pdf")
