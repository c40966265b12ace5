"""The entity spec's shape as strict pydantic models: what a spec is, not how it is checked.

Nothing is coerced (`"yes"` is not a boolean); constructing a model directly still enforces every
semantic rule, while `generators.spec` validates with a context that collects problems instead.
"""

from __future__ import annotations

import typing
from typing import Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    JsonValue,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from generators import entity_checks
from generators.checks import MAX_DESCRIPTION, REF_SUFFIX, text_problems

__all__ = [
    "AUTO_FIELDS",
    "COLLECT",
    "FIELD_TYPES",
    "Action",
    "Entity",
    "Field",
    "FieldType",
    "Index",
    "Model",
    "OnDelete",
    "SpecFile",
]

FieldType = Literal[
    "uuid", "string", "text", "integer", "float", "boolean", "datetime", "date", "enum", "json",
    "ref",
]  # fmt: skip
OnDelete = Literal["cascade", "restrict", "set_null"]
FIELD_TYPES: tuple[str, ...] = typing.get_args(FieldType)
COLLECT = "issuebot_collect"  # validation context key: report problems instead of raising


class Model(BaseModel):
    """Frozen, and unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Field(Model):
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
    renamed_from: StrictStr | None = None
    entity: StrictStr | None = None  # a `ref` field's target entity
    on_delete: OnDelete | None = None  # a `ref` field's rule; None means "restrict"

    @property
    def delete_rule(self) -> OnDelete:
        """What deleting the referenced row does to this one (`ref` fields)."""
        return self.on_delete or "restrict"

    @property
    def column(self) -> str:
        """Its column and API key: a ref `source` is stored and sent as `source_id`."""
        return self.name + REF_SUFFIX if self.type == "ref" else self.name

    @property
    def server_managed(self) -> bool:
        """Set by the server (`id`, timestamps), never accepted from clients."""
        return self.primary_key or self.auto_now_add or self.auto_now


class Index(Model):
    """A (possibly unique) index over one or more fields."""

    fields: tuple[StrictStr, ...]
    unique: StrictBool = False


class Action(Model):
    """A custom POST endpoint (`/raw-data-sources/{id}/sync` or `/raw-data-sources/sync-all`)."""

    name: StrictStr
    scope: Literal["item", "collection"] = "item"
    description: StrictStr | None = None
    # A second call while one runs on the same item is refused (409) unless this is true.
    concurrent: StrictBool = False
    # The API key scope a caller needs (admin by default: actions have side effects).
    requires: Literal["read", "write", "admin"] = "admin"


AUTO_FIELDS = (
    Field(name="id", type="uuid", primary_key=True),
    Field(name="created_at", type="datetime", auto_now_add=True),
    Field(name="updated_at", type="datetime", auto_now=True),
)


class Entity(Model):
    """One entity: its fields, indexes and custom actions."""

    name: StrictStr
    layer: StrictStr = "domain"
    description: StrictStr | None = None
    renamed_from: StrictStr | None = None
    fields: tuple[Field, ...]
    indexes: tuple[Index, ...] = ()
    actions: tuple[Action, ...] = ()
    # The request's "UI requirements" text: the workbench header shows it (as text, never HTML).
    ui_requirements: StrictStr | None = None

    @field_validator("ui_requirements")
    @classmethod
    def _printable(cls, value: str | None) -> str | None:
        """Checked like a description (bounded, no control characters) whatever the context."""
        if value is not None:
            problems = text_problems(
                value, "ui_requirements", limit=MAX_DESCRIPTION, multiline=True
            )
            if problems:
                raise ValueError("; ".join(p.message for p in problems))
        return value

    @model_validator(mode="after")
    def _semantics(self, info: ValidationInfo) -> Self:
        if not (isinstance(info.context, dict) and info.context.get(COLLECT)):
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


class SpecFile(Model):
    """`specs/entities.json`: a versioned list of entities."""

    version: Literal[1]
    entities: tuple[Entity, ...] = ()

    @model_validator(mode="after")
    def _semantics(self, info: ValidationInfo) -> Self:
        if not (isinstance(info.context, dict) and info.context.get(COLLECT)):
            problems = entity_checks.spec_problems(self)
            if problems:
                raise ValueError("; ".join(p.render() for p in problems))
        return self

    @classmethod
    def empty(cls) -> SpecFile:
        """A spec with no entities yet."""
        return cls(version=1)

    def upsert(self, entity: Entity) -> SpecFile:
        """Add `entity`, or replace the one with its name (or the one it was renamed from) in
        place (order is kept)."""
        entities = list(self.entities)
        names = [e.name for e in entities]
        if entity.name not in names and entity.renamed_from in names:
            names[names.index(entity.renamed_from)] = entity.name
        for i, name in enumerate(names):
            if name == entity.name:
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
