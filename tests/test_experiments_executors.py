"""Executors: local processes and a real Dask LocalCluster give the local results exactly."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
import xarray as xr

import flywheel
from flywheel.errors import FlywheelError
from flywheel.experiments import ClusterConnectionError, define_problem, sample, sweep
from flywheel.experiments.executors import ShippedModel, map_chunks

MODELS = Path(__file__).parent / "models"
OUTCOMES = ["Total Compute Spend@2035/2025", "Unit Inference Cost"]


@pytest.fixture(scope="module")
def jevons():
    return flywheel.load(MODELS / "sens_jevons.mdl")


@pytest.fixture(scope="module")
def samples(jevons):
    problem = define_problem(jevons, ["Price Elasticity of Demand", "Learning Rate"])
    return sample(problem, 8, method="sobol", seed=5)  # 48 runs


@pytest.fixture(scope="module")
def local(jevons, samples):
    return sweep(jevons, samples, outcomes=OUTCOMES, chunk_size=10, progress=False)


def _without_engine(result: xr.Dataset) -> xr.Dataset:
    return result.drop_attrs(deep=False).assign_attrs(
        {k: v for k, v in result.attrs.items() if k != "engine"})


def test_local_processes_equal_this_process_exactly(jevons, samples, local):
    pooled = sweep(jevons, samples, outcomes=OUTCOMES, chunk_size=10, workers=2, progress=False)
    xr.testing.assert_identical(pooled, local)


def test_a_dask_local_cluster_equals_the_local_engine_exactly(jevons, samples, local):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as cluster:  # any free port
        with distributed.Client(cluster) as client:
            on_dask = sweep(jevons, samples, outcomes=OUTCOMES, chunk_size=10, engine=client,
                            progress=False)
            by_address = sweep(jevons, samples, outcomes=OUTCOMES, chunk_size=10,
                               engine=cluster.scheduler_address, progress=False)
    assert on_dask.attrs["engine"] == "dask"
    for result in (on_dask, by_address):
        xr.testing.assert_identical(_without_engine(result), _without_engine(local))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_address_that_does_not_answer_fails_fast_and_clearly(jevons, samples):
    address = f"tcp://127.0.0.1:{_free_port()}"
    start = time.monotonic()
    with pytest.raises(ClusterConnectionError, match=f"no Dask scheduler answered at '{address}'"):
        sweep(jevons, samples, outcomes=OUTCOMES, engine=address, progress=False)
    assert time.monotonic() - start < 15  # CONNECT_TIMEOUT is 5 s; never a hang
    assert issubclass(ClusterConnectionError, FlywheelError)


def test_workers_apply_to_the_local_engine_only():
    with pytest.raises(FlywheelError, match="workers applies to engine='local'"):
        map_chunks(abs, [1, 2], engine="tcp://127.0.0.1:1", workers=2)


def test_map_chunks_keeps_chunk_order():
    assert map_chunks(abs, [-3, 1, -2], workers=2, progress=False) == [3, 1, 2]


def test_a_shipped_model_loads_as_the_same_model(jevons):
    shipped = ShippedModel.of(jevons)
    loaded = shipped.load()
    assert loaded.name == jevons.name and loaded.digest == jevons.digest
    assert shipped.load() is loaded  # once per process
