"""Validation of entity specs: every problem at once, each with its JSON path and a fix.

Specs arrive from strangers' GitHub issues, so every rule reports where it failed
(`entities[0].fields[3].default`) and how to fix it. The models themselves live in
`generators.model`; this module re-exports them so callers import one place.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from bot.errors import GenerationError, SpecError
from generators import checks, endpoints, entity_checks
from generators.entity_checks import Parts
from generators.model import (
    AUTO_FIELDS,
    COLLECT,
    FIELD_TYPES,
    Action,
    Entity,
    Field,
    FieldType,
    Index,
    Model,
    SpecFile,
)
from generators.problem import Problem, join_path, show
from generators.views import entity_views

__all__ = [
    "AUTO_FIELDS",
    "FIELD_TYPES",
    "MAX_SPEC_BYTES",
    "Action",
    "Entity",
    "Field",
    "FieldType",
    "Index",
    "Problem",
    "SpecFile",
    "dump_spec",
    "endpoints_from_strings",
    "endpoints_problems",
    "load_spec",
    "spec_json_schema",
    "validate_entity_data",
    "validate_spec_data",
]

MAX_SPEC_BYTES = 5_000_000
_LIMITS = {
    "fields": checks.MAX_FIELDS,
    "indexes": checks.MAX_INDEXES,
    "actions": checks.MAX_ACTIONS,
}
_M = TypeVar("_M", bound=Model)

_KEYS = {
    "spec": list(SpecFile.model_fields),
    "entity": list(Entity.model_fields),
    "fields": list(Field.model_fields),
    "indexes": list(Index.model_fields),
    "actions": list(Action.model_fields),
}


def _problem(err: ErrorDetails) -> Problem:
    loc = err["loc"]
    path = join_path(*loc)
    kind, value = err["type"], err.get("input")
    owner = next((str(p) for p in reversed(loc[:-1]) if str(p) in _KEYS), "spec")
    if owner == "entities" or (owner == "spec" and loc[:1] == ("entities",) and len(loc) > 2):
        owner = "entity"
    if kind == "extra_forbidden":
        return Problem(
            path, f"unknown key {show(loc[-1])}", f"allowed keys: {', '.join(_KEYS[owner])}"
        )
    if kind == "missing":
        return Problem(path, f"{show(loc[-1])} is required", "add it")
    if kind == "literal_error" and loc[-1] == "type":
        return Problem(path, f"unknown type {show(value)}", f"use one of: {', '.join(FIELD_TYPES)}")
    if kind == "literal_error" and loc[-1] == "scope":
        return Problem(path, f"unknown scope {show(value)}", "use 'item' or 'collection'")
    if kind == "literal_error" and loc[-1] == "on_delete":
        return Problem(
            path, f"unknown on_delete {show(value)}", "use cascade, restrict or set_null"
        )
    if kind == "literal_error" and loc[-1] == "version":
        return Problem(path, f"unsupported version {show(value)}", "use 1")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return Problem(path, f"expected an object, got {type(value).__name__}", "use {...}")
    if kind in ("tuple_type", "list_type"):
        return Problem(path, f"expected a list, got {type(value).__name__}", "use [...]")
    return Problem(path, f"{err['msg'][:1].lower()}{err['msg'][1:]}, got {show(value)}", "")


def _collect(model: type[Model], data: object) -> tuple[Any, list[Problem]]:
    try:
        return model.model_validate(data, context={COLLECT: True}), []
    except ValidationError as exc:
        return None, [_problem(err) for err in exc.errors()]


def _well_formed(model: type[_M], raw: object) -> tuple[tuple[int, _M], ...]:
    items = raw if isinstance(raw, list) else []
    parsed = ((i, _collect(model, item)[0]) for i, item in enumerate(items))
    return tuple((i, item) for i, item in parsed if item is not None)


def _parts(data: dict[str, Any]) -> Parts:
    """The well-formed parts of a broken entity, so one pass checks them all."""

    def text(key: str, absent: str | None = None) -> str | None:
        value = data.get(key, absent)
        return value if isinstance(value, str) else None

    raw_fields = data.get("fields")
    fields = _well_formed(Field, raw_fields)
    good = {i for i, _ in fields}
    unreadable = frozenset(
        raw["name"]
        for i, raw in enumerate(raw_fields if isinstance(raw_fields, list) else [])
        if i not in good and isinstance(raw, dict) and isinstance(raw.get("name"), str)
    )
    return Parts(
        text("name"),
        text("layer", "domain"),
        text("description"),
        fields,
        _well_formed(Index, data.get("indexes")),
        _well_formed(Action, data.get("actions")),
        unreadable,
        field_list=isinstance(raw_fields, list),
    )


def _size_problems(data: object) -> list[Problem]:
    """Hostile sizes are refused before anything is validated."""
    if not isinstance(data, dict):
        return []
    return [
        Problem(key, f"has {len(data[key])} {key}", f"keep ≤ {limit}")
        for key, limit in _LIMITS.items()
        if isinstance(data.get(key), list) and len(data[key]) > limit
    ]


def validate_entity_data(data: object) -> tuple[Entity | None, list[Problem]]:
    """Validate one entity definition; paths are relative to it (`fields[3].default`).

    A broken part does not hide the others: the name, layer, indexes and actions are checked
    in the same pass as the fields that failed their shape check.
    """
    too_big = _size_problems(data)
    if too_big:
        return None, too_big
    entity, problems = _collect(Entity, data)
    if entity is None:
        if isinstance(data, dict):
            problems += entity_checks.parts_problems(_parts(data))
        return None, problems
    problems = entity_checks.entity_problems(entity) or _name_clashes((entity,))
    return (None, problems) if problems else (entity.with_auto_fields(), [])


def validate_spec_data(data: object) -> tuple[SpecFile | None, list[Problem]]:
    """Validate a whole spec file; paths start at the root (`entities[0].fields[3].default`)."""
    if not isinstance(data, dict):
        return None, [
            Problem(
                "",
                f"expected an object, got {type(data).__name__}",
                'use {"version": 1, "entities": [...]}',
            )
        ]
    raw_entities = data.get("entities", [])
    if isinstance(raw_entities, list) and len(raw_entities) > checks.MAX_ENTITIES:
        return None, [
            Problem(
                "entities", f"has {len(raw_entities)} entities", f"keep ≤ {checks.MAX_ENTITIES}"
            )
        ]
    shell, problems = _collect(SpecFile, {**data, "entities": []})
    if not isinstance(raw_entities, list):
        problems.append(
            Problem("entities", f"expected a list, got {type(raw_entities).__name__}", "use [...]")
        )
        raw_entities = []
    entities: list[Entity] = []
    names: list[tuple[int, str]] = []
    as_written: list[tuple[int, Entity]] = []
    for i, raw in enumerate(raw_entities):
        entity, found = validate_entity_data(raw)
        problems += [p.under(f"entities[{i}]") for p in found]
        if entity is not None:
            entities.append(entity)
            as_written.append((i, _as_written(entity, raw)))
        name = raw.get("name") if isinstance(raw, dict) else None
        if isinstance(name, str) and not any(p.path.startswith("name") for p in found):
            names.append((i, name))
    problems += entity_checks.entity_name_problems(names)
    problems += entity_checks.reference_problems(as_written, [name for _, name in names])
    if problems or shell is None:
        return None, problems
    spec = shell.model_copy(update={"entities": tuple(entities)})
    problems = _name_clashes(spec.entities)
    return (None, problems) if problems else (spec, [])


def _as_written(entity: Entity, raw: dict[str, Any]) -> Entity:
    """The entity without the auto fields the spec left out, so field positions match it."""
    written = {f.get("name") for f in raw["fields"] if isinstance(f, dict)}
    return entity.model_copy(
        update={"fields": tuple(f for f in entity.fields if f.name in written)}
    )


def _name_clashes(entities: tuple[Entity, ...]) -> list[Problem]:
    """Database names the generator would derive twice (`uq_t_a_b` from `a_b` and `a`+`b`)."""
    try:
        entity_views(entities)
    except GenerationError as exc:
        return [Problem("entities" if len(entities) > 1 else "", exc.message, exc.hint or "")]
    return []


def load_spec(text: str) -> SpecFile:
    """Parse and validate spec JSON text; `SpecError` lists every problem."""
    if len(text) > MAX_SPEC_BYTES:
        raise SpecError([f"the spec is larger than {MAX_SPEC_BYTES} bytes"])
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecError([f"line {exc.lineno} column {exc.colno}: invalid JSON: {exc.msg}"]) from exc
    spec, problems = validate_spec_data(data)
    if spec is None:
        raise SpecError([p.render() for p in problems])
    return spec


def dump_spec(spec: SpecFile) -> str:
    """Deterministic JSON text of a spec: options at their defaults are left out."""
    data = spec.model_dump(mode="json", exclude_defaults=True)
    data = {"version": spec.version, "entities": data.get("entities", [])}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def spec_json_schema() -> str:
    """The JSON Schema of `specs/entities.json`, exported from the models (kept in `specs/`)."""
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **SpecFile.model_json_schema(),
    }
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def endpoints_from_strings(lines: list[str]) -> list[Action]:
    """Map a request's `api_endpoints` lines onto actions (CRUD lines need none); see endpoints.

    Raises SpecError listing every line that is neither CRUD nor a POST action.
    """
    return endpoints.actions_from_strings(lines)


def endpoints_problems(lines: Sequence[str]) -> tuple[list[Action], list[Problem]]:
    """The actions of the readable lines and a problem at `api_endpoints[i]` per bad line."""
    return endpoints.endpoints_problems(lines)
