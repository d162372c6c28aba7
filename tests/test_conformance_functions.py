"""Vensim's functions in the compiled engine (issue 12, part 2): each construct's test model
run by PySD and by the compiled engine, on the numpy path and as a numba kernel.

The tolerance is PySD's: 1e-9 relative on every variable at every saved time under
Euler at the model's TIME STEP (both engines evaluate the same operations; only
rounding differs). Where a closed form exists it is checked too, with its tolerance.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import flywheel

MODELS = Path(__file__).parent / "models"
RTOL = 1e-9


def _runs(name: str, params=None):
    """PySD's run of ``tests/models/<name>.mdl`` and the compiled Euler runs, numpy and kernel."""
    model = flywheel.load(MODELS / f"{name}.mdl")
    reference = flywheel.simulate(model, params=params, engine="pysd")
    runs = [flywheel.simulate(model, params=params, engine="compiled", method="euler", jit=jit)
            for jit in (False, True)]
    return reference, runs


def _assert_pysd(reference, runs) -> None:
    for run in runs:
        assert list(run.data_vars) == list(reference.data_vars)
        np.testing.assert_allclose(run["time"], reference["time"], rtol=0, atol=1e-12)
        for name in reference.data_vars:
            np.testing.assert_allclose(run[name], reference[name], rtol=RTOL, atol=0,
                                       err_msg=name)


@pytest.fixture(scope="module")
def trig():
    return _runs("fn_trig")


def test_trigonometric_functions_pi_quantum_and_game_reproduce_pysd(trig):
    _assert_pysd(*trig)


def test_trigonometric_functions_meet_their_closed_forms(trig):
    """Identities to 1e-12 absolute (a few roundings of values of order 1)."""
    run = trig[1][0]
    angle = run["Angle"].values
    assert angle.min() == -0.5 and angle.max() == 1.5  # inside every inverse's range
    for name, expected in [("Sine", np.sin(angle)), ("Pythagoras", 1.0),
                           ("Inverse Sine", angle), ("Inverse Cosine", np.abs(angle)),
                           ("Inverse Tangent", angle), ("Hyperbolic Identity", 1.0),
                           ("Hyperbolic Tangent", np.tanh(angle)),
                           ("Circumference", 2 * np.pi * 1.5)]:
        np.testing.assert_allclose(run[name], expected, rtol=0, atol=1e-12, err_msg=name)


def test_quantum_and_game_meet_their_closed_forms(trig):
    """QUANTUM(x, q) = q * INTEGER(x / q), x itself for q = 0; GAME(x) = x (exact)."""
    run = trig[1][0]
    level = run["Level"].values
    assert level.min() > 0
    np.testing.assert_array_equal(run["Quantized Level"], 0.3 * np.trunc(level / 0.3))
    np.testing.assert_array_equal(run["Unquantized Level"], level)
    np.testing.assert_array_equal(run["Played Level"], level * 2)


@pytest.fixture(scope="module")
def sample():
    return _runs("fn_sample_if_true")


def test_sample_if_true_reproduces_pysd(sample):
    _assert_pysd(*sample)


def test_sample_if_true_holds_the_last_sample(sample):
    """Each sample is the input at the last time the condition held (the initial value
    before): equal to 1e-14 relative (the hidden stock moves by (new - old) / dt x dt)."""
    run = sample[1][0]
    t = run["time"].values
    inventory = run["Inventory"].values

    def at(times):
        return np.interp(times, t, inventory)

    expected = {
        "Review Sample": at(2 * np.floor(t / 2)),
        "Production Ceiling": np.where(t >= 5, 1000.0, 0.0),
        "Held Production": np.where(t < 5, 20 + 5 * np.sin(t), 20 + 5 * np.sin(4.75)),
        "Late Sample": np.where(t <= 7, -1.0, np.where(t < 9, inventory, at(8.75))),
    }
    for name, values in expected.items():
        np.testing.assert_allclose(run[name], values, rtol=1e-14, atol=0, err_msg=name)


@pytest.fixture(scope="module")
def active_initial():
    return _runs("fn_active_initial")


def test_active_initial_reproduces_pysd(active_initial):
    _assert_pysd(*active_initial)


def test_active_initial_is_its_initial_value_only_while_initialising(active_initial):
    """Capacity starts at Initial Orders x Coverage = 120; Desired Capacity is already
    Orders x Coverage = 120 x 0.9 x 1.2 at the initial time; a constant's ACTIVE INITIAL is
    7 for INITIAL and 4 during the run (exact)."""
    run = active_initial[1][0]
    assert float(run["Capacity"][0]) == 120.0
    np.testing.assert_allclose(float(run["Desired Capacity"][0]), 129.6, rtol=1e-15)
    np.testing.assert_array_equal(run["Doubled Adjustment Time"], 8.0)
    np.testing.assert_array_equal(run["Initial Doubled Adjustment Time"], 14.0)


