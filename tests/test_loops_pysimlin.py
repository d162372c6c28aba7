"""Cross-check against an independent implementation: pysimlin's Loops That Matter.

pysimlin (a benchmark-only extra) scores the same loops with the 2023
corrected flow formula; on models without delay functions (pysimlin keeps
those as modules with their own link scores) the relative loop scores must
agree to rounding error at every step. pysimlin reports 0 where flywheel
reports NaN (the first time), so the first time is left out.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

import flywheel

simlin = pytest.importorskip("simlin")

TEST_MODELS = Path(__file__).parent / "models"


def _key(variables) -> tuple[str, ...]:
    return tuple(sorted(v.lower().replace(" ", "_") for v in variables))


@pytest.mark.parametrize("name", ["ltm_logistic", "ltm_bass"])
def test_relative_loop_scores_agree_with_pysimlin(name):
    path = TEST_MODELS / f"{name}.mdl"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pysimlin's own deprecation notices
        theirs = simlin.load(path).run(analyze_loops=True)
    ours = flywheel.loop_dominance(path)
    by_variables = {_key(v.split(" -> ")): i
                    for i, v in zip(ours["loop"].values, ours["loop_variables"].values)}
    assert len(theirs.loops) == ours.sizes["loop"] == 2
    for loop in theirs.loops:
        mine = ours["relative_loop_score"].sel(loop=by_variables[_key(loop.variables)]).values
        np.testing.assert_allclose(mine[1:], loop.behavior_time_series[1:], rtol=0, atol=1e-12)
