"""Solver and planner parameters: attrs validators that check a value where the parameter is defined,
and the one `--param` grammar every command shares.

Grammar: `key=value` sets a parameter of the only solver or planner a command names;
`name.key=value` addresses one of several. Values are read as JSON where they parse (numbers, lists,
objects, true/false), else as strings. A validator raises `ParameterError`; the registry prefixes
the registered name, so the user reads `psoga.particles: must be a whole number >= 1, got 0`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from typing import Any

import attrs

from eosdnn.framework.errors import EosdnnError


class ParameterError(EosdnnError):
    """A parameter value out of its type or range; `field` names the parameter."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


Validator = Callable[[Any, Any, Any], None]


def shown(value: Any) -> str:
    """A value as a user typed it (a flag, a `--param`, a TOML field): numbers and strings as they
    are, other types by name, e.g. `a date (1979-05-27)`."""
    if isinstance(value, (bool, int, float, str)) or value is None:
        return repr(value)
    return f"a {type(value).__name__} ({value})"


@attrs.frozen
class FieldName:
    """What a validator names when it checks a value outside an attrs class (a scenario field, a
    command-line flag): `whole(1)(None, FieldName("tasks.count"), value)`."""

    name: str


def with_span(check: Validator, span: str) -> Validator:
    """A validator that states its range (`eosdnn solvers` prints it beside the default)."""
    check.span = span  # type: ignore[attr-defined]
    return check


def whole(minimum: int, maximum: int | None = None) -> Validator:
    """A whole number in [minimum, maximum] (booleans and floats are refused)."""
    bound = f">= {minimum}" if maximum is None else f"in {minimum}..{maximum:,}"

    def check(_instance, attribute, value) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum or (
                maximum is not None and value > maximum):
            raise ParameterError(attribute.name, f"must be a whole number {bound}, got {shown(value)}")
    return with_span(check, f"whole number {bound}")


def _is_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)


def number(low: float | None = None, high: float | None = None, *, open_low: bool = False) -> Validator:
    """A finite number in [low, high] (or (low, high] with `open_low`)."""
    left = "(" if open_low else "["
    low_text = "-inf" if low is None else f"{low:g}"
    high_text = "inf" if high is None else f"{high:g}"
    span = f"number in {left}{low_text}, {high_text}]"

    def check(_instance, attribute, value) -> None:
        ok = _is_number(value) and (low is None or (value > low if open_low else value >= low)) and (
            high is None or value <= high)
        if not ok:
            raise ParameterError(attribute.name, f"must be a finite {span}, got {shown(value)}")
    return with_span(check, span)


def optional(check: Validator) -> Validator:
    def maybe(instance, attribute, value) -> None:
        if value is not None:
            check(instance, attribute, value)
    inner = getattr(check, "span", None)
    return with_span(maybe, f"{inner}, or none") if inner else maybe


def unit_pair(_instance, attribute, value) -> None:
    """A (start, end) pair of probabilities, e.g. eps1 = (0.9, 0.2)."""
    if not (isinstance(value, (tuple, list)) and len(value) == 2 and all(_is_number(v) and 0 <= v <= 1 for v in value)):
        raise ParameterError(attribute.name, f"must be a pair [start, end] of numbers in [0, 1], got {shown(value)}")


unit_pair.span = "pair [start, end] in [0, 1]"  # type: ignore[attr-defined]


def to_pair(value: Any) -> Any:
    """Converter: a JSON list becomes a tuple (attrs values stay hashable and frozen-friendly)."""
    return tuple(value) if isinstance(value, list) else value


def one_of(*choices: str) -> Validator:
    def check(_instance, attribute, value) -> None:
        if value not in choices:
            raise ParameterError(attribute.name, f"must be one of {', '.join(choices)}, got {shown(value)}")
    return with_span(check, " | ".join(choices))


def read_value(text: str) -> Any:
    """A `--param` value: JSON where it parses, else the string itself."""
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return text


def parse_params(pairs: Iterable[str] | None, names: list[str], kind: str, flag: str = "--param") -> dict[str, dict]:
    """`--param` pairs as parameters per name; a pair that names no one of `names` is an error."""
    params: dict[str, dict] = {name: {} for name in names}
    for pair in pairs or []:
        if "=" not in pair:
            raise EosdnnError(f"{flag} {pair!r}: expected key=value or name.key=value")
        key, text = pair.split("=", 1)
        key = key.strip()
        owner, field = _owner(key, names)
        if owner is None:
            if len(names) != 1:
                raise EosdnnError(f"{flag} {key}: name the {kind}, e.g. {names[0]}.{key}=... "
                                  f"(this command runs {', '.join(names)})")
            owner = names[0]
        if owner not in params:
            raise EosdnnError(f"{flag} {key}: {owner!r} is not a {kind} of this command (it runs {', '.join(names)})")
        if not field:
            raise EosdnnError(f"{flag} {pair!r}: empty parameter name")
        params[owner][field.replace("-", "_")] = read_value(text)
    return params


def _owner(key: str, names: list[str]) -> tuple[str | None, str]:
    """Split `name.key` where name is one of `names` (names may hold dots only in theory)."""
    for name in sorted(names, key=len, reverse=True):
        if key.startswith(name + "."):
            return name, key[len(name) + 1:]
    if "." in key:
        name, field = key.split(".", 1)
        return name, field
    return None, key


def as_tuple(items: Iterable[Any]) -> tuple[Any, ...]:
    """attrs converter for sequence fields: lists in, tuples (hashable, immutable) kept."""
    return tuple(items)