#: PySD warns when it casts a delay order (the fractions of the variants below).
CASTS = pytest.mark.filterwarnings("ignore:(?s).*Casting delay order:UserWarning")


def _variant(tmp_path, name: str, old: str, new: str):
    """A copy of ``tests/models/<name>.mdl`` with `old` replaced by `new`, loaded."""
    text = (MODELS / f"{name}.mdl").read_text()
    assert text.count(old) == 1
    (tmp_path / f"{name}.mdl").write_text(text.replace(old, new))
    return flywheel.load(tmp_path / f"{name}.mdl")


@pytest.fixture(scope="module")
def delay_fixed():
    return _runs("fn_delay_fixed")


def test_delay_fixed_reproduces_pysd(delay_fixed):
    _assert_pysd(*delay_fixed)


def test_delay_fixed_is_the_input_a_whole_number_of_steps_ago(delay_fixed):
    """delay time / TIME STEP steps (at least one), the initial value before: 1.5 / 0.25 is 6
    steps, 0.5 / 0.25 is 2, 0 / 0.25 becomes 1. To 1e-14 relative (each stage moves by
    (new - old) / dt x dt)."""
    run = delay_fixed[1][0]
    orders, backlog = run["Orders"].values, run["Backlog"].values
    for name, steps, source, before in [("Shipments", 6, orders, 7.0),
                                        ("Expediting", 2, backlog / 10, backlog[0] / 10),
                                        ("Next Step Orders", 1, orders, 0.0)]:
        expected = np.concatenate([np.full(steps, before), source[:-steps]])
        np.testing.assert_allclose(run[name], expected, rtol=1e-14, atol=0, err_msg=name)


@pytest.mark.parametrize("jit", [False, True])
@pytest.mark.parametrize("change", [{"params": {"Shipping Delay": [1.5, 2.0]}}, {"dt": 0.5}],
                         ids=["delay-time", "time-step"])
def test_delay_fixed_refuses_a_run_with_another_number_of_steps(change, jit):
    """The compiled structure holds 6 steps; a run needing 8 (or 3) stops with an error (PySD
    would rebuild its pipe); on the numpy path it names the call."""
    model = flywheel.load(MODELS / "fn_delay_fixed.mdl")
    match = r"DELAY FIXED\(Shipments\): this run needs" if not jit else "number of stages"
    with pytest.raises(flywheel.errors.SimulationError, match=match):
        flywheel.simulate(model, engine="compiled", method="euler", jit=jit, **change)


@pytest.fixture(scope="module")
def orders():
    return _runs("fn_order_expression")


def test_orders_given_by_expressions_reproduce_pysd(orders):
    _assert_pysd(*orders)


def test_orders_given_by_expressions_meet_the_euler_closed_form(orders):
    """Before the ramp (t < 4) the input is 10, then 20 from t = 1 (step 8): n stages each moving
    a = n dt / tau of the way give 10 + 10 P(Binomial(k - 8, a) >= n) at step k, to 1e-12."""
    from scipy.stats import binom

    run = orders[1][0]
    t = run["time"].values
    early = t < 4
    after = np.maximum(np.arange(t.size) - 8, 0)[early]
    for name, n, tau in [("Smoothed Input", 5, 2.0), ("Delayed Input", 3, 3.0),
                         ("Delayed Input Base", 2, 3.0)]:
        expected = 10 + 10 * binom.sf(n - 1, after, n * 0.125 / tau)
        np.testing.assert_allclose(run[name][early], expected, rtol=1e-12, atol=0, err_msg=name)


@pytest.mark.parametrize("jit", [False, True])
def test_an_order_that_changes_with_a_parameter_is_refused(jit):
    model = flywheel.load(MODELS / "fn_order_expression.mdl")
    match = r"DELAY N\(Delayed Input\): this run needs 4" if not jit else "number of stages"
    with pytest.raises(flywheel.errors.SimulationError, match=match):
        flywheel.simulate(model, params={"Base Order": [2.0, 3.0]}, engine="compiled",
                          method="euler", jit=jit)


def test_an_order_read_from_a_stock_is_refused(tmp_path):
    text = (MODELS / "fn_order_expression.mdl").read_text().replace(
        "Base Order + Base Order),", "Stock / 10),")
    (tmp_path / "stock_order.mdl").write_text(text)
    with pytest.raises(flywheel.errors.UnsupportedConstructError,
                       match="SMOOTH N with an order that is not computed from constants"):
        flywheel.load(tmp_path / "stock_order.mdl").compiled  # noqa: B018


