"""Exceptions raised by flywheel.

Every error the package raises on bad input derives from :class:`FlywheelError`
and also from the built-in exception a Python user would expect (``KeyError``
for an unknown name, ``ValueError`` for a bad value, ...), so both
``except FlywheelError`` and ``except ValueError`` work.
"""

from __future__ import annotations

__all__ = [
    "CacheFolderError",
    "DataFileError",
    "EngineFallbackWarning",
    "FlywheelError",
    "LoopLimitWarning",
    "LoopNameError",
    "LoopNameWarning",
    "ModelFileError",
    "NonFiniteWarning",
    "OutputFileError",
    "ParameterValueError",
    "RangeWarning",
    "SimulationError",
    "SweepInterrupted",
    "TimeSettingsWarning",
    "UnknownLinkError",
    "UnknownLoopError",
    "UnknownModelError",
    "UnknownParameterError",
    "UnsupportedConstructError",
]


class FlywheelError(Exception):
    """Base class of every error flywheel raises on purpose."""


class ModelFileError(FlywheelError, ValueError):
    """A model file is missing, malformed or of an unsupported kind."""


class CacheFolderError(FlywheelError, PermissionError):
    """A cache folder that cannot be created, or is not the user's own and private."""


class UnknownModelError(FlywheelError, LookupError):
    """A model name is neither a bundled model nor an existing file."""


class UnknownParameterError(FlywheelError, KeyError):
    """A parameter or element name that the model does not have."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ParameterValueError(FlywheelError, ValueError):
    """A parameter or option value that is not usable (NaN, wrong shape, ...)."""


class SimulationError(FlywheelError, RuntimeError):
    """A run failed: a value that is not finite (named, with its time and value), or
    the solver's reason and time."""


class OutputFileError(FlywheelError, ValueError):
    """An output path that would overwrite an input or another output, or cannot be written."""


class NonFiniteWarning(UserWarning):
    """Scenarios of a batch produced non-finite values: marked in ``status``, NaN from then on."""


class RangeWarning(UserWarning):
    """A constant set outside the range the model documents for it."""


class EngineFallbackWarning(UserWarning):
    """``engine="auto"`` ran a model on PySD's engine: the compiled engine does not support it."""


class TimeSettingsWarning(UserWarning):
    """A SAVEPER adjusted to the time step and the run, as Vensim does."""


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a sweep; the message says where its finished chunks are and how to resume."""


class UnsupportedConstructError(FlywheelError, NotImplementedError):
    """A model uses a construct the compiler does not support.

    ``pysd_runs`` says whether PySD's engine runs it (``engine="auto"`` falls back only then).
    """

    pysd_runs: bool = True


class UnknownLoopError(UnknownParameterError):
    """A loop id or name that the model's loops do not have."""


class UnknownLinkError(UnknownParameterError):
    """A link (source, target) that is not in the model's causal graph."""


class LoopNameError(FlywheelError, ValueError):
    """A loop-name sidecar file that cannot be read or names variables the model lacks."""


class LoopLimitWarning(UserWarning):
    """The model has more loops than the bound: the strongest-path search was used."""


class LoopNameWarning(UserWarning):
    """A sidecar entry matched no loop, or a loop's polarity differs from the sidecar's."""


class DataFileError(FlywheelError, ValueError):
    """An observations or mapping file that cannot be used; names the row or series."""
