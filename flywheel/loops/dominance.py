"""Loops That Matter: link scores, loop scores and loop dominance over a run.

Definitions (Schoenberg, Davidsen & Eberlein 2020; flow → stock links as
corrected by Schoenberg, Hayward & Eberlein 2023):

* Link into an auxiliary or flow z = f(x, y, ...):
  ``LS(x→z) = |Δx z / Δz| · sign(Δx z / Δx)``, where ``Δz = z(t) − z(t−dt)``
  and ``Δx z = f(x(t), y(t−dt), ...) − z(t−dt)``: only x moves. LS = 0 when
  Δz = 0 or Δx = 0; links from constants score 0.
* Link into a stock: the stock's net rate r (the INTEG's first argument) is
  scored as an auxiliary and r → stock scores 1. For a stock with in- and
  outflows this is the 2023 form ``LS(i→S) = +|Δi·dt / (ΔS(t+dt) − ΔS(t))|``,
  ``LS(o→S) = −|Δo·dt / (ΔS(t+dt) − ΔS(t))|``, since with ΔS(t) = S(t) −
  S(t−dt) and Euler steps, ΔS(t+dt) − ΔS(t) = dt · Δr(t).
* Loop score: the product of the link scores around the loop. Relative loop
  score: loop score / Σ |loop score| over the loops of its cycle partition
  (strongly connected component); it lies in [−1, 1] (0 when no loop of the
  partition moves).

Timing convention
-----------------
The score at time t describes the step from t − dt to t: every Δ is a
value at t minus the value at t − dt (for a stock link, the net rate at t,
which moves the stock from t to t + dt, minus the net rate at t − dt). The
first time has no score (NaN); the last time has one. The run steps by the
TIME STEP (the discrete definitions assume dt steps), with the compiled
engine's Euler method unless another is asked for; scores are reported at
the saved times (every SAVEPER, or every step with ``saveper=dt``), each for
the step that ends there.

Subscripted models
------------------
Each element of a subscripted variable is a node of the causal graph
(``Population[North]``), and loops run through elements. A link
x[i] → z[j] scores the change of element j of z's equation when only
element i of x moves (every other element of x, and every other input,
stays at t − dt); Δz and Δx are those elements' changes
(:mod:`flywheel.loops.evaluate_arrays`). To see the structure with a
range's elements merged, ``flywheel.causal_graph(model,
aggregate_over=["Region"])`` or ``flywheel.feedback_loops(model,
aggregate_over=["Region"])``; those merged loops are not scored.

Examples
--------
The worked numbers of the 2020 paper (Table 1):

>>> link_score(lambda x, y: 2 * x + y, before={"x": 5, "y": 4}, after={"x": 7, "y": 5})
{'x': 0.8, 'y': 0.2}
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import xarray as xr

from flywheel.compiler.jit import available
from flywheel.loops.cycles import DEFAULT_MAX_LOOPS, FeedbackLoops, feedback_loops, paused_gc
from flywheel.loops.evaluate import Evaluator, evaluator
from flywheel.model import Model, load
from flywheel.params import RunTimes

__all__ = [
    "TIMING",
    "Incidence",
    "dominant_periods",
    "flow_link_scores",
    "incidence",
    "link_score",
    "loop_dominance",
]

#: The timing convention, as stored in the Dataset's attrs.
TIMING = ("the score at time t uses the change from t - dt to t (for a flow into a stock: "
          "the change of the net rate from t - dt to t, which moves the stock from t to "
          "t + dt); the first time has no score (NaN)")

#: Changes smaller than this, relative to the value, count as no change.
_RTOL = 1e-12


# ---------------------------------------------------------------------- formulas
def _score(partial, change, source_change):
    """LS = |Δx z / Δz| · sign(Δx z / Δx), 0 where Δz or Δx is 0 (elementwise)."""
    partial, change, source_change = np.broadcast_arrays(
        np.asarray(partial, float), np.asarray(change, float), np.asarray(source_change, float))
    ok = (change != 0) & (source_change != 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.abs(partial / np.where(ok, change, 1.0)) * np.sign(partial) * np.sign(
            source_change)
    return np.where(ok, score, 0.0)


def link_score(equation: Callable[..., float], before: Mapping[str, float],
               after: Mapping[str, float]) -> dict[str, float]:
    """The link score of each input of ``z = equation(**inputs)`` over one step.

    Parameters
    ----------
    equation : callable
        The target's equation, called with the inputs as keywords.
    before, after : mapping
        Each input's value at t − dt and at t.

    Returns
    -------
    dict
        Input name -> LS(input → z).

    Examples
    --------
    >>> scores = link_score(lambda w, x, y: (w + x) / y,
    ...                     before={"w": 7, "x": 2, "y": 3}, after={"w": 10, "x": 4, "y": 5})
    >>> {k: round(v, 2) for k, v in scores.items()}
    {'w': 5.0, 'x': 3.33, 'y': -6.0}
    """
    z0 = equation(**before)
    change = equation(**after) - z0
    out = {}
    for name in before:
        moved = dict(before, **{name: after[name]})
        out[name] = float(_score(equation(**moved) - z0, change, after[name] - before[name]))
    return out


def flow_link_scores(inflows: Mapping[str, tuple[float, float]],
                     outflows: Mapping[str, tuple[float, float]],
                     stock: tuple[float, float, float], *, dt: float = 1.0) -> dict[str, float]:
    """Link scores of flows into one stock, in the 2023 corrected form.

    Parameters
    ----------
    inflows, outflows : mapping
        Flow name -> (value at t − dt, value at t).
    stock : (float, float, float)
        The stock at t − dt, t and t + dt: ΔS(t) = S(t) − S(t−dt) is the
        change the old flows made, ΔS(t+dt) the change the new ones make.
    dt : float
        The time step. The published formula is written for dt = 1; a flow
        is a rate, so its change is multiplied by dt to compare it with the
        stock's changes: the score is Δi / Δ(net flow), dimensionless.

    Returns
    -------
    dict
        ``+|Δi·dt / (ΔS(t+dt) − ΔS(t))|`` for an inflow, ``−|Δo·dt / ...|``
        for an outflow (0 when the stock's change does not change).

    Examples
    --------
    >>> flow_link_scores({"inflow": (5, 10)}, {"outflow": (4, 5)}, stock=(100, 101, 106))
    {'inflow': 1.25, 'outflow': -0.25}
    """
    acceleration = (stock[2] - stock[1]) - (stock[1] - stock[0])
    out = {}
    for flows, sign in ((inflows, 1.0), (outflows, -1.0)):
        for name, (old, new) in flows.items():
            out[name] = 0.0 if acceleration == 0 else sign * abs((new - old) * dt / acceleration)
    return out


# ---------------------------------------------------------------------- along a run
def _link_scores(ev: Evaluator, run, edges: Sequence[tuple[str, str]]) -> np.ndarray:
    """Link scores of `edges` at every scored time: shape (n, len(edges), scenarios),
    NaN at the first time."""
    values = run.values
    n = run.times.size
    width = max(1, run.n_scenarios or 1)
    rows = run.after.stop  # the rows evaluated: every step, or two per scored step
    # Δx z, Δz and Δx of every link; a link whose source its target does not read stays 0
    partial, change, source_change = np.zeros((3, n - 1, len(edges), width))
    by_target: dict[str, list[int]] = {}
    for k, (_, target) in enumerate(edges):
        by_target.setdefault(target, []).append(k)
    for target, indices in by_target.items():
        inputs = set(ev.inputs(target))
        sources = [edges[k][0] for k in indices if edges[k][0] in inputs]
        if not sources:
            continue
        _, changes = ev.partial_changes(run, target, sources)
        z = np.broadcast_to(ev.equation_values(run, target), (rows, width))
        moved = run.change(z)
        scale = np.maximum(np.abs(z[run.after]), np.abs(z[run.before]))
        moved = np.where(np.abs(moved) <= _RTOL * scale, 0.0, moved)
        for k in indices:
            source = edges[k][0]
            if source in changes:
                partial[:, k] = changes[source]
                change[:, k] = moved
                source_change[:, k] = run.change(np.broadcast_to(values[source], (rows, width)))
    out = np.full((n, len(edges), width), np.nan)
    # quotients where the target or the source did not move are replaced by the
    # definition's 0; the run itself was checked for non-finite states
    with np.errstate(divide="ignore", invalid="ignore"):
        out[1:] = _score(partial, change, source_change)
    return out


def _products(scores: np.ndarray, members: Sequence[Sequence[int]]) -> np.ndarray:
    """Products of link scores over each loop's links, for all times at once.

    One sparse product with the link-loop incidence matrix gives, per loop
    and time, the sum of log |score| and a tally of its negative and zero
    scores; that is one pass over the loops' links instead of one numpy call
    per loop.
    """
    import scipy.sparse

    steps, n_links, width = scores.shape
    rows = np.concatenate([np.asarray(links, dtype=int) for links in members])
    cols = np.repeat(np.arange(len(members)), [len(links) for links in members])
    incidence = scipy.sparse.csr_matrix((np.ones(rows.size), (cols, rows)),
                                        shape=(len(members), n_links))
    flat = np.moveaxis(scores, 2, 1).reshape(steps * width, n_links)
    zero = flat == 0
    logs = np.log(np.abs(np.where(zero, 1.0, flat)))
    # counts of negative links (below 64: no loop is that long here) plus 64 per zero link
    big = 1 << max(6, int(np.ceil(np.log2(max(len(m) for m in members) + 1))))
    counts = (flat < 0) + big * zero.astype(float)
    sums = incidence @ np.vstack([logs, counts]).T  # (loops, 2 * rows)
    size = flat.shape[0]
    magnitude = np.exp(sums[:, :size])
    tally = np.rint(sums[:, size:])
    negative = (tally % big) % 2 == 1
    product = np.where(tally >= big, 0.0, np.where(negative, -magnitude, magnitude)).T
    return np.moveaxis(product.reshape(steps, width, len(members)), 1, 2)


def loop_dominance(
    model: Model | str | Path,
    *,
    params: Mapping[str, object] | None = None,
    method: str = "euler",
    final_time: float | None = None,
    dt: float | None = None,
    saveper: float | None = None,
    loops: FeedbackLoops | None = None,
    max_loops: int = DEFAULT_MAX_LOOPS,
) -> xr.Dataset:
    """Loops That Matter: link, loop and relative loop scores over a run.

    Parameters
    ----------
    model : Model, str or path
        A loaded model, a bundled model's name or a model file's path.
    params : mapping, optional
        Constant name -> number or 1-D array (then a ``scenario`` dimension),
        as for :func:`flywheel.simulate`.
    method : str
        Integration method of the compiled engine. ``"euler"`` (default)
        matches the discrete definitions exactly; with another method the
        same formulas are applied to its states on the TIME STEP grid.
    final_time, dt : float, optional
        Override FINAL TIME and TIME STEP.
    saveper : float, optional
        Report the scores at multiples of `saveper` (default: the model's
        SAVEPER, as :func:`flywheel.simulate` saves; ``saveper=dt`` reports
        every TIME STEP). The run always steps by `dt`: the score reported at
        t is that of the step from t - dt to t, whatever `saveper` is.
    loops : FeedbackLoops, optional
        The loops to score (default: :func:`flywheel.feedback_loops` of `model`).
    max_loops : int
        Passed to :func:`flywheel.feedback_loops` when `loops` is None.

    Returns
    -------
    xarray.Dataset
        Dimensions ``time`` (the saved times), ``link``, ``loop`` (and
        ``scenario``). Data variables ``link_score`` (time, link),
        ``loop_score`` and ``relative_loop_score`` (time, loop). Coordinates
        ``link_source``, ``link_target``, ``link_polarity`` on ``link`` (labels
        ``"A -> B"``); ``loop_name``, ``loop_polarity``, ``loop_length``,
        ``loop_variables`` and ``partition`` on ``loop`` (loop ids). The
        attrs state the timing convention, method, time step and save
        period. Scores at the first time are NaN (see the module's timing
        convention).

    Raises
    ------
    UnsupportedConstructError
        The compiled engine cannot run the model.
    UnknownParameterError, ParameterValueError
        Bad parameters, method or times.

    Notes
    -----
    One compiled Euler run at TIME STEP; the auxiliaries evaluated, all at
    once, at each reported time and the step before it; per link, one
    vectorised evaluation of its target's equation at those rows (only the
    links of `loops`); one compiled pass for the loop and relative loop
    scores. What depends on the loops alone (their links, coordinates) is
    computed once per `loops` object, and loops and the default run are
    cached per Model object, so a slider that changes `params` costs about
    one run and one scoring pass (``benchmarks/bench_speed.py`` measures it).

    Examples
    --------
    >>> import flywheel
    >>> ltm = flywheel.loop_dominance("flywheel_minimal")
    >>> sorted(ltm.data_vars)
    ['link_score', 'loop_score', 'relative_loop_score']
    >>> bool(ltm["relative_loop_score"].isel(time=0).isnull().all())
    True
    >>> float(ltm.attrs["saveper"]), float(ltm.attrs["dt"])  # reported quarterly, run at dt
    (0.25, 0.0078125)

    A subscripted model's loops run through elements:

    >>> regions = flywheel.loop_dominance("tests/models/sub_1d.mdl")
    >>> sorted(regions["loop_variables"].values)[:2]
    ['Population[East] -> Births[East]', 'Population[East] -> Deaths[East]']
    """
    model = model if isinstance(model, Model) else load(model)
    if loops is None:
        loops = feedback_loops(model, max_loops=max_loops)
    saveper = RunTimes(model, final_time=final_time, dt=dt, saveper=saveper).saveper
    with paused_gc():
        return _dominance(model, loops, params, method, final_time, dt, saveper)


class Incidence(NamedTuple):
    """Which links make each loop, flattened for the compiled loop scores.

    Attributes
    ----------
    links : numpy.ndarray of int64
        The links of loop 0, then of loop 1, ...
    starts : numpy.ndarray of int64
        Where each loop's links start in `links`, and their end (length loops + 1).
    partition : numpy.ndarray of int64
        Each loop's cycle partition, numbered 0, 1, ...
    n_partitions : int
    """

    links: np.ndarray
    starts: np.ndarray
    partition: np.ndarray
    n_partitions: int

    @property
    def members(self) -> list[np.ndarray]:
        """Each loop's links."""
        return np.split(self.links, self.starts[1:-1]) if self.starts.size > 1 else []