def test_an_order_that_is_not_a_finite_number_is_refused(tmp_path):
    text = (MODELS / "fn_order_expression.mdl").read_text().replace(
        "Base Order + Base Order),", "Base Order * EXP(1000)),")
    (tmp_path / "infinite_order.mdl").write_text(text)
    from flywheel.errors import UnsupportedConstructError

    with pytest.raises(UnsupportedConstructError,
                       match="SMOOTH N with an order of inf, not a finite number"):
        flywheel.load(tmp_path / "infinite_order.mdl").compiled  # noqa: B018


def test_get_time_value_is_the_time_plus_the_offset():
    """GET TIME VALUE(0, offset, 0) = Time + offset (exact), as PySD."""
    reference, runs = _runs("fn_get_time_value")
    _assert_pysd(reference, runs)
    run = runs[0]
    np.testing.assert_array_equal(run["Time Ahead"], run["time"] + 0.5)
    np.testing.assert_array_equal(run["Accumulated Time"], 0.0)


def test_xmile_non_negative_stock_and_flow():
    """PySD's run of the XMILE model, and its Euler step: the non-negative stock is
    max(Tank + (Filling - Draining) dt, 0) (exact: dt = 0.25), the non-negative flow
    max(2 SIN(TIME), 0); the same flows without the behaviours go below 0."""
    model = flywheel.load(MODELS / "fn_non_negative.xmile")
    reference = flywheel.simulate(model, engine="pysd")
    runs = [flywheel.simulate(model, engine="compiled", method="euler", jit=jit)
            for jit in (False, True)]
    _assert_pysd(reference, runs)
    run = runs[0]
    tank, filling, draining = (run[n].values for n in ("Tank", "Filling", "Draining"))
    np.testing.assert_array_equal(filling, np.maximum(2 * np.sin(run["time"].values), 0.0))
    np.testing.assert_array_equal(tank[1:], np.maximum(tank[:-1] + (filling - draining)[:-1]
                                                       * 0.25, 0.0))
    assert (tank == 0).sum() > 10 and np.diff(tank)[tank[:-1] == 0].max() > 0  # empties, refills
    assert run["Signed Tank"].min() < -40


@pytest.fixture(scope="module")
def random_runs():
    """PySD's run (numpy's global stream seeded for a repeatable test) and the compiled
    engine's 200 scenarios with seed 5, numpy path and kernel."""
    model = flywheel.load(MODELS / "fn_random.mdl")
    np.random.seed(20260101)
    reference = flywheel.simulate(model, engine="pysd")
    params = {"Scale": np.ones(200)}
    runs = [flywheel.simulate(model, params=params, engine="compiled", method="euler", jit=jit,
                              seed=5) for jit in (False, True)]
    return model, reference, runs


def _moments():
    from scipy.stats import truncexpon, truncnorm

    normal = truncnorm(-1.0, 2.5 / 1.5, loc=0.5, scale=1.5)
    exponential = truncexpon(2.0, loc=1.0, scale=2.0)  # PySD's RANDOM EXPONENTIAL(1, 5, 0, 2)
    return {"Uniform Draw": (2.0, 5.0, 3.5, 0.75), "Unit Draw": (0.0, 1.0, 0.5, 1 / 12),
            "Normal Draw": (-1.0, 3.0, normal.mean(), normal.var()),
            "Exponential Draw": (1.0, 5.0, exponential.mean(), exponential.var())}


def test_random_draws_have_pysds_distribution(random_runs):
    """PySD's draws (401) and the compiled engine's (200 x 401): every draw in the range;
    the mean within 4.5 standard errors of the exact one, the variance within 4.5 standard
    errors (estimated from the draws' fourth moment); a two-sample Kolmogorov-Smirnov test
    between the engines does not reject at 0.1%."""
    from scipy.stats import ks_2samp

    _, reference, (run, _) = random_runs
    for name, (low, high, mean, variance) in _moments().items():
        pysd_draws, draws = reference[name].values.ravel(), run[name].values.ravel()
        for sample in (pysd_draws, draws):
            assert low <= sample.min() and sample.max() <= high, name
            n = sample.size
            assert abs(sample.mean() - mean) <= 4.5 * np.sqrt(variance / n), name
            fourth = np.mean((sample - sample.mean()) ** 4)
            assert abs(sample.var() - variance) <= 4.5 * np.sqrt((fourth - variance**2) / n), name
        assert ks_2samp(pysd_draws, draws).pvalue > 1e-3, name


def test_random_draws_are_new_each_step_and_scenario(random_runs):
    """Lag-1 correlation in time, and correlation between two scenarios, within 4.5 standard
    errors of 0 (1/sqrt(n))."""
    run = random_runs[2][0]
    draws = run["Uniform Draw"].values  # (time, scenario)
    lag = np.corrcoef(draws[1:].ravel(), draws[:-1].ravel())[0, 1]
    across = np.corrcoef(draws[:, 0], draws[:, 1])[0, 1]
    assert abs(lag) <= 4.5 / np.sqrt(draws[1:].size) and abs(across) <= 4.5 / np.sqrt(401)


