"""Reads a request's JSON body within limits, checked before any recursive work.

The limits: size, nesting, string length, array length and integer size; each broken one
is named in the answer with its field."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from functions.errors import Invalid, Malformed, Problem, TooLarge

MAX_DEPTH = 16  # objects and arrays inside each other; the deepest procedure needs 4
MAX_STRING = 10_000  # characters in one string (a key or a value)
MAX_ITEMS = 1_000  # entries of one array, or members of one object
MAX_INTEGER_DIGITS = 18  # an integer fits in 64 bits; amounts in đồng need 12 at most


@dataclass(frozen=True)
class _OversizedInteger:
    """An integer literal too long to be a value (held back so its field can be named)."""

    digits: int


def _integer(literal: str) -> int | _OversizedInteger:
    digits = len(literal.lstrip("-"))
    return int(literal) if digits <= MAX_INTEGER_DIGITS else _OversizedInteger(digits)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def read_json(raw: bytes | str, max_bytes: int) -> Any:
    """The JSON value of a request body; TooLarge over ``max_bytes``, Malformed if it is not
    JSON (UTF-8, no NaN or Infinity), Invalid naming each field that breaks a limit."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogatepass")
    if len(raw) > max_bytes:
        raise TooLarge(f"the body is over {max_bytes} bytes")
    try:
        value = json.loads(raw.decode("utf-8"), parse_int=_integer, parse_constant=_no_constant)
    except RecursionError as error:
        raise Invalid(
            "the body is nested too deeply", [Problem("body", f"deeper than {MAX_DEPTH} levels")]
        ) from error
    except (UnicodeDecodeError, ValueError) as error:  # JSONDecodeError is a ValueError
        raise Malformed(f"the body is not valid JSON: {error}") from error
    problems = limit_problems(value)
    if problems:
        raise Invalid("the body breaks the API's limits", problems)
    return value


def limit_problems(value: Any) -> list[Problem]:
    """Each place in ``value`` that breaks a limit, walked without recursion: too deep, a
    string too long or not valid Unicode (a lone surrogate), too many items, an integer
    too long, a number out of range."""
    problems: list[Problem] = []
    pending: list[tuple[Any, str, int]] = [(value, "", 0)]
    while pending:
        item, path, depth = pending.pop()
        where = path or "body"
        if isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                problems.append(Problem(where, f"nested deeper than {MAX_DEPTH} levels"))
                continue
            if len(item) > MAX_ITEMS:
                problems.append(Problem(where, f"more than {MAX_ITEMS} entries ({len(item)})"))
                continue
            children = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in children:
                child_path = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and (problem := _string_problem(key)):
                    problems.append(Problem(child_path, f"the name is {problem}"))
                pending.append((child, child_path, depth + 1))
        elif isinstance(item, str):
            if problem := _string_problem(item):
                problems.append(Problem(where, problem))
        elif isinstance(item, _OversizedInteger):
            problems.append(
                Problem(
                    where,
                    f"an integer of {item.digits} digits; at most {MAX_INTEGER_DIGITS}",
                )
            )
        elif isinstance(item, float) and not math.isfinite(item):
            problems.append(Problem(where, "a number out of range"))
    return sorted(problems, key=lambda p: p.field)


def _string_problem(text: str) -> str | None:
    if len(text) > MAX_STRING:
        return f"longer than {MAX_STRING} characters ({len(text)})"
    if any("\ud800" <= c <= "\udfff" for c in text):
        return "not valid Unicode (a lone surrogate)"
    return None


def json_object(body: Any) -> dict[str, Any]:
    """``body`` if it is a JSON object; Malformed (400) otherwise."""
    if not isinstance(body, dict):
        raise Malformed("the body must be a JSON object", [Problem("body", "not a JSON object")])
    return body


def unknown_fields(body: dict[str, Any], known: Iterable[str], under: str = "") -> list[Problem]:
    """A problem for each field of ``body`` not in ``known`` (``under``: the object's path)."""
    return [Problem(f"{under}{name}", "unknown field") for name in sorted(set(body) - set(known))]
