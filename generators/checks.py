"""Semantic spec rules past the shape check: each returns every problem with its path and a fix."""

from __future__ import annotations

import json
import math
import unicodedata
from typing import TYPE_CHECKING

from generators import naming
from generators.problem import Problem, show

if TYPE_CHECKING:
    from generators.model import Field

MAX_FIELDS = 200
MAX_INDEXES = 50
MAX_ACTIONS = 50
MAX_VALUES = 200
# FastAPI caches the fields of query-parameter models in an lru_cache of 128 entries
# (fastapi._compat.v2.get_cached_model_fields); each entity has one (its list parameters)
# and the service two more: beyond 126 entities /openapi.json fails with a KeyError.
MAX_ENTITIES = 120
MAX_DESCRIPTION = 2000
MAX_STRING_LENGTH = 10_485_760  # PostgreSQL's varchar limit
INT64 = (-(2**63), 2**63 - 1)
STRING_TYPES = frozenset({"string", "text"})
NUMERIC_TYPES = frozenset({"integer", "float"})
NO_DEFAULT_TYPES = frozenset({"uuid", "datetime", "date", "ref"})
REF_SUFFIX = "_id"  # a `ref` field `source` is the column and API field `source_id`
AUTO_FIELDS = {"id": "primary_key", "created_at": "auto_now_add", "updated_at": "auto_now"}
_BAD_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


def text_problems(value: str, path: str, *, limit: int, multiline: bool = False) -> list[Problem]:
    """Printable text only (no control, format or unassigned characters) and bounded length."""
    problems = []
    if len(value) > limit:
        problems.append(Problem(path, f"is {len(value)} characters long", f"keep it ≤ {limit}"))
    allowed = {"\n", "\t"} if multiline else set()
    bad = sorted(
        {c for c in value if c not in allowed and unicodedata.category(c) in _BAD_CATEGORIES}
    )
    if bad:
        codes = ", ".join(f"U+{ord(c):04X}" for c in bad[:5])
        problems.append(Problem(path, f"contains unprintable characters ({codes})", "remove them"))
    return problems


def _name_problems(name: str, path: str) -> list[Problem]:
    problems = text_problems(name, path, limit=naming.MAX_NAME)
    if not problems and not naming.is_snake_case(name):
        problems.append(
            Problem(
                path,
                f"{show(name)} is not an identifier",
                f"use snake_case like {show(naming.identifier_hint(name) or 'field_name')}",
            )
        )
    if name in naming.QUERY_PARAMETERS:
        problems.append(
            Problem(
                path,
                f"{show(name)} is a query parameter of every list endpoint",
                f"rename it, e.g. '{name}_value'",
            )
        )
    return problems


def _default_problems(field: Field, path: str) -> list[Problem]:
    value, kind = field.default, field.type
    if value is None:
        return []
    if field.required:
        return [
            Problem(
                path, "a required field cannot have a default", "drop 'required' or the default"
            )
        ]
    if kind in NO_DEFAULT_TYPES:
        return [Problem(path, f"{kind} fields cannot have a default", "remove the default")]
    if kind == "json":
        size = len(json.dumps(value))
        return (
            []
            if size <= MAX_DESCRIPTION
            else [
                Problem(
                    path,
                    "default is too large",
                    f"keep it under {MAX_DESCRIPTION} characters of JSON",
                )
            ]
        )
    if kind == "boolean":
        return (
            []
            if isinstance(value, bool)
            else [Problem(path, f"default {show(value)} is not a boolean", "use true or false")]
        )
    if kind in STRING_TYPES or kind == "enum":
        if not isinstance(value, str):
            return [Problem(path, f"default {show(value)} is not a string", "quote it")]
        if kind == "enum" and field.values and value not in field.values:
            return [
                Problem(
                    path,
                    f"default {show(value)} is not in values",
                    f"use one of: {', '.join(field.values)}",
                )
            ]
        problems = text_problems(value, path, limit=MAX_DESCRIPTION, multiline=True)
        if field.max_length is not None and len(value) > field.max_length:
            problems.append(
                Problem(path, f"default is longer than max_length {field.max_length}", "shorten it")
            )
        return problems
    return _number_default_problems(field, path)


