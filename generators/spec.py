"""The entity spec as code: strict pydantic models plus validation that lists every problem by path.

Specs arrive from strangers' GitHub issues, so nothing is coerced (`"yes"` is not a boolean) and
every rule reports where it failed (`entities[0].fields[3].default`) and how to fix it.
"""

from __future__ import annotations

import json
import typing
from typing import Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    JsonValue,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import ErrorDetails

from bot.errors import GenerationError, SpecError
from generators import checks, entity_checks
from generators.problem import Problem, join_path, show

__all__ = [
    "FIELD_TYPES",
    "Action",
    "Entity",
    "Field",
    "FieldType",
    "Index",
    "Problem",
    "SpecFile",
    "dump_spec",
    "endpoints_from_strings",
    "load_spec",
    "spec_json_schema",
    "validate_entity_data",
    "validate_spec_data",
]

FieldType = Literal[
    "uuid", "string", "text", "integer", "float", "boolean", "datetime", "date", "enum", "json"
]
FIELD_TYPES: tuple[str, ...] = typing.get_args(FieldType)
_COLLECT = "issuebot_collect"  # validation context key: report problems instead of raising
MAX_SPEC_BYTES = 5_000_000


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Field(_Model):
    """One attribute of an entity, in the seed's `entity_definition` form."""

    name: StrictStr
    type: FieldType
    values: tuple[StrictStr, ...] | None = None
    required: StrictBool = False
    primary_key: StrictBool = False
    max_length: StrictInt | None = None
    min: StrictInt | StrictFloat | None = None
    max: StrictInt | StrictFloat | None = None
    default: JsonValue = None
    sensitive: StrictBool = False
    unique: StrictBool = False
    auto_now_add: StrictBool = False
    auto_now: StrictBool = False
    description: StrictStr | None = None

    @property
    def server_managed(self) -> bool:
        """Set by the server (`id`, timestamps), never accepted from clients."""
        return self.primary_key or self.auto_now_add or self.auto_now


class Index(_Model):
    """A (possibly unique) index over one or more fields."""

    fields: tuple[StrictStr, ...]
    unique: StrictBool = False


class Action(_Model):
    """A custom POST endpoint (`/raw-data-sources/{id}/sync` or `/raw-data-sources/sync-all`)."""

    name: StrictStr
    scope: Literal["item", "collection"] = "item"
    description: StrictStr | None = None


AUTO_FIELDS = (
    Field(name="id", type="uuid", primary_key=True),
    Field(name="created_at", type="datetime", auto_now_add=True),
    Field(name="updated_at", type="datetime", auto_now=True),
)


class Entity(_Model):
    """One entity: its fields, indexes and custom actions."""

    name: StrictStr
    layer: StrictStr = "domain"
    description: StrictStr | None = None
    fields: tuple[Field, ...]
    indexes: tuple[Index, ...] = ()
    actions: tuple[Action, ...] = ()

    @model_validator(mode="after")
    def _semantics(self, info: ValidationInfo) -> Self:
        if not (isinstance(info.context, dict) and info.context.get(_COLLECT)):
            problems = entity_checks.entity_problems(self)
            if problems:
                raise ValueError("; ".join(p.render() for p in problems))
        return self

    def with_auto_fields(self) -> Entity:
        """The entity with `id`, `created_at`, `updated_at` added where the spec omits them."""
        names = {f.name for f in self.fields}
        head = [f for f in AUTO_FIELDS[:1] if f.name not in names]
        tail = [f for f in AUTO_FIELDS[1:] if f.name not in names]
        if not head and not tail:
            return self
        return self.model_copy(update={"fields": (*head, *self.fields, *tail)})

    def field(self, name: str) -> Field:
        """The field called `name` (KeyError if absent)."""
        for field in self.fields:
            if field.name == name:
                return field
        raise KeyError(name)


