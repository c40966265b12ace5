"""Typed views of a validated spec: every derived name the templates need, computed once, here."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from pydantic import JsonValue

from bot.errors import GenerationError
from generators import naming
from generators.model import Entity, Field
from generators.samples import Samples, samples_for

PY_TYPES = {
    "uuid": "uuid.UUID",
    "string": "str",
    "text": "str",
    "integer": "int",
    "float": "float",
    "boolean": "bool",
    "datetime": "dt.datetime",
    "date": "dt.date",
    "json": "typing.Any",
}
SCALAR = frozenset(PY_TYPES) - {"json"}


@dataclass(frozen=True)
class FieldView:
    """One field as the templates see it: JSON/column name, Python attribute, flags."""

    spec: Field
    name: str
    attr: str
    enum_type: str

    @property
    def type(self) -> str:
        return self.spec.type

    @property
    def aliased(self) -> bool:
        return self.attr != self.name

    @property
    def managed(self) -> bool:
        return self.spec.server_managed

    @property
    def nullable(self) -> bool:
        """NULL allowed: optional fields without a default."""
        return not (self.managed or self.spec.required or self.spec.default is not None)

    @property
    def has_default(self) -> bool:
        return self.spec.default is not None

    @property
    def default(self) -> JsonValue:
        return self.spec.default

    @property
    def filterable(self) -> bool:
        return self.type in ("enum", "boolean") and not self.spec.sensitive

    @property
    def sortable(self) -> bool:
        return self.type in SCALAR and not self.spec.sensitive

    @property
    def py_type(self) -> str:
        """The annotation (enum Literals are spelled by the template with the `py` filter)."""
        return PY_TYPES.get(self.type, "str")


@dataclass(frozen=True)
class IndexView:
    """A named index or unique constraint over columns."""

    name: str
    columns: tuple[str, ...]
    fields: tuple[FieldView, ...]


@dataclass(frozen=True)
class ActionView:
    """A custom action: URL segment, Python function names, scope."""

    name: str
    func: str
    hook: str
    scope: str
    description: str | None
    concurrent: bool = False
    requires: str = "admin"


@dataclass(frozen=True)
class EntityView:
    """One entity with every name the generated service uses for it."""

    spec: Entity
    name: str
    snake: str
    table: str
    path: str
    label: str
    plural_label: str
    fields: tuple[FieldView, ...]
    uniques: tuple[IndexView, ...]
    indexes: tuple[IndexView, ...]
    actions: tuple[ActionView, ...]
    revision: str
    down_revision: str
    samples: Samples

    @property
    def inputs(self) -> tuple[FieldView, ...]:
        """Fields a client may send."""
        return tuple(f for f in self.fields if not f.managed)

    @property
    def outputs(self) -> tuple[FieldView, ...]:
        """Fields a client may read (never the sensitive ones)."""
        return tuple(f for f in self.fields if not f.spec.sensitive)

    @property
    def filters(self) -> tuple[FieldView, ...]:
        return tuple(f for f in self.fields if f.filterable)

    @property
    def sort_keys(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.sortable)

    @property
    def enums(self) -> tuple[FieldView, ...]:
        return tuple(f for f in self.fields if f.type == "enum")

    @property
    def sensitive(self) -> tuple[FieldView, ...]:
        return tuple(f for f in self.fields if f.spec.sensitive)

    @property
    def item_actions(self) -> tuple[ActionView, ...]:
        return tuple(a for a in self.actions if a.scope == "item")

    @property
    def collection_actions(self) -> tuple[ActionView, ...]:
        return tuple(a for a in self.actions if a.scope == "collection")


def revision_id(table: str) -> str:
    """A deterministic Alembic revision id: stable across runs and machines."""
    return hashlib.sha256(f"issuebot:{table}".encode()).hexdigest()[:12]


BASE_REVISION = revision_id("action_requests")
# Service tables (action runs, API keys) of every new repository: the revision after the base.
# Repositories generated before it exist get the same tables appended by the history machinery.
SERVICE_REVISION = revision_id("action_runs")


def _field_view(table: str, field: Field) -> FieldView:
    enum_type = naming.db_name(f"{table}_{field.name}_enum") if field.type == "enum" else ""
    return FieldView(field, field.name, naming.python_attribute(field.name), enum_type)


def _constraints(
    table: str, entity: Entity, by_name: dict[str, FieldView]
) -> tuple[tuple[IndexView, ...], tuple[IndexView, ...]]:
    groups: list[tuple[tuple[str, ...], bool]] = [
        ((f.name,), True) for f in entity.fields if f.unique
    ]
    groups += [(tuple(i.fields), i.unique) for i in entity.indexes]
    seen: set[tuple[tuple[str, ...], bool]] = set()
    uniques: list[IndexView] = []
    indexes: list[IndexView] = []
    for columns, unique in groups:
        if (columns, unique) in seen:
            continue
        seen.add((columns, unique))
        prefix = "uq" if unique else "ix"
        name = naming.db_name(f"{prefix}_{table}_{'_'.join(columns)}")
        view = IndexView(name, columns, tuple(by_name[c] for c in columns))
        (uniques if unique else indexes).append(view)
    return tuple(uniques), tuple(indexes)


def entity_view(entity: Entity, down_revision: str) -> EntityView:
    """Derive every name of one (validated) entity."""
    entity = entity.with_auto_fields()
    table = naming.table_name(entity.name)
    fields = tuple(_field_view(table, f) for f in entity.fields)
    by_name = {f.name: f for f in fields}
    uniques, indexes = _constraints(table, entity, by_name)
    actions = tuple(
        ActionView(
            a.name,
            "action_" + naming.snake_case(a.name),
            "on_" + naming.snake_case(a.name),
            a.scope,
            a.description,
            a.concurrent,
            a.requires,
        )
        for a in entity.actions
    )
    return EntityView(
        spec=entity,
        name=entity.name,
        snake=naming.snake_case(entity.name),
        table=table,
        path=naming.kebab_plural(entity.name),
        label=naming.words(entity.name),
        plural_label=table.replace("_", " "),
        fields=fields,
        uniques=uniques,
        indexes=indexes,
        actions=actions,
        revision=revision_id(table),
        down_revision=down_revision,
        samples=samples_for(entity, uniques),
    )


def entity_views(entities: tuple[Entity, ...]) -> list[EntityView]:
    """Views of all entities, chained into one linear migration history in spec order."""
    views: list[EntityView] = []
    down = SERVICE_REVISION
    for entity in entities:
        view = entity_view(entity, down)
        views.append(view)
        down = view.revision
    _refuse_name_clashes(views)
    return views


def _refuse_name_clashes(views: list[EntityView]) -> None:
    """Tables, indexes, constraints and enum types share PostgreSQL namespaces: no repeats."""
    seen: dict[str, str] = {
        "action_requests": "ActionRequest",
        "pk_action_requests": "ActionRequest",
        "action_runs": "ActionRun",
        "pk_action_runs": "ActionRun",
        "api_keys": "ApiKey",
        "pk_api_keys": "ApiKey",
    }
    for view in views:
        names = [view.table, f"pk_{view.table}"]
        names += [c.name for c in (*view.uniques, *view.indexes)]
        names += [f.enum_type for f in view.enums]
        for name in names:
            if name in seen:
                raise GenerationError(
                    f"{view.name} and {seen[name]} would both create a database object {name}",
                    hint="rename a field or an entity",
                )
            seen[name] = view.name
