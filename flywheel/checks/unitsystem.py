"""Units strings read with pint, with Vensim's conventions.

* ``Dmnl``, ``dimensionless``, ``fraction`` and ``1`` are pure numbers.
* Time units are one dimension: ``Year``, ``Quarter``, ``Month``, ``Week``,
  ``Day``, ``Hour``, ``Minute``, ``s``.
* ``thousand``, ``million``, ``billion``, ``trillion`` and ``percent`` are
  numbers (so ``billion USD`` and ``USD`` share a dimension); SI prefixes
  work on any unit (``exaFLOP``).
* ``people``, ``person``, ``users``, ``adopters`` are one unit; ``$`` is
  ``USD``; ``per`` is ``/``; any other word is a base unit of its own
  (``Widgets``, the same unit as ``Widget``: a final ``s`` is a plural).
  Words are matched ignoring case.
* Words separated by spaces form one term, as in Vensim:
  ``USD/million tokens`` is USD per (million tokens).

Examples
--------
>>> str(parse_units("USD/million tokens").dimensionality)
'[currency] / [token]'
>>> parse_units("tokens/month").to(parse_units("tokens/Year")).magnitude
12.0
>>> format_units(parse_units("billion USD/Year"))
'USD*billion/Year'
"""

from __future__ import annotations

import re

import pint

__all__ = ["Literal", "format_units", "parse_units", "unit_registry"]

_DEFINITIONS = """
kilo- = 1e3 = k-
mega- = 1e6 = M-
giga- = 1e9 = G-
tera- = 1e12 = T-
peta- = 1e15 = P-
exa- = 1e18 = E-
zetta- = 1e21 = Z-
Year = [time] = _ = yr
Quarter = Year / 4
Month = Year / 12
Week = Year / 52.1775
Day = Year / 365.25
Hour = Day / 24 = _ = hr
Minute = Hour / 60
s = Minute / 60 = _ = second = sec
thousand = 1e3
million = 1e6
billion = 1e9
trillion = 1e12
percent = 0.01
USD = [currency] = _ = dollar
people = [person] = _ = person = persons = user = users = adopter = adopters
tokens = [token] = _ = token
FLOP = [compute] = _ = FLOPs
"""
_DIMENSIONLESS = {"dmnl", "dimensionless", "fraction", "unitless"}
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d*)?(?:[eE][-+]?\d+)?")
_TOKEN = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|[*/^()])")


def unit_registry() -> pint.UnitRegistry:
    """A fresh pint registry with Vensim's conventions (see the module docstring).

    It grows: :func:`parse_units` defines each unknown word as a base unit.
    """
    registry = pint.UnitRegistry(None, case_sensitive=False)
    for line in _DEFINITIONS.strip().splitlines():
        registry.define(line)
    return registry


_SHARED = unit_registry()


class Literal:
    """A bare number in an equation: it takes the other side's units in a sum."""

    def __init__(self, value: float) -> None:
        self.value = value


def _vensim_to_pint(text: str) -> str:
    """Vensim units syntax as a pint expression: words joined by spaces form one term."""
    text = text.replace("$", " USD ").replace("%", " percent ")
    text = re.sub(r"\bper\b", "/", text, flags=re.IGNORECASE)
    tokens, position = [], 0
    for match in _TOKEN.finditer(text):
        if match.start() != position:
            break
        tokens.append(match.group(1))
        position = match.end()
    if text[position:].strip():
        raise ValueError(f"cannot read units {text!r} from {text[position:].strip()!r} on")
    groups: list[list[str]] = []  # runs of words, and operators on their own
    for token in tokens:
        word = "1" if token.lower() in _DIMENSIONLESS else token
        if _WORD.fullmatch(token) and groups and _WORD.fullmatch(groups[-1][-1]):
            groups[-1].append(word)
        else:
            groups.append([word])
    return " ".join(g[0] if len(g) == 1 else f"({'*'.join(g)})" for g in groups) or "1"


def parse_units(text: str, registry: pint.UnitRegistry | None = None) -> pint.Quantity:
    """The units string `text` as a pint quantity of magnitude one unit.

    Parameters
    ----------
    text : str
        A Vensim units string, e.g. ``"billion USD/Year"``.
    registry : pint.UnitRegistry, optional
        Where to look words up and define unknown ones (default: a registry
        shared by the package).

    Raises
    ------
    ValueError
        Text that is not a units expression.

    Examples
    --------
    >>> parse_units("tokens/month").to(parse_units("tokens/Year")).magnitude
    12.0
    >>> str(parse_units("Widgets/Week").dimensionality)
    '[widget] / [time]'
    """
    registry = registry or _SHARED
    expression = _vensim_to_pint(text)
    for _ in range(50):  # each pass defines one unknown word
        try:
            return registry.Quantity(registry.parse_expression(expression))
        except pint.UndefinedUnitError as error:
            names = error.unit_names
            word = names if isinstance(names, str) else names[0]
            plural = word.lower().endswith("s") and not word.lower().endswith("ss")
            base = word[:-1] if plural and len(word) > 3 else word
            registry.define(f"{base} = [{base.lower()}]")
        except (pint.DefinitionSyntaxError, SyntaxError, TypeError, AttributeError) as error:
            raise ValueError(f"cannot read units {text!r}: {error}") from None
    raise ValueError(f"cannot read units {text!r}: too many unknown words")


def format_units(units) -> str:
    """Units as compact text (``"any"`` for unknown units or a bare number)."""
    if isinstance(units, str):
        return units
    if units is None or isinstance(units, Literal):
        return "any"
    return "Dmnl" if units.unitless else f"{units.units:C}"