def incidence(members: Sequence[Sequence[int]], partitions: Sequence[int]) -> Incidence:
    """The :class:`Incidence` of loops made of the links `members`, in `partitions`.

    Examples
    --------
    >>> loops = incidence([[0, 1], [0, 2], [1]], [3, 3, 5])
    >>> loops.starts.tolist(), loops.partition.tolist(), loops.n_partitions
    ([0, 2, 4, 5], [0, 0, 1], 2)
    """
    labels, partition = np.unique(np.asarray(partitions), return_inverse=True)
    return Incidence(
        np.concatenate([np.empty(0, np.int64)] + [np.asarray(m, dtype=np.int64) for m in members]),
        np.concatenate([[0], np.cumsum([len(m) for m in members])]).astype(np.int64),
        partition.astype(np.int64), len(labels))


@dataclass(frozen=True)
class _LoopTable:
    """What scoring a set of loops needs besides the run: computed once per set."""

    edges: list[tuple[str, str]]
    loops: Incidence
    coords: dict
    indexes: dict


_TABLES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _loop_table(loops: FeedbackLoops) -> _LoopTable:
    """The :class:`_LoopTable` of `loops`, built once per FeedbackLoops object."""
    try:
        return _TABLES[loops]
    except (KeyError, TypeError):
        pass
    edges = sorted({(a, b) for loop in loops for a, b, _ in loop.links})
    link_index = {edge: k for k, edge in enumerate(edges)}
    polarity = {(a, b): p for loop in loops for a, b, p in loop.links}
    coords = {
        "link": ("link", np.array([f"{a} -> {b}" for a, b in edges], dtype=object)),
        "link_source": ("link", np.array([a for a, _ in edges], dtype=object)),
        "link_target": ("link", np.array([b for _, b in edges], dtype=object)),
        "link_polarity": ("link", np.array([polarity[e] for e in edges], dtype=object)),
        "loop": ("loop", np.array([loop.id for loop in loops], dtype=object)),
        "loop_name": ("loop", np.array([loop.name for loop in loops], dtype=object)),
        "loop_polarity": ("loop", np.array([loop.polarity for loop in loops], dtype=object)),
        "loop_length": ("loop", np.array([loop.length for loop in loops])),
        "loop_variables": ("loop", np.array([" -> ".join(loop.variables) for loop in loops],
                                            dtype=object)),
        "partition": ("loop", np.array([loop.partition for loop in loops])),
    }
    members = [[link_index[(a, b)] for a, b, _ in loop.links] for loop in loops]
    indexes = {dim: xr.indexes.PandasIndex(coords[dim][1], dim, coord_dtype=np.dtype(object))
               for dim in ("link", "loop")}
    table = _LoopTable(edges, incidence(members, coords["partition"][1]), coords, indexes)
    try:
        _TABLES[loops] = table
    except TypeError:  # not weak-referenceable (a plain list): not cached
        pass
    return table


