"""Shared fixtures: the bundled models, small test models, a private PySD cache."""

from __future__ import annotations

from pathlib import Path

import pytest

import flywheel

TESTS = Path(__file__).parent
TEST_MODELS = TESTS / "models"
REPO_MODELS = TESTS.parent / "models"


@pytest.fixture(scope="session", autouse=True)
def private_pysd_cache(tmp_path_factory):
    """Translate models with PySD into a fresh folder, never the user's cache."""
    patch = pytest.MonkeyPatch()
    patch.setenv("FLYWHEEL_CACHE", str(tmp_path_factory.mktemp("pysd-cache")))
    yield
    patch.undo()


@pytest.fixture(scope="session")
def teacup() -> flywheel.Model:
    return flywheel.load(TEST_MODELS / "teacup.mdl")


@pytest.fixture(scope="session")
def research() -> flywheel.Model:
    return flywheel.load("flywheel")


@pytest.fixture(scope="session")
def minimal() -> flywheel.Model:
    return flywheel.load("flywheel_minimal")