class SpecFile(_Model):
    """`specs/entities.json`: a versioned list of entities."""

    version: Literal[1]
    entities: tuple[Entity, ...] = ()

    @model_validator(mode="after")
    def _semantics(self, info: ValidationInfo) -> Self:
        if not (isinstance(info.context, dict) and info.context.get(_COLLECT)):
            problems = entity_checks.spec_problems(self)
            if problems:
                raise ValueError("; ".join(p.render() for p in problems))
        return self

    @classmethod
    def empty(cls) -> SpecFile:
        """A spec with no entities yet."""
        return cls(version=1)

    def upsert(self, entity: Entity) -> SpecFile:
        """Add `entity`, or replace the one with its name in place (order is kept)."""
        entities = list(self.entities)
        for i, existing in enumerate(entities):
            if existing.name == entity.name:
                entities[i] = entity
                break
        else:
            entities.append(entity)
        return self.model_copy(update={"entities": tuple(entities)})

    def entity(self, name: str) -> Entity:
        """The entity called `name` (KeyError if absent)."""
        for entity in self.entities:
            if entity.name == name:
                return entity
        raise KeyError(name)


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
    if kind == "literal_error" and loc[-1] == "version":
        return Problem(path, f"unsupported version {show(value)}", "use 1")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return Problem(path, f"expected an object, got {type(value).__name__}", "use {...}")
    if kind in ("tuple_type", "list_type"):
        return Problem(path, f"expected a list, got {type(value).__name__}", "use [...]")
    return Problem(path, f"{err['msg'][:1].lower()}{err['msg'][1:]}, got {show(value)}", "")


def _collect(model: type[_Model], data: object) -> tuple[Any, list[Problem]]:
    try:
        return model.model_validate(data, context={_COLLECT: True}), []
    except ValidationError as exc:
        return None, [_problem(err) for err in exc.errors()]


def _field_fallback(data: object) -> list[Problem]:
    """When the entity's shape is broken, still check each well-formed field on its own."""
    fields = data.get("fields") if isinstance(data, dict) else None
    if not isinstance(fields, list) or len(fields) > checks.MAX_FIELDS:
        return []
    problems: list[Problem] = []
    for i, raw in enumerate(fields):
        field, _ = _collect(Field, raw)
        if field is not None:
            problems += checks.field_problems(field, f"fields[{i}]")
    return problems


def validate_entity_data(data: object) -> tuple[Entity | None, list[Problem]]:
    """Validate one entity definition; paths are relative to it (`fields[3].default`)."""
    fields = data.get("fields") if isinstance(data, dict) else None
    if isinstance(fields, list) and len(fields) > checks.MAX_FIELDS:
        limit = f"keep ≤ {checks.MAX_FIELDS}"
        return None, [Problem("fields", f"has {len(fields)} fields", limit)]
    entity, problems = _collect(Entity, data)
    if entity is None:
        return None, problems + _field_fallback(data)
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
    entities: list[Entity] = []
    if not isinstance(raw_entities, list):
        problems.append(
            Problem("entities", f"expected a list, got {type(raw_entities).__name__}", "use [...]")
        )
        raw_entities = []
    for i, raw in enumerate(raw_entities):
        entity, found = validate_entity_data(raw)
        problems += [p.under(f"entities[{i}]") for p in found]
        if entity is not None:
            entities.append(entity)
    if problems or shell is None:
        return None, problems
    spec = shell.model_copy(update={"entities": tuple(entities)})
    problems = entity_checks.spec_problems(spec) or _name_clashes(spec.entities)
    return (None, problems) if problems else (spec, [])


def _name_clashes(entities: tuple[Entity, ...]) -> list[Problem]:
    """Database names the generator would derive twice (`uq_t_a_b` from `a_b` and `a`+`b`)."""
    from generators.views import entity_views  # noqa: PLC0415 (views import this module)

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
    """Map a request's `api_endpoints` lines onto actions (CRUD lines need none); see endpoints."""
    from generators.endpoints import actions_from_strings  # noqa: PLC0415 (import cycle)

    return actions_from_strings(lines)
