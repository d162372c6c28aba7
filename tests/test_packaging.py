"""Packaging: every subpackage is listed in setup.cfg, and models ship as package data."""

from __future__ import annotations

import configparser
from pathlib import Path

import flywheel

ROOT = Path(__file__).parents[1]


def _listed_packages() -> set[str]:
    config = configparser.ConfigParser(interpolation=None)
    config.read(ROOT / "setup.cfg")
    return set(config["options"]["packages"].split())


def test_every_subpackage_is_listed_in_setup_cfg():
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "flywheel").rglob("__init__.py")
    }
    assert found | {"flywheel.models"} == _listed_packages()


def test_bundled_models_resolve_to_the_models_folder():
    model = flywheel.load("flywheel_minimal")
    assert model.path.parent.name in {"models"}
    assert model.path.read_bytes() == (ROOT / "models" / "flywheel_minimal.mdl").read_bytes()