def test_random_draws_are_the_seeds_whatever_the_batch_path_or_method(random_runs):
    """The kernel draws the numpy path's numbers bit for bit; scenario 0 of the batch is the
    single run with the same seed; another seed draws others; the stock adds up the draws
    the outputs show (Euler: to 1e-12)."""
    model, _, (run, kernel_run) = random_runs
    names = ["Uniform Draw", "Normal Draw", "Exponential Draw", "Unit Draw", "Initial Draw",
             "Accumulated Draws"]
    for name in names:
        np.testing.assert_array_equal(kernel_run[name], run[name], err_msg=name)
    alone = flywheel.simulate(model, engine="compiled", method="euler", seed=5)
    assert alone.attrs["seed"] == 5
    for name in names:
        np.testing.assert_array_equal(alone[name], run[name].isel(scenario=0), err_msg=name)
    other = flywheel.simulate(model, engine="compiled", method="euler", seed=6)
    assert not np.array_equal(other["Uniform Draw"], alone["Uniform Draw"])
    flows = (alone["Uniform Draw"] + alone["Normal Draw"]).values
    np.testing.assert_allclose(alone["Accumulated Draws"][1:], np.cumsum(flows[:-1]) * 0.25,
                               rtol=1e-12)


def test_a_fresh_seed_is_kept_and_a_bad_seed_is_refused(random_runs):
    model = random_runs[0]
    first = flywheel.simulate(model, engine="compiled", method="euler")
    again = flywheel.simulate(model, engine="compiled", method="euler", seed=first.attrs["seed"])
    np.testing.assert_array_equal(again["Normal Draw"], first["Normal Draw"])
    with pytest.raises(flywheel.errors.ParameterValueError, match="seed must be an integer"):
        flywheel.simulate(model, engine="compiled", seed=-1)


@pytest.mark.parametrize(("name", "construct"), [("fn_sample_if_true", "SAMPLE IF TRUE"),
                                                 ("fn_delay_fixed", "DELAY FIXED")])
def test_values_held_between_euler_steps_run_with_euler_only(name, construct):
    """PySD updates these after each Euler step: the compiled engine runs them with Euler by
    default and refuses another method, naming the element and the construct."""
    model = flywheel.load(MODELS / f"{name}.mdl")
    assert flywheel.simulate(model, engine="compiled").attrs["method"].startswith("euler")
    with pytest.raises(flywheel.errors.ParameterValueError,
                       match=f"uses {construct}.*method='euler', not 'RK45'"):
        flywheel.simulate(model, engine="compiled", method="RK45")


def test_random_draws_do_not_depend_on_the_chunks_of_a_batch(random_runs):
    """A batch run in chunks (a small max_memory) draws each scenario's numbers by its index
    in the whole batch: equal to the one-call run."""
    from flywheel.chunked import scenario_cost, scenarios_per_call
    from flywheel.params import RunTimes, scenario_params

    model, _, (run, _) = random_runs
    params = {"Scale": np.ones(200)}
    cost = scenario_cost(model, "compiled", RunTimes(model), ["Uniform Draw"])
    budget = cost.kept * 200 + cost.working * 30  # the result, and 30 scenarios at work
    assert scenarios_per_call(model, "compiled", scenario_params(model, params),
                              RunTimes(model), ["Uniform Draw"], budget=budget) < 200
    chunked = flywheel.simulate(model, params=params, engine="compiled", method="euler", seed=5,
                                return_columns=["Uniform Draw"], max_memory=budget)
    np.testing.assert_array_equal(chunked["Uniform Draw"], run["Uniform Draw"])


@CASTS
@pytest.mark.parametrize(("name", "old", "new", "element"), [
    ("fn_delay_fixed", "1.5\n\t~\tWeek", "1.6\n\t~\tWeek", "Shipments"),
    ("fn_order_expression", "Base Order + 1\n", "Base Order + 1.7\n", "Delayed Input"),
], ids=["delay-fixed-6.4-steps", "delay-n-order-3.7"])
def test_fractions_are_cast_as_pysd_casts_them(tmp_path, name, old, new, element):
    """A DELAY FIXED of 6.4 steps rounds to 6, a DELAY N order of 3.7 casts to 3 (PySD warns):
    PySD's run to 1e-9, and the same values as the model's whole numbers (exact)."""
    model = _variant(tmp_path, name, old, new)
    reference = flywheel.simulate(model, engine="pysd")
    runs = [flywheel.simulate(model, engine="compiled", method="euler", jit=jit)
            for jit in (False, True)]
    _assert_pysd(reference, runs)
    original = flywheel.simulate(flywheel.load(MODELS / f"{name}.mdl"), engine="compiled",
                                 method="euler")
    np.testing.assert_array_equal(runs[0][element], original[element])