def _number_default_problems(field: Field, path: str) -> list[Problem]:
    value = field.default
    if isinstance(value, bool) or not isinstance(value, int | float):
        return [Problem(path, f"default {show(value)} is not a number", f"use a {field.type}")]
    if field.type == "integer" and not isinstance(value, int):
        return [Problem(path, f"default {show(value)} is not an integer", "drop the fraction")]
    if field.min is not None and value < field.min:
        return [
            Problem(path, f"default {value} is below min {field.min}", f"use a value ≥ {field.min}")
        ]
    if field.max is not None and value > field.max:
        return [
            Problem(path, f"default {value} is above max {field.max}", f"use a value ≤ {field.max}")
        ]
    if field.type == "integer" and not INT64[0] <= value <= INT64[1]:
        return [Problem(path, "default does not fit a 64-bit integer", "use a smaller value")]
    return []


def _bound_problems(field: Field, path: str) -> list[Problem]:
    problems = []
    for key in ("min", "max"):
        bound = getattr(field, key)
        if bound is None:
            continue
        where = f"{path}.{key}"
        if field.type not in NUMERIC_TYPES:
            problems.append(
                Problem(
                    where,
                    f"{key} applies to integer and float fields, not {field.type}",
                    f"remove '{key}'",
                )
            )
        elif field.type == "integer" and not isinstance(bound, int):
            problems.append(
                Problem(where, f"{key} of an integer field must be an integer", "drop the fraction")
            )
        elif not math.isfinite(bound) or (
            field.type == "integer" and not INT64[0] <= bound <= INT64[1]
        ):
            problems.append(Problem(where, f"{key} is out of range", "use a 64-bit value"))
    if not problems and field.min is not None and field.max is not None and field.min > field.max:
        problems.append(
            Problem(f"{path}.min", f"min {field.min} is greater than max {field.max}", "swap them")
        )
    return problems


def _type_problems(field: Field, path: str) -> list[Problem]:
    problems = []
    if field.type == "enum":
        if not field.values:
            problems.append(
                Problem(f"{path}.values", "an enum field needs values", 'add "values": ["a", "b"]')
            )
        elif len(field.values) > MAX_VALUES:
            problems.append(
                Problem(f"{path}.values", f"has {len(field.values)} values", f"keep ≤ {MAX_VALUES}")
            )
        else:
            seen: set[str] = set()
            for j, value in enumerate(field.values):
                where = f"{path}.values[{j}]"
                problems += text_problems(value, where, limit=naming.MAX_NAME)
                if len(value.encode()) > naming.MAX_NAME >= len(value):
                    problems.append(Problem(where, "is longer than 63 bytes", "shorten it"))
                if not value.strip():
                    problems.append(Problem(where, "enum values cannot be blank", "give it a name"))
                if value in seen:
                    problems.append(
                        Problem(where, f"duplicate enum value {show(value)}", "remove the repeat")
                    )
                seen.add(value)
    elif field.values is not None:
        problems.append(
            Problem(
                f"{path}.values",
                f"values only apply to enum fields, not {field.type}",
                "remove 'values' or use type enum",
            )
        )
    if field.max_length is not None:
        if field.type not in STRING_TYPES:
            problems.append(
                Problem(
                    f"{path}.max_length",
                    f"max_length applies to string fields, not {field.type}",
                    "remove 'max_length'",
                )
            )
        elif not 1 <= field.max_length <= MAX_STRING_LENGTH:
            problems.append(
                Problem(
                    f"{path}.max_length",
                    f"max_length {field.max_length} is out of range",
                    f"use 1..{MAX_STRING_LENGTH}",
                )
            )
    if field.unique and field.type == "json":
        problems.append(
            Problem(f"{path}.unique", "json fields cannot be unique", "remove 'unique'")
        )
    return problems + _bound_problems(field, path)


