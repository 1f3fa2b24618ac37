"""A small OData ``$filter`` evaluator (concepts/filter-query-parameter.md): comparisons
``eq ne gt ge lt le``, ``startswith(prop,'x')`` / ``endswith(prop,'x')``, joined with ``and``/``or``.

Enough for the directory and places filters a console uses; anything else is a 400, never a
silently ignored clause. ``advanced`` names the operators the directory only evaluates as an
"advanced query" (concepts/aad-advanced-queries.md: ``ne``, ``not``, ``endsWith`` need
``ConsistencyLevel: eventual`` and ``$count=true``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<word>[A-Za-z_][\w/.]*)|(?P<p>[(),]))")
COMPARE = {"eq", "ne", "gt", "ge", "lt", "le"}
ADVANCED = {"ne", "endswith", "not"}


class FilterError(ValueError):
    def __init__(self, message: str, prop: str | None = None) -> None:
        super().__init__(message)
        self.prop = prop


def _tokens(text: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        found = _TOKEN.match(text, pos)
        if not found or found.end() == pos:
            raise FilterError(f"Invalid filter clause: syntax error at position {pos} in '{text}'.")
        pos = found.end()
        if found["str"] is not None:
            out.append(("value", found["str"][1:-1].replace("''", "'")))
        elif found["num"] is not None:
            out.append(("value", float(found["num"]) if "." in found["num"] else int(found["num"])))
        elif found["word"] is not None:
            word = found["word"]
            lowered = word.lower()
            if lowered in ("true", "false"):
                out.append(("value", lowered == "true"))
            elif lowered == "null":
                out.append(("value", None))
            else:
                out.append(("word", word))
        else:
            out.append(("p", found["p"]))
    return out


def compile_filter(text: str, *, allowed_ops: set[str] | None = None
                   ) -> tuple[Callable[[dict[str, Any]], bool], set[str]]:
    """A predicate over wire records (property names compared case-insensitively) and the set of
    operators used, so a caller can refuse advanced ones."""
    tokens = _tokens(text)
    used: set[str] = set()
    index = 0

    def peek() -> tuple[str, Any] | None:
        return tokens[index] if index < len(tokens) else None

    def take() -> tuple[str, Any]:
        nonlocal index
        if index >= len(tokens):
            raise FilterError(f"Invalid filter clause: unexpected end of '{text}'.")
        index += 1
        return tokens[index - 1]

    def expect(kind: str, value: Any = None) -> None:
        token = take()
        if token[0] != kind or (value is not None and token[1] != value):
            raise FilterError(f"Invalid filter clause: expected {value or kind} in '{text}'.")

    def primary() -> Callable[[dict[str, Any]], bool]:
        token = take()
        if token == ("p", "("):
            inner = disjunction()
            expect("p", ")")
            return inner
        if token[0] != "word":
            raise FilterError(f"Invalid filter clause in '{text}'.")
        word = token[1]
        if word.lower() == "not":
            used.add("not")
            inner = primary()
            return lambda record: not inner(record)
        if word.lower() in ("startswith", "endswith"):
            used.add(word.lower())
            expect("p", "(")
            prop = take()
            expect("p", ",")
            value = take()
            expect("p", ")")
            if prop[0] != "word" or value[0] != "value" or not isinstance(value[1], str):
                raise FilterError(f"Invalid filter clause in '{text}'.")
            name, needle = prop[1], value[1].lower()
            if word.lower() == "startswith":
                return lambda record: str(lookup(record, name) or "").lower().startswith(needle)
            return lambda record: str(lookup(record, name) or "").lower().endswith(needle)
        op = take()
        if op[0] != "word" or op[1].lower() not in COMPARE:
            raise FilterError(f"Invalid filter clause: unsupported operator after '{word}'.", word)
        operator = op[1].lower()
        used.add(operator)
        value = take()
        if value[0] != "value":
            raise FilterError(f"Invalid filter clause in '{text}'.")
        return _comparison(word, operator, value[1])

    def conjunction() -> Callable[[dict[str, Any]], bool]:
        nonlocal index
        parts = [primary()]
        while (token := peek()) is not None and token[0] == "word" and token[1].lower() == "and":
            index += 1
            parts.append(primary())
        return lambda record: all(p(record) for p in parts)

    def disjunction() -> Callable[[dict[str, Any]], bool]:
        nonlocal index
        parts = [conjunction()]
        while (token := peek()) is not None and token[0] == "word" and token[1].lower() == "or":
            index += 1
            parts.append(conjunction())
        return lambda record: any(p(record) for p in parts)

    predicate = disjunction()
    if index != len(tokens):
        raise FilterError(f"Invalid filter clause: unexpected text in '{text}'.")
    if allowed_ops is not None and not used <= allowed_ops:
        raise FilterError(f"Unsupported operator in '{text}'.")
    return predicate, used


def lookup(record: dict[str, Any], name: str) -> Any:
    current: Any = record
    for part in name.split("/"):
        if not isinstance(current, dict):
            return None
        key = next((k for k in current if k.lower() == part.lower()), None)
        current = current.get(key) if key else None
    return current


def _comparison(name: str, operator: str, value: Any) -> Callable[[dict[str, Any]], bool]:
    def test(record: dict[str, Any]) -> bool:
        actual = lookup(record, name)
        if isinstance(actual, list):
            return operator == "eq" and value in actual
        if isinstance(actual, str) and isinstance(value, str):
            actual, wanted = actual.lower(), value.lower()
        else:
            wanted = value
        if operator == "eq":
            return actual == wanted
        if operator == "ne":
            return actual != wanted
        if actual is None or wanted is None:
            return False
        try:
            return {"gt": actual > wanted, "ge": actual >= wanted, "lt": actual < wanted,
                    "le": actual <= wanted}[operator]
        except TypeError:
            return False

    return test