def _dominance(model, loops, params, method, final_time, dt, saveper) -> xr.Dataset:
    ev = evaluator(model)
    run = ev.run(params, method=method, final_time=final_time, dt=dt, saveper=saveper)
    table = _loop_table(loops)
    unknown = [node for edge in table.edges for node in edge if node not in ev.nodes]
    if unknown:
        from flywheel.errors import ParameterValueError

        raise ParameterValueError(
            f"loop variable {unknown[0]!r} is not a node of the causal graph of "
            f"{model.name!r}: loops found with aggregate_over (elements merged) are not "
            "scored; score the element loops of flywheel.feedback_loops(model)")
    scores = _link_scores(ev, run, table.edges)
    if available():
        from flywheel.loops.products import loop_scores

        products, relative = loop_scores(scores, table.loops)
    else:
        products, relative = _loop_scores(scores, table.loops)
    relative[0] = np.nan  # the first time has no score
    dataset = _dataset(model, table, run, scores, products, relative, method)
    dataset.attrs["saveper"] = float(saveper)
    return dataset


def _loop_scores(scores: np.ndarray, loops: Incidence) -> tuple[np.ndarray, np.ndarray]:
    """Loop scores and relative loop scores (numpy; :mod:`flywheel.loops.products` is
    the compiled path); NaN where the link scores are."""
    if not loops.members:
        empty = np.zeros(scores.shape[:1] + (0,) + scores.shape[2:])
        return empty, empty.copy()
    products = _products(scores, loops.members)
    relative = np.zeros_like(products)
    for part in range(loops.n_partitions):
        inside = loops.partition == part
        total = np.abs(products[:, inside, :]).sum(axis=1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            relative[:, inside, :] = np.where(total > 0, products[:, inside, :] / total, 0.0)
    return products, relative


def _dataset(model, table: _LoopTable, run, scores, loop_scores, relative,
             method) -> xr.Dataset:
    from flywheel.datasets import fast_dataset

    single = run.n_scenarios is None

    def pad(values):  # the first time has no score: NaN there already
        return values[..., 0] if single else values

    dims_link = ("time", "link") if single else ("time", "link", "scenario")
    dims_loop = ("time", "loop") if single else ("time", "loop", "scenario")
    coords = {"time": ("time", run.times), **table.coords}
    if not single:
        coords["scenario"] = ("scenario", np.arange(run.n_scenarios))
        for name, value in run.params.items():
            if np.ndim(value) == 1:
                coords[name] = ("scenario", np.asarray(value))
    data = {
        "link_score": xr.Variable(dims_link, pad(scores), {
            "long_name": "link score", "units": "1",
            "description": "|Δx z / Δz| · sign(Δx z / Δx): the share and direction of the "
                           "target's change that the source's change made"}),
        "loop_score": xr.Variable(dims_loop, pad(loop_scores), {
            "long_name": "loop score", "units": "1",
            "description": "product of the link scores around the loop"}),
        "relative_loop_score": xr.Variable(dims_loop, pad(relative), {
            "long_name": "relative loop score", "units": "1",
            "description": "loop score / sum of |loop score| over the loops of the same "
                           "cycle partition; in [-1, 1]"}),
    }
    dataset = fast_dataset(data, coords, table.indexes)  # xr.Dataset's checks cost more
    dataset["time"].attrs["units"] = model.elements["INITIAL TIME"].units \
        if "INITIAL TIME" in model.elements else ""
    dataset.attrs.update(
        model=model.name, method=method, dt=float(run.dt), timing=TIMING,
        analysis="Loops That Matter (Schoenberg, Davidsen & Eberlein 2020), flow-to-stock "
                 "links in the corrected form of Schoenberg, Hayward & Eberlein 2023")
    for name, value in run.params.items():
        if np.ndim(value) == 0:
            dataset.attrs[f"param: {name}"] = float(value)
    return dataset


def dominant_periods(dominance: xr.Dataset, *, threshold: float = 0.0,
                     loops: Sequence[str] | None = None):
    """Which loop (or loop family) dominates each cycle partition, from when to when.

    At each time the dominant loop of a partition is the one with the largest
    |relative loop score|; consecutive times with the same dominant loop form
    one period. Times at which no loop of the partition scores (nothing in it
    moved, e.g. a saturated market) neither start nor end a period. Given the result of :func:`flywheel.loop_families`, the same
    is done for the families and their relative family scores.

    Parameters
    ----------
    dominance : xarray.Dataset
        A result of :func:`loop_dominance` or of :func:`flywheel.loop_families`.
    threshold : float
        Times where the dominant loop's |relative score| is at most this are
        left out (e.g. 0.5 keeps only times where one loop does more than half).
    loops : sequence of str, optional
        Only these loops (ids, e.g. the named ones; family ids for families)
        compete; their relative scores stay those of the whole partition.

    Returns
    -------
    pandas.DataFrame
        One row per period, in time order within each partition (and
        scenario): ``partition``, ``loop`` (``family`` for families),
        ``name``, ``polarity``, ``start`` and ``end`` (the first and last
        times the loop dominates, inclusive), ``mean_relative_score`` over
        the period; plus ``scenario`` for a run with scenarios.

    Examples
    --------
    >>> import flywheel
    >>> periods = flywheel.dominant_periods(flywheel.loop_dominance("flywheel_minimal"))
    >>> periods.columns.tolist()
    ['partition', 'loop', 'name', 'polarity', 'start', 'end', 'mean_relative_score']
    """
    import pandas as pd

    kind = "family" if "relative_family_score" in dominance else "loop"
    if loops is not None:
        known = [str(l) for l in dominance[kind].values]
        unknown = [l for l in loops if l not in known]
        if unknown:
            from flywheel.errors import UnknownLoopError
            from flywheel.params import closest

            raise UnknownLoopError(f"no {kind} {unknown[0]!r} in this result "
                                   f"({closest(str(unknown[0]), known)})")
        dominance = dominance.sel({kind: list(loops)})
    rel = dominance[f"relative_{kind}_score"]
    scenarios = [None] if "scenario" not in rel.dims else list(range(rel.sizes["scenario"]))
    rows = []
    times = dominance["time"].values
    ids = dominance[kind].values
    names = dominance[f"{kind}_name"].values
    polarities = dominance[f"{kind}_polarity"].values
    partitions = dominance["partition"].values
    for scenario in scenarios:
        values = rel.values if scenario is None else rel.isel(scenario=scenario).values
        for part in np.unique(partitions):
            members = np.flatnonzero(partitions == part)
            block = values[:, members]
            current = None
            for k, time in enumerate(times):
                row = block[k]
                if np.isnan(row).all() or not np.nanmax(np.abs(row)) > 0:
                    continue  # nothing moved: no loop scores, the period goes on
                j = int(np.nanargmax(np.abs(row)))
                winner = members[j] if abs(row[j]) > threshold else None
                if current is not None and (winner is None or winner != current["index"]):
                    rows.append(current)
                    current = None
                if winner is None:
                    continue
                if current is None:
                    current = {"index": winner, "start": time, "scores": []}
                current["end"] = time
                current["scores"].append(values[k, winner])
            if current is not None:
                rows.append(current)
            for entry in rows:
                if "partition" not in entry:
                    entry.update(partition=int(part), scenario=scenario)
    table = pd.DataFrame([{
        **({"scenario": r["scenario"]} if r["scenario"] is not None else {}),
        "partition": r["partition"], kind: str(ids[r["index"]]),
        "name": str(names[r["index"]]), "polarity": str(polarities[r["index"]]), "start": float(r["start"]), "end": float(r["end"]),
        "mean_relative_score": float(np.mean(r["scores"])),
    } for r in rows], columns=(["scenario"] if scenarios != [None] else []) + [
        "partition", kind, "name", "polarity", "start", "end", "mean_relative_score"])
    return table
