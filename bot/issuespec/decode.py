"""Turn the text of a definition block into plain JSON data, or say precisely why not.

Never executes anything: JSON via ``json.loads``, YAML via libyaml's safe loader after an
event pass that refuses aliases (billion laughs) and bounds depth and size first.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import yaml

from generators.problem import Problem

MAX_DEPTH = 32
MAX_YAML_EVENTS = 100_000
BLOCK = "entity definition"

_JSON_HINTS = {
    "Expecting ',' delimiter": "a comma is missing between two items (or a quote is unbalanced)",
    "Expecting property name enclosed in double quotes": (
        "JSON needs double quotes around keys and allows no trailing comma"
    ),
    "Expecting value": "a value is missing, or there is a trailing comma or a comment",
    "Extra data": "there is text after the closing brace; keep one JSON object in the block",
    "Unterminated string starting at": "a string is missing its closing double quote",
    "Invalid control character at": "a string contains a raw line break or tab; use \\n or \\t",
}


def _problem(message: str, hint: str) -> list[Problem]:
    return [Problem(path=BLOCK, message=message, hint=hint)]


def _json_depth(text: str) -> int:
    """Bracket depth outside strings, scanned without recursion (json.loads would recurse)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKeyError(key)
        result[key] = value
    return result


class _DuplicateKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def decode_json(text: str, *, body_line: int) -> tuple[Any, list[Problem]]:
    """JSON text → data; errors carry line and column relative to the block."""
    if _json_depth(text) > MAX_DEPTH:
        return None, _problem(
            f"the {BLOCK} block is nested deeper than {MAX_DEPTH} levels",
            "an entity definition needs only a few levels: name, fields, one object per field",
        )
    try:
        return json.loads(
            text, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant
        ), []
    except json.JSONDecodeError as exc:
        hint = _JSON_HINTS.get(exc.msg, "check quotes, commas and brackets near that spot")
        return None, _problem(
            f"invalid JSON at line {exc.lineno}, column {exc.colno} of the {BLOCK} block "
            f"(line {body_line + exc.lineno} of the issue body): {exc.msg}",
            hint,
        )
    except _DuplicateKeyError as exc:
        return None, _problem(
            f"the key {json.dumps(exc.key, ensure_ascii=True)} appears twice in one object",
            "keep one of them; JSON readers silently drop all but the last",
        )
    except (ValueError, RecursionError) as exc:
        return None, _problem(f"the {BLOCK} block cannot be decoded: {exc}", "use plain JSON")


def _yaml_guard(text: str) -> list[Problem]:
    depth = 0
    for events, event in enumerate(yaml.parse(text, Loader=yaml.CSafeLoader), start=1):
        if isinstance(event, yaml.AliasEvent):
            return _problem(
                f"the {BLOCK} block uses a YAML alias (*{event.anchor})",
                "write each value out in full; aliases are refused (they can explode in size)",
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return _problem(
                    f"the {BLOCK} block is nested deeper than {MAX_DEPTH} levels",
                    "an entity definition needs only a few levels",
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        if events > MAX_YAML_EVENTS:
            return _problem(f"the {BLOCK} block is too large", "keep to one entity definition")
    return []


def decode_yaml(text: str, *, body_line: int) -> tuple[Any, list[Problem]]:
    """YAML text → JSON-like data (safe loader only; dates become ISO strings)."""
    try:
        problems = _yaml_guard(text)
        if problems:
            return None, problems
        data = yaml.load(text, Loader=yaml.CSafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = (
            f" at line {mark.line + 1}, column {mark.column + 1} of the {BLOCK} block "
            f"(line {body_line + mark.line + 1} of the issue body)"
            if mark is not None
            else ""
        )
        reason = exc.problem or exc.context or "syntax error"
        return None, _problem(f"invalid YAML{where}: {reason}", "check indentation and colons")
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        return None, _problem(f"invalid YAML: {exc}", "check indentation and colons")
    return _plain(data)


def _plain(data: Any) -> tuple[Any, list[Problem]]:
    """Reject what JSON cannot hold (binary, sets, non-string keys); dates become strings."""
    problems: list[Problem] = []

    def convert(value: Any, path: str) -> Any:
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                if not isinstance(key, str):
                    problems.append(
                        Problem(
                            path=path or BLOCK,
                            message=f"the key {key!r} is not a string",
                            hint="quote keys in YAML (yes/no/on/off and numbers are not strings)",
                        )
                    )
                    continue
                out[key] = convert(item, f"{path}.{key}" if path else key)
            return out
        if isinstance(value, list):
            return [convert(item, f"{path}[{i}]") for i, item in enumerate(value)]
        if isinstance(value, dt.date | dt.datetime):
            return value.isoformat()
        if isinstance(value, float) and not math.isfinite(value):
            problems.append(
                Problem(
                    path=path or BLOCK,
                    message=f"{value} is not a number JSON can hold",
                    hint="use a finite number",
                )
            )
            return None
        if value is None or isinstance(value, str | int | float | bool):
            return value
        problems.append(
            Problem(
                path=path or BLOCK,
                message=f"a YAML {type(value).__name__} has no JSON equivalent",
                hint="use plain strings, numbers, booleans, lists and mappings",
            )
        )
        return None

    result = convert(data, "")
    return (None, problems) if problems else (result, [])
