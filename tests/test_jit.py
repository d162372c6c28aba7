"""The compiled kernels (flywheel.compiler.kernels): the numpy path's results, the default run's
accuracy, per-scenario error control, runtime constants, failures and the on-disk cache."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

import flywheel
from flywheel.errors import ParameterValueError, SimulationError

pytest.importorskip("numba")

MODELS = Path(__file__).parent / "models"
FAULTS = Path(__file__).parent / "faults" / "models"


def _load(name: str):
    return flywheel.load(MODELS / f"{name}.mdl")


@pytest.mark.parametrize("method", ["euler", "rk4"])
@pytest.mark.parametrize("model", ["functions", "delays", "lotka_volterra"])
def test_fixed_step_kernel_equals_the_numpy_path(model, method):
    """The same float operations in the same order: equal to 1e-12 (libm vs numpy rounding)."""
    m = _load(model)
    name, value = next(iter(m.constants.items()))
    params = {name: [value, 1.5]}
    numpy_run = flywheel.simulate(m, params=params, method=method, jit=False)
    kernel_run = flywheel.simulate(m, params=params, method=method, jit=True)
    assert kernel_run.attrs["method"] == f"{method} (jit)"
    assert kernel_run.attrs["stats: jit"] == 1 and "stats: jit" not in numpy_run.attrs
    for variable in numpy_run.data_vars:
        np.testing.assert_allclose(kernel_run[variable], numpy_run[variable], rtol=1e-12,
                                   atol=1e-300, err_msg=variable)


@pytest.mark.parametrize("model", ["teacup", "lotka_volterra", "delays"])
def test_rk45_kernel_is_scipys_rk45(model):
    """Same tableau, error norm, step control, first step and dense output as scipy's RK45:
    the same number of steps, and results equal far below the tolerance (1e-9 relative)."""
    m = _load(model)
    scipy_run = flywheel.simulate(m, method="RK45", jit=False)
    kernel_run = flywheel.simulate(m, method="RK45", jit=True)
    assert kernel_run.attrs["stats: nfev"] == scipy_run.attrs["stats: nfev"]
    for variable in scipy_run.data_vars:
        np.testing.assert_allclose(kernel_run[variable], scipy_run[variable], rtol=1e-9,
                                   atol=1e-12, err_msg=variable)


@pytest.fixture(scope="module")
def research():
    return flywheel.load("flywheel")


def test_default_run_is_the_kernel_and_within_0_1_percent_of_a_converged_run(research):
    """The default run (RK45 at rtol = atol = 1e-6, compiled kernel) against DOP853 at 1e-10
    (converged: 1e-12 changes no key output by 1e-7): every key output within 0.1%."""
    default = flywheel.simulate(research)
    assert default.attrs["method"] == "RK45" and default.attrs["stats: jit"] == 1
    converged = flywheel.simulate(research, method="DOP853", rtol=1e-10, atol=1e-10)
    for name in flywheel.key_outputs(research):
        error = np.abs(default[name] - converged[name]) / np.abs(converged[name])
        assert float(error.max()) <= 1e-3, name


def test_a_scenarios_result_does_not_depend_on_its_batch():
    """Each scenario's RK45 steps are its own: scenario 0 of a batch of 1,000 with other
    parameters is the single run, to the last bit (no shared step sequence)."""
    m = _load("teacup")
    alone = flywheel.simulate(m, params={"Room Temperature": 60.0})
    rooms = np.concatenate([[60.0], np.linspace(-200.0, 400.0, 999)])
    batch = flywheel.simulate(m, params={"Room Temperature": rooms})
    np.testing.assert_array_equal(batch["Teacup Temperature"].isel(scenario=0),
                                  alone["Teacup Temperature"])


def test_constants_are_runtime_inputs(research):
    """One kernel for every set of overridden constants, equal to the numpy path's run;
    constants computed from overridden ones (Hardware Learning Exponent from Learning
    Rate) follow."""
    kernel = research.compiled.kernel()
    params = {"Learning Rate": [0.1, 0.3], "Price Elasticity of Demand": [0.8, 1.2]}
    fast = flywheel.simulate(research, params=params, method="euler")
    assert research.compiled.kernel() is kernel
    slow = flywheel.simulate(research, params=params, method="euler", jit=False)
    for name in flywheel.key_outputs(research):
        np.testing.assert_allclose(fast[name], slow[name], rtol=1e-9, err_msg=name)


def test_returned_columns_are_a_selection_of_the_same_run(research):
    every = flywheel.simulate(research, method="euler")
    some = flywheel.simulate(research, method="euler", return_columns=["Adopters", "Capex"])
    assert list(some.data_vars) == ["Adopters", "Capex"]
    np.testing.assert_array_equal(some["Capex"], every["Capex"])


@pytest.mark.parametrize("method", ["euler", "rk4", "RK45"])
def test_a_non_finite_state_is_reported_like_the_numpy_paths(method):
    """The kernel stops where the state stops being finite; the engine names the same
    variable, time and value as on the numpy path (flywheel.engine's diagnosis)."""
    model = flywheel.load(FAULTS / "ln_time.mdl")
    messages = []
    for jit in (False, True):
        with pytest.raises(SimulationError) as error:
            flywheel.simulate(model, method=method, jit=jit)
        messages.append(str(error.value))
    assert messages[0] == messages[1]


def test_a_stalled_rk45_fails_as_scipy_does():
    with pytest.raises(SimulationError, match=r"RK45 integration failed at time (0\.99\d*|1):"):
        flywheel.simulate(MODELS / "blowup.mdl", jit=True)


def test_jit_runs_the_kernel_methods_only():
    with pytest.raises(ParameterValueError, match="euler, rk4, RK45"):
        flywheel.simulate(_load("teacup"), method="DOP853", jit=True)


def test_generated_source_holds_no_model_text():
    """Only compiler-made identifiers and numbers: the module's sole strings are its own
    docstrings and numba's error_model, whatever names and documentation the model has."""
    m = flywheel.load(FAULTS / "odd_names.mdl")
    tree = ast.parse(m.compiled.kernel().source)
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef)) and ast.get_docstring(node)}
    strings = [node for node in ast.walk(tree)
               if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    assert {node.value for node in strings if id(node) not in docstrings} == {"numpy"}
    assert all(node.value.startswith(("Kernel generated by flywheel", ":func:", "One scenario",
                                      "Record a failure"))
               for node in strings if id(node) in docstrings)


def test_kernels_are_cached_on_disk_under_their_hash():
    """The module is written once under the SHA-256 of its text, and numba's machine code
    is cached beside it (a new process loads it instead of compiling)."""
    import hashlib

    from flywheel.compiler.kernels import cache_folder

    kernel = _load("teacup").compiled.kernel()
    flywheel.simulate(_load("teacup"))
    name = "k_" + hashlib.sha256(kernel.source.encode()).hexdigest()[:32]
    path = cache_folder() / f"{name}.py"
    assert path.read_text() == kernel.source
    assert list((cache_folder() / "__pycache__").glob(f"{name}.rk45_one-*.nbi"))
    assert not list(cache_folder().glob(f".{name}.*.tmp"))


def test_the_tableau_is_scipys():
    from scipy.integrate import RK45

    from flywheel.compiler.kernels import _TABLEAU

    for name, written in zip("ABCEP", _TABLEAU):
        np.testing.assert_array_equal(written, getattr(RK45, name), err_msg=name)
