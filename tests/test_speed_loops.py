"""Loop dominance's compiled path (kernel Euler run, compiled loop scores) gives the
reference numpy path's scores (correctness only: speed is benchmarks/bench_loops.py's)."""

from __future__ import annotations

import numpy as np
import pytest

import flywheel
from flywheel.loops import dominance, evaluate

pytest.importorskip("numba")


def _reference(monkeypatch, model, **options):
    """loop_dominance on the numpy path: numpy Euler run, sparse-product loop scores."""
    with monkeypatch.context() as patch:
        patch.setattr(dominance, "available", lambda: False)
        patch.setattr(evaluate, "available", lambda: False)
        return flywheel.loop_dominance(flywheel.load(model), **options)


@pytest.mark.parametrize(("model", "options"), [
    ("flywheel_minimal", {}),
    ("flywheel", {"params": {"Learning Rate": [0.15, 0.3]}, "final_time": 2030}),
])
def test_compiled_path_gives_the_reference_scores(monkeypatch, model, options):
    """The two runs agree to ~1e-12 (libm vs numpy rounding); a link score divides two
    changes over one step, which loses up to ~6 digits where the target barely moves, so
    scores agree to 1e-6 (absolute, on scores of order 1) and loop scores to 1e-6 relative."""
    fast = flywheel.loop_dominance(flywheel.load(model), **options)
    reference = _reference(monkeypatch, model, **options)
    assert fast.sizes == reference.sizes
    for name in ("link_score", "loop_score", "relative_loop_score"):
        np.testing.assert_allclose(fast[name], reference[name], rtol=1e-6, atol=1e-6,
                                   err_msg=name)
    families = flywheel.loop_families(fast, flywheel.load(model))
    expected = flywheel.loop_families(reference, flywheel.load(model))
    np.testing.assert_allclose(families["relative_family_score"],
                               expected["relative_family_score"], rtol=1e-6, atol=1e-6)
