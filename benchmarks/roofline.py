"""The roofline of the compiled kernels: the machine's peak against what a model's batch reaches.

Usage::

    python benchmarks/roofline.py [MODEL] [--scenarios 10000]

* **peak**: a numba microbenchmark, 64 independent multiply-adds per
  iteration kept in registers (``fastmath`` so that they fuse into FMA and
  vectorise), on one core and on every core (``prange``): double-precision
  floating-point operations per second.
* **operations per step**: counted in the generated ``rates`` of the model's
  kernel (:mod:`flywheel.compiler.kernels`): each ``+ - * /``, comparison and
  ``min``/``max``/``abs`` counts 1; each ``exp``, ``log``, ``sqrt`` and ``**``
  (pow) counts 1 as well but is listed apart, since one costs 10-40 cycles
  (libm), not 1/8 of a cycle like a vectorised FMA; each lookup (``np.interp``)
  is listed apart.
* **achieved**: operations per second of a batch (Euler at TIME STEP and rk4
  at 1/8 year, yearly output) = scenarios x rate evaluations x operations per
  evaluation / wall time; and that as a share of the peak.

Examples
--------
>>> main(["tests/models/teacup.mdl", "--scenarios", "100"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import ast
import os
import time
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
from numba import njit, prange

from timing import best  # a sibling module: run the scripts as python benchmarks/NAME.py

__all__ = ["count_operations", "main", "peak_flops"]

ROOT = Path(__file__).resolve().parent.parent
_LANES = 64


@njit(fastmath=True)
def _fma_loop(a, b, iterations):
    x = np.ones(_LANES)  # local: the compiler keeps it in vector registers
    for _ in range(iterations):
        for i in range(_LANES):
            x[i] = x[i] * a + b
    return x.sum()


@njit(fastmath=True, parallel=True)
def _fma_parallel(out, a, b, iterations):
    for j in prange(out.shape[0]):
        out[j] = _fma_loop(a, b, iterations)


def peak_flops(iterations: int = 2_000_000) -> tuple[float, float]:
    """Floating-point operations per second on one core and on all cores."""
    _fma_loop(0.999999, 1e-7, 10)
    one = best(lambda: _fma_loop(0.999999, 1e-7, iterations), 3)
    cores = os.cpu_count() or 1
    out = np.empty(cores)
    _fma_parallel(out, 0.999999, 1e-7, 10)
    every = best(lambda: _fma_parallel(out, 0.999999, 1e-7, iterations), 3)
    flops = 2 * _LANES * iterations
    return flops / one, cores * flops / every


def count_operations(source: str) -> Counter:
    """Operations in the ``rates`` function of a kernel module's `source`."""
    tree = ast.parse(source)
    rates = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "rates")
    counts: Counter = Counter()
    for node in (n for statement in rates.body for n in ast.walk(statement)):
        if isinstance(node, ast.BinOp):
            counts["pow" if isinstance(node.op, ast.Pow) else "arithmetic"] += 1
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            counts["arithmetic"] += 1
        elif isinstance(node, ast.Compare):
            counts["comparison"] += len(node.ops)
        elif isinstance(node, ast.Call):
            name = ast.unparse(node.func)
            if name in ("math.exp", "math.log", "math.sqrt"):
                counts[name.split(".")[1]] += 1
            elif name in ("min", "max", "abs"):
                counts["comparison"] += 1
            elif name == "np.interp":
                counts["lookup"] += 1
            else:
                counts[f"call {name}"] += 1
    return counts


def main(argv: list[str] | None = None) -> None:
    """Print the peak, the model's operations per step and what its batches reach."""
    import flywheel

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", nargs="?", type=Path, default=ROOT / "models" / "flywheel.mdl")
    parser.add_argument("--scenarios", type=int, default=10_000)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    one, every = peak_flops()
    print(f"peak (FMA microbenchmark): {one / 1e9:.1f} GFLOP/s on one core, "
          f"{every / 1e9:.1f} GFLOP/s on {os.cpu_count()} cores")
    model = flywheel.load(args.model)
    counts = count_operations(model.compiled.kernel().source)
    ops = sum(counts.values())
    print(f"{args.model.name}: {ops} operations per rate evaluation: "
          + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    constants = list(model.constants)[:1]
    rng = np.random.default_rng(1)
    params = {c: model.constants[c] * rng.uniform(0.9, 1.1, args.scenarios) for c in constants}
    steps = (model.control["FINAL TIME"] - model.control["INITIAL TIME"])
    for label, options, evaluations in [
            ("Euler at TIME STEP", {"method": "euler"}, steps / model.control["TIME STEP"]),
            ("rk4 at 1/8 year", {"method": "rk4", "dt": 0.125}, 4 * steps / 0.125)]:
        flywheel.simulate(model, params={c: v[:4] for c, v in params.items()}, saveper=1.0,
                          **options)
        start = time.perf_counter()
        flywheel.simulate(model, params=params, saveper=1.0, **options)
        wall = time.perf_counter() - start
        rate = args.scenarios * evaluations * ops / wall
        print(f"  {label}: {args.scenarios} scenarios in {wall:.3f} s = {rate / 1e9:.2f} "
              f"G operations/s, {100 * rate / every:.1f}% of the {os.cpu_count()}-core peak")


if __name__ == "__main__":
    main()