def _managed_problems(field: Field, path: str) -> list[Problem]:
    problems = []
    expected = AUTO_FIELDS.get(field.name)
    if expected == "primary_key" and (field.type != "uuid" or not field.primary_key):
        problems.append(
            Problem(
                path,
                "'id' is the server-managed uuid primary key",
                'declare it as {"name": "id", "type": "uuid", "primary_key": true} or omit it',
            )
        )
    if expected in ("auto_now_add", "auto_now") and (
        field.type != "datetime" or not getattr(field, expected)
    ):
        problems.append(
            Problem(
                path,
                f"'{field.name}' is a server-managed timestamp",
                f'declare it {{"name": "{field.name}", "type": "datetime", "{expected}": true}}',
            )
        )
    if field.primary_key and field.name != "id":
        problems.append(
            Problem(
                f"{path}.primary_key", "only 'id' can be the primary key", "use 'unique' instead"
            )
        )
    if field.auto_now_add or field.auto_now:
        if field.type != "datetime":
            problems.append(
                Problem(
                    path,
                    "auto_now/auto_now_add apply to datetime fields",
                    "remove them or use type datetime",
                )
            )
        if field.auto_now_add and field.auto_now:
            problems.append(
                Problem(path, "a field cannot be both auto_now_add and auto_now", "keep one")
            )
    managed = field.primary_key or field.auto_now or field.auto_now_add
    if managed and (field.required or field.sensitive or field.unique or field.default is not None):
        problems.append(
            Problem(
                path,
                "server-managed fields take no required/sensitive/unique/default",
                "remove those options",
            )
        )
    return problems


def _ref_problems(field: Field, path: str) -> list[Problem]:
    """A `ref` names its target entity; `entity`/`on_delete` mean nothing on other types."""
    if field.type != "ref":
        return [
            Problem(
                f"{path}.{key}", f"{key} applies to ref fields, not {field.type}", f"remove '{key}'"
            )
            for key in ("entity", "on_delete")
            if getattr(field, key) is not None
        ]
    problems = []
    if field.entity is None:
        problems.append(
            Problem(
                f"{path}.entity",
                "a ref field needs the entity it references",
                'add "entity": "Parent"',
            )
        )
    elif not naming.is_pascal_case(field.entity):
        problems.append(
            Problem(
                f"{path}.entity",
                f"{show(field.entity)} is not an entity name",
                "use the PascalCase name of an entity",
            )
        )
    if len(field.name) + len(REF_SUFFIX) > naming.MAX_NAME:
        problems.append(
            Problem(
                f"{path}.name",
                f"its column {field.name}{REF_SUFFIX} is over {naming.MAX_NAME} characters",
                "shorten the name",
            )
        )
    if field.delete_rule == "set_null" and field.required:
        problems.append(
            Problem(
                f"{path}.on_delete",
                "set_null needs an optional ref (a required one cannot be emptied)",
                'drop "required" or use "cascade" or "restrict"',
            )
        )
    if field.sensitive:
        problems.append(
            Problem(f"{path}.sensitive", "a ref field cannot be sensitive", "remove 'sensitive'")
        )
    return problems


def field_problems(field: Field, path: str) -> list[Problem]:
    """Every rule of one field; `path` is where it sits (`fields[3]`)."""
    problems = _name_problems(field.name, f"{path}.name")
    problems += _type_problems(field, path)
    problems += _ref_problems(field, path)
    problems += _managed_problems(field, path)
    problems += _default_problems(field, f"{path}.default")
    if field.renamed_from is not None:
        problems += _name_problems(field.renamed_from, f"{path}.renamed_from")
    if field.description is not None:
        problems += text_problems(
            field.description, f"{path}.description", limit=MAX_DESCRIPTION, multiline=True
        )
    return problems
