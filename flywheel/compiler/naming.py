"""Names: Python identifiers for elements and readable names for hidden stocks.

Hidden stocks
-------------
The delay and smoothing functions keep stocks that the model file never
names. They are reported under ``"<FUNCTION>(<element>)"``, where FUNCTION is
the Vensim function as written (``SMOOTH``, ``SMOOTHI``, ``SMOOTH3``,
``SMOOTH3I``, ``SMOOTH N``, ``DELAY1``, ``DELAY1I``, ``DELAY3``, ``DELAY3I``,
``DELAY N``, ``DELAY FIXED``, ``SAMPLE IF TRUE``, ``TREND``, ``FORECAST``) and
element is the display name of the element whose equation calls it. A
function with several stocks numbers them from the input side:
``"DELAY3(Shipments) stage 1"`` ... ``stage 3``; the last stage is the one
the function outputs. When one equation calls the same
function twice, the second is ``"SMOOTH(Price) #2"``.

The values of DELAY stages are the stage contents as PySD keeps them
(level x delay time / order x order, i.e. the outflow rate x delay time), so
that ``DELAY3(X) stage 3 / delay time`` is the delay's output. A DELAY FIXED's
stage k is its input k time steps ago (its last stage is its output); a SAMPLE
IF TRUE's stock is its last sample.

Examples
--------
>>> identifier("Heat Loss to Room")
'heat_loss_to_room'
>>> hidden_stock_names("DELAY3", "Shipments", 1, 3)
['DELAY3(Shipments) stage 1', 'DELAY3(Shipments) stage 2', 'DELAY3(Shipments) stage 3']
"""

from __future__ import annotations

import keyword
import re

__all__ = [
    "CONTROL_NAMES", "RESERVED", "control_name", "hidden_stock_names", "identifier",
    "reference_key",
]

#: Vensim's simulation control variables, in the order Vensim lists them.
CONTROL_NAMES = ("INITIAL TIME", "FINAL TIME", "TIME STEP", "SAVEPER")

#: Names the generated code uses for itself; an element never gets one of them.
RESERVED = frozenset(
    {"np", "math", "make", "controls", "xidz", "zidz", "modulo", "quantum", "step", "ramp",
     "pulse", "pulse_train", "fixed_structure", "random_uniform", "random_normal",
     "random_exponential"}
)


_CONTROL_KEYS = {name: name for name in CONTROL_NAMES}


def reference_key(name: str) -> str:
    """The key under which PySD's ASTs refer to the element `name`.

    As in PySD (and its translated modules), whitespace becomes one underscore
    and case is ignored; underscores are kept as written, so ``Growth__Rate``
    and ``Growth Rate`` are two names.

    Examples
    --------
    >>> reference_key("Room  Temperature"), reference_key("Growth__Rate")
    ('room_temperature', 'growth__rate')
    """
    return re.sub(r"\s+", "_", name.strip().lower())


def control_name(name: str) -> str | None:
    """The control variable (from :data:`CONTROL_NAMES`) that `name` spells, else None.

    Case, and spaces against underscores, do not matter, as in PySD.

    Examples
    --------
    >>> control_name("Final_Time"), control_name("Time Step"), control_name("Growth")
    ('FINAL TIME', 'TIME STEP', None)
    """
    return _CONTROL_KEYS.get(reference_key(name).replace("_", " ").upper())


def identifier(name: str, taken: set[str] | None = None) -> str:
    """A readable Python identifier for the display name `name`.

    It never starts with an underscore (those are kept for the generated
    code's own names) and is not in `taken`, which it is added to.

    Examples
    --------
    >>> identifier("2nd Effect (on Price)")
    'v_2nd_effect_on_price'
    """
    ident = re.sub(r"[^0-9a-zA-Z]+", "_", name.lower()).strip("_") or "v"
    if ident[0].isdigit():
        ident = "v_" + ident
    if keyword.iskeyword(ident) or ident in RESERVED:
        ident += "_"
    taken = set() if taken is None else taken
    base, count = ident, 1
    while ident in taken:
        count += 1
        ident = f"{base}_{count}"
    taken.add(ident)
    return ident


def hidden_stock_names(function: str, element: str, occurrence: int, stages: int) -> list[str]:
    """Display names of the hidden stocks of one delay or smoothing call.

    Parameters
    ----------
    function : str
        The Vensim function, e.g. ``"SMOOTH3I"``.
    element : str
        Display name of the element whose equation holds the call.
    occurrence : int
        1 for the first call of `function` in that equation, 2 for the second...
    stages : int
        Number of stocks the call keeps.
    """
    base = f"{function}({element})" + (f" #{occurrence}" if occurrence > 1 else "")
    if stages == 1:
        return [base]
    return [f"{base} stage {k}" for k in range(1, stages + 1)]
