"""Would blocks of scenarios make the batch kernel faster? An experiment, measured in one run.

Usage::

    python benchmarks/bench_blocks.py [MODEL] [--scenarios 9600] [--blocks 8 16 32 64]

The batch kernel (:mod:`flywheel.compiler.kernels`) runs one scenario per
iteration of a ``prange``: the model's rate function works on floats. Issue 14
asks for blocks of 8-64 scenarios laid out contiguously, so that the loop over
a block's scenarios vectorises (SIMD). This script builds that variant from
the kernel's own generated source, without changing the kernel: each line of
``rates`` indexes the state and the constants by scenario within the block
(``_y[i]`` becomes ``_y[i, _j]``) inside one loop over the block, and an Euler
loop steps every block (in parallel over the blocks, time inside). Both run the
same scenarios (the model's defaults with the price elasticity varied ±20%)
for the whole run at TIME STEP, and the final states are compared: equal to
the bit, since the arithmetic is the same.

Printed: milliseconds per scenario for the scalar batch and each block size, and
the speed-up. Whether LLVM vectorises the block loop at all depends on the
transcendental calls in it (``exp``, ``log``, ``pow``): without a vector math
library (pip's llvmlite is not SVML-patched) they stay scalar calls
(``docs/performance.md`` gives the figures and the reading).

Examples
--------
>>> main(["tests/models/teacup.mdl", "--scenarios", "64", "--blocks", "8"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

__all__ = ["main"]

ROOT = Path(__file__).resolve().parent.parent


def _rate_body(source: str) -> list[str]:
    """The lines of the generated ``rates`` function's body, before its ``return``."""
    lines = source.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("def rates("))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("    return"))
    return lines[start + 1:end]


def _variants(source: str) -> str:
    """Source of a scalar and a block Euler batch over the kernel's rate equations."""
    body = _rate_body(source)
    block = [re.sub(r"(_y|_c|_dy)\[(\d+)\]", r"\1[\2, _j]", line) for line in body]
    header = source[:source.index("\n_NS = ")]
    return header + "\n\n" + '''
@njit(error_model="numpy")
def rates_one(_t, _y, _c, _dt, _dy):
''' + "\n".join(body) + '''


@njit(error_model="numpy")
def rates_block(_t, _y, _c, _dt, _dy):
    for _j in range(_y.shape[1]):
''' + "\n".join("    " + line for line in block) + '''


@njit(error_model="numpy", parallel=True)
def euler_scalar(c, y0, n_steps, dt, t0):
    out = np.empty_like(y0)
    for s in prange(y0.shape[0]):
        y = y0[s].copy()
        dy = np.empty_like(y)
        for k in range(n_steps):
            rates_one(t0 + k * dt, y, c[s], dt, dy)
            for i in range(y.shape[0]):
                y[i] += dt * dy[i]
        out[s] = y
    return out


@njit(error_model="numpy", parallel=True)
def euler_blocks(c, y0, n_steps, dt, t0):
    out = np.empty_like(y0)
    for b in prange(y0.shape[0]):
        y = y0[b].copy()
        dy = np.empty_like(y)
        for k in range(n_steps):
            rates_block(t0 + k * dt, y, c[b], dt, dy)
            for i in range(y.shape[0]):
                for j in range(y.shape[1]):
                    y[i, j] += dt * dy[i, j]
        out[b] = y
    return out
'''


def _load(source: str, folder: Path):
    path = folder / "blocks.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("flywheel_bench_blocks", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> None:
    """Run the experiment and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", nargs="?", default=str(ROOT / "models" / "flywheel.mdl"))
    parser.add_argument("--scenarios", type=int, default=9600)
    parser.add_argument("--blocks", type=int, nargs="+", default=[8, 16, 32, 64])
    args = parser.parse_args(argv)

    import flywheel

    model = flywheel.load(args.model)
    kernel = model.compiled.kernel()
    module = kernel.module
    t0, tf = model.control["INITIAL TIME"], model.control["FINAL TIME"]
    dt = model.control["TIME STEP"]
    n = args.scenarios
    inputs = np.repeat(np.concatenate([kernel.defaults, [0.0, 0.0]])[None], n, axis=0)
    has = np.concatenate([~np.isnan(kernel.defaults), [False, False]])
    if "Price Elasticity of Demand" in kernel.constants:
        knob = kernel.constants.index("Price Elasticity of Demand")
        inputs[:, knob] *= np.random.default_rng(0).uniform(0.8, 1.2, n)
        has[knob] = True
    constants, states = np.empty((n, module._NC)), np.empty((n, module._NS))
    delays = np.empty(max(module._ND, 1))
    for s in range(n):  # the kernel's own initial values: derived constants and stocks
        module.initial(inputs[s], has, t0, tf, dt, model.control["SAVEPER"], constants[s],
                       states[s], delays)
    steps = int(round((tf - t0) / dt))
    with tempfile.TemporaryDirectory() as folder:
        variants = _load(_variants(Path(module.__file__).read_text()), Path(folder))
        variants.euler_scalar(constants[:4], states[:4], 2, dt, t0)  # compile
        start = time.perf_counter()
        scalar = variants.euler_scalar(constants, states, steps, dt, t0)
        t_scalar = time.perf_counter() - start
        print(f"{model.name}: {n} scenarios, Euler, {steps} steps of {dt:g}; "
              f"wall time per scenario on all cores")
        print("| layout | ms per scenario | speed-up | equal to the scalar batch |")
        print("|---|---|---|---|")
        print(f"| one scenario per iteration (today's kernel) | {t_scalar / n * 1e3:.3f} | 1.00x | |")
        for size in args.blocks:
            if n % size:
                print(f"| blocks of {size} | skipped: {n} scenarios do not divide | | |")
                continue
            c_blocks = np.ascontiguousarray(constants.reshape(n // size, size, -1)
                                            .transpose(0, 2, 1))
            y_blocks = np.ascontiguousarray(states.reshape(n // size, size, -1)
                                            .transpose(0, 2, 1))
            variants.euler_blocks(c_blocks[:1], y_blocks[:1], 2, dt, t0)  # compile
            start = time.perf_counter()
            blocks = variants.euler_blocks(c_blocks, y_blocks, steps, dt, t0)
            elapsed = time.perf_counter() - start
            final = blocks.transpose(0, 2, 1).reshape(n, -1)
            same = np.array_equal(final, scalar, equal_nan=True)
            print(f"| blocks of {size} | {elapsed / n * 1e3:.3f} | {t_scalar / elapsed:.2f}x | "
                  f"{'yes' if same else 'NO'} |")


if __name__ == "__main__":
    sys.exit(main())
