"""Lazy public names for a package: each imports its module on first use (PEP 562).

``import flywheel`` must be cheap (the command line starts in well under a
second), so a package's ``__init__`` does not import its submodules and the
heavy libraries behind them; it calls :func:`lazy_package` with a table of
public name -> defining module instead.

Examples
--------
>>> import flywheel
>>> "simulate" in dir(flywheel) and callable(flywheel.simulate)
True
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Mapping

__all__ = ["lazy_package"]


class _LazyPackage(types.ModuleType):
    """A package whose public names resolve on first access.

    Importing a submodule binds it on its package; where a submodule shares
    its name with a public function (``flywheel.simulate``,
    ``flywheel.experiments.sweep``), the function is bound instead, as eager
    ``from .x import x`` imports used to leave it.
    """

    _lazy: Mapping[str, str]

    def __getattr__(self, name: str) -> object:
        module = self.__dict__.get("_lazy", {}).get(name)
        if module is None:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        super().__setattr__(name, value)
        return value

    def __setattr__(self, name: str, value: object) -> None:
        if (name in self.__dict__.get("_lazy", {}) and isinstance(value, types.ModuleType)
                and value.__name__ == f"{self.__name__}.{name}"):
            value = getattr(value, name)
        super().__setattr__(name, value)

    def __dir__(self) -> list[str]:
        return sorted(set(self.__dict__) | set(self._lazy))


def lazy_package(package: str, names: Mapping[str, str]) -> None:
    """Make each of `names` (public name -> module) of `package` import on first use.

    Parameters
    ----------
    package : str
        The package's ``__name__``; it must already be in :data:`sys.modules`.
    names : mapping
        Public name -> the module that defines it under that name.
    """
    module = sys.modules[package]
    module.__class__ = _LazyPackage
    module.__dict__["_lazy"] = dict(names)
