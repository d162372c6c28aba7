"""Compile system-dynamics models to vectorised numpy code.

:func:`compile_model` turns PySD's abstract model (the translators'
``get_abstract_model()``) into a :class:`CompiledModel`: readable generated
Python (``CompiledModel.source``) whose every element is an expression over
arrays with the scenario as trailing axis, and whose stocks' right-hand side
works on a state of shape (n_stocks, n_scenarios).

Supported: arithmetic and logic, IF THEN ELSE, MIN, MAX, ABS, EXP, LN, LOG,
SQRT, POWER and ``^``, INTEGER, MODULO, QUANTUM, XIDZ, ZIDZ, SIN, COS, TAN,
ARCSIN, ARCCOS, ARCTAN, SINH, COSH, TANH, PI(), GAME (its input), named lookups
and WITH LOOKUP (held constant outside the table), STEP, RAMP, PULSE, PULSE
TRAIN, Time and the control variables, GET TIME VALUE(0, offset, 0), INITIAL,
ACTIVE INITIAL, INTEG (XMILE non-negative stocks and flows included), SMOOTH,
SMOOTHI, SMOOTH3, SMOOTH3I, SMOOTH N, DELAY1, DELAY1I, DELAY3, DELAY3I, DELAY N
(constant delay time; the order of SMOOTH N and DELAY N may be an expression of
constants), DELAY FIXED, SAMPLE IF TRUE, TREND, FORECAST, and RANDOM UNIFORM,
RANDOM NORMAL, RANDOM EXPONENTIAL and RANDOM 0 1 (a stream per seed and scenario,
:func:`flywheel.simulate`'s ``seed``). A DELAY FIXED's number of steps and an
order given by an expression are fixed when the model compiles, from its
default constants and TIME STEP; a run that would change them stops with an
error. SAMPLE IF TRUE, DELAY FIXED and non-negative stocks follow PySD's
update after each Euler step: a model with them runs with ``"euler"`` (its
default; another method is refused). Subscripts: ranges, subranges,
mappings, equations per element or subrange, :EXCEPT:, constants given as lists and tables, SUM, PROD, VMIN,
VMAX, ELMCOUNT, VECTOR SELECT, VECTOR SORT ORDER, VECTOR RANK, VECTOR
REORDER, INVERT MATRIX, ALLOCATE BY PRIORITY, ALLOCATE AVAILABLE and lookup
tables per element, as
:mod:`flywheel.compiler.arrays` describes (the numba kernel declines such
models: they run on the numpy path). Anything else raises
:class:`~flywheel.errors.UnsupportedConstructError` naming the element and
the construct. Hidden stocks are named as :mod:`flywheel.compiler.naming`
describes.

Compilation is cached on the abstract model's content: the SHA-256 of its
``repr`` (which spells out every element's AST, units and name), so the same
model file compiles once per process however many times it is loaded.

Examples
--------
>>> from pysd.translators.vensim.vensim_file import VensimFile
>>> vf = VensimFile("tests/models/teacup.mdl"); vf.parse()
>>> cm = compile_model(vf.get_abstract_model())
>>> cm.stock_names
('Teacup Temperature',)
>>> cm.constants["Room Temperature"]
70.0
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from flywheel._lazy import lazy_package

if TYPE_CHECKING:
    from flywheel.compiler.compiled import Bound, CompiledModel

__all__ = ["Bound", "CompiledModel", "compile_model", "model_key"]
# PySD's translators load with the compiled form, not with the package (cheap start-up).
lazy_package(__name__, dict.fromkeys(["Bound", "CompiledModel"], "flywheel.compiler.compiled"))

_CACHE: OrderedDict[str, CompiledModel] = OrderedDict()
_CACHE_SIZE = 32


def model_key(abstract_model) -> str:
    """The cache key of `abstract_model`: SHA-256 of its full ``repr``."""
    return hashlib.sha256(repr(abstract_model).encode()).hexdigest()


def compile_model(abstract_model, files: Mapping[str, Path] | None = None,
                  control: Mapping[str, float] | None = None) -> CompiledModel:
    """Compile `abstract_model` (PySD's AbstractModel), or return the cached result.

    `files` maps each data file name the model writes to the file it means
    (:func:`flywheel.translation.data_files`); their values are read here, once
    (:mod:`flywheel.compiler.external`), and are part of the cache key.
    `control` holds the values of the control variables
    (:attr:`flywheel.Model.control`), taken for those whose equations read
    other elements or Time (:mod:`flywheel.compiler.controls`).

    Raises
    ------
    UnsupportedConstructError
        The model uses a construct outside the supported set.
    ModelFileError
        The equations form a loop without a stock, or a control variable is missing.
    """
    from flywheel.compiler.compiled import CompiledModel
    from flywheel.compiler.controls import with_control_values
    from flywheel.compiler.external import with_external_data
    from flywheel.compiler.lookups import with_linear_lookups
    from flywheel.compiler.macros import expand_macros
    from flywheel.compiler.xmile import with_vensim_forms

    abstract_model = with_vensim_forms(with_linear_lookups(expand_macros(with_control_values(
        with_external_data(abstract_model, files or {}), control))))
    key = model_key(abstract_model)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    title = getattr(abstract_model, "original_path", None)
    compiled = CompiledModel(abstract_model, str(getattr(title, "name", title or "a model")))
    _CACHE[key] = compiled
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return compiled
