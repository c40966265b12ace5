"""Typed views of a validated spec: every derived name the templates need, computed once, here."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from pydantic import JsonValue

from bot.errors import GenerationError
from generators import naming, relations
from generators.entity_checks import nested_segments
from generators.model import Entity, Field
from generators.samples import Samples, fixture_id, samples_for

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
    "ref": "uuid.UUID",
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
        return self.type in ("enum", "boolean", "ref") and not self.spec.sensitive

    @property
    def sortable(self) -> bool:
        return self.type in SCALAR and self.type != "ref" and not self.spec.sensitive

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
class Target:
    """The entity a ref points at, as the referring entity's files need it."""

    name: str
    snake: str
    table: str
    path: str
    label: str
    rows: tuple[dict[str, JsonValue], ...]  # its sample rows (a fresh parent in delete tests)
    capacity: int


@dataclass(frozen=True)
class RefView:
    """A `ref` field: the `<name>_id` column, its foreign key, and what it points at."""

    source: str
    field: FieldView
    name: str  # the `?expand=` value and the key of the embedded row
    attr: str
    target: Target
    on_delete: str
    fk_name: str
    ix_name: str
    fixture: str | None  # the parent id the sample rows use (None: left empty in tests)
    segment: str  # `/<targets>/{id}/<segment>` lists the rows pointing at one target

    @property
    def self_ref(self) -> bool:
        return self.source == self.target.name

    @property
    def ondelete(self) -> str | None:
        """The SQL rule; restrict is NO ACTION in the database (checked at statement end, so
        a whole tree can be deleted at once) and enforced with a 409 by the API first."""
        return {"cascade": "CASCADE", "set_null": "SET NULL"}.get(self.on_delete)


@dataclass(frozen=True)
class ChildView:
    """Rows of another entity (or the same) that reference this one through one ref."""

    segment: str  # `/parents/{id}/<segment>`
    name: str
    snake: str
    path: str
    label: str
    plural_label: str
    ref: RefView


@dataclass(frozen=True)
class FixtureRow:
    """A parent row the generated tests insert first, so sample rows can refer to it."""

    name: str
    snake: str
    id: str
    row: dict[str, JsonValue]


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
    refs: tuple[RefView, ...] = ()
    children: tuple[ChildView, ...] = ()
    fixtures: tuple[FixtureRow, ...] = ()

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
    def expansions(self) -> tuple[str, ...]:
        return tuple(r.name for r in self.refs)

    @property
    def targets(self) -> tuple[Target, ...]:
        """Other entities this one's API imports (for existence checks and expansion)."""
        seen: dict[str, Target] = {}
        for ref in self.refs:
            if ref.target.name != self.name:
                seen.setdefault(ref.target.name, ref.target)
        return tuple(seen.values())

    @property
    def child_entities(self) -> tuple[ChildView, ...]:
        """One child view per other entity whose rows reference this one (for imports)."""
        seen: dict[str, ChildView] = {}
        for child in self.children:
            if child.name != self.name:
                seen.setdefault(child.name, child)
        return tuple(seen.values())

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
    return FieldView(field, field.column, naming.python_attribute(field.column), enum_type)


def _constraints(
    table: str, entity: Entity, by_name: dict[str, FieldView]
) -> tuple[tuple[IndexView, ...], tuple[IndexView, ...]]:
    column = {f.name: f.column for f in entity.fields}
    groups: list[tuple[tuple[str, ...], bool]] = [
        ((f.column,), True) for f in entity.fields if f.unique
    ]
    groups += [(tuple(column[n] for n in i.fields), i.unique) for i in entity.indexes]
    # every foreign key gets an index (joins, the nested route, the delete checks) unless a
    # declared index or unique constraint already starts with its column
    groups += [
        ((f.column,), False)
        for f in entity.fields
        if f.type == "ref" and not any(g[0][:1] == (f.column,) for g in groups)
    ]
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


@dataclass(frozen=True)
class Graph:
    """What one entity's view needs to know of the others: the reference graph."""

    entities: dict[str, Entity]
    refs: tuple[relations.Ref, ...]
    samples: dict[str, Samples]

    @classmethod
    def of(cls, entities: tuple[Entity, ...]) -> Graph:
        by_name = {e.name: e.with_auto_fields() for e in entities}
        refs = tuple(r for e in entities for r in relations.refs_of(e) if r.target in by_name)
        graph = cls(by_name, refs, {})
        for entity in by_name.values():
            graph.samples[entity.name] = graph.samples_of(entity)
        return graph

    def sampled(self, ref: relations.Ref) -> bool:
        return relations.is_sampled(ref, self.entities)

    def ref_values(self, entity: Entity) -> dict[str, str | None]:
        return {
            r.field.name: fixture_id(r.target) if self.sampled(r) else None
            for r in self.refs
            if r.source == entity.name
        }

    def samples_of(self, entity: Entity) -> Samples:
        table = naming.table_name(entity.name)
        fields = tuple(_field_view(table, f) for f in entity.fields)
        uniques, _ = _constraints(table, entity, {f.name: f for f in fields})
        return samples_for(entity, uniques, self.ref_values(entity))

    def fixtures(self, name: str) -> tuple[FixtureRow, ...]:
        """Parent rows (transitively) that `name`'s sample rows need, parents first."""
        needed: list[str] = []
        stack = [name]
        while stack:
            current = stack.pop()
            for ref in self.refs:
                if ref.source == current and self.sampled(ref) and ref.target not in needed:
                    needed.append(ref.target)
                    stack.append(ref.target)
        order = relations.creation_order(list(self.entities), self.refs)
        return tuple(
            FixtureRow(n, naming.snake_case(n), fixture_id(n), self.samples[n].rows[0])
            for n in order
            if n in needed
        )

    def target(self, name: str) -> Target:
        table = naming.table_name(name)
        samples = self.samples[name]
        return Target(
            name,
            naming.snake_case(name),
            table,
            naming.kebab_plural(name),
            naming.words(name),
            samples.rows,
            samples.capacity,
        )


def _ref_view(graph: Graph, ref: relations.Ref, fields: dict[str, FieldView]) -> RefView:
    table = naming.table_name(ref.source)
    column = ref.field.column
    sampled = graph.sampled(ref)
    return RefView(
        source=ref.source,
        field=fields[column],
        name=ref.field.name,
        attr=naming.python_attribute(ref.field.name),
        target=graph.target(ref.target),
        on_delete=ref.field.delete_rule,
        fk_name=naming.db_name(f"fk_{table}_{column}"),
        ix_name=naming.db_name(f"ix_{table}_{column}"),
        fixture=fixture_id(ref.target) if sampled else None,
        segment=next(s for s, r in nested_segments(ref.target, graph.refs).items() if r is ref),
    )


def entity_view(entity: Entity, down_revision: str, graph: Graph | None = None) -> EntityView:
    """Derive every name of one (validated) entity (`graph`: the spec it belongs to)."""
    entity = entity.with_auto_fields()
    graph = graph or Graph.of((entity,))
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
    refs = tuple(_ref_view(graph, r, by_name) for r in graph.refs if r.source == entity.name)
    children = []
    for segment, ref in nested_segments(entity.name, graph.refs).items():
        child = graph.entities[ref.source]
        child_fields = {
            f.column: _field_view(naming.table_name(child.name), f) for f in child.fields
        }
        child_table = naming.table_name(child.name)
        children.append(
            ChildView(
                segment=segment,
                name=child.name,
                snake=naming.snake_case(child.name),
                path=naming.kebab_plural(child.name),
                label=naming.words(child.name),
                plural_label=child_table.replace("_", " "),
                ref=_ref_view(graph, ref, child_fields),
            )
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
        samples=graph.samples.get(entity.name) or graph.samples_of(entity),
        refs=refs,
        children=tuple(children),
        fixtures=graph.fixtures(entity.name),
    )


def entity_views(entities: tuple[Entity, ...]) -> list[EntityView]:
    """Views of all entities in table creation order (parents before the tables that refer to
    them; spec order otherwise), chained into one linear migration history in that order."""
    graph = Graph.of(entities)
    by_name = {e.name: e for e in entities}

    order = relations.creation_order([e.name for e in entities], graph.refs)
    views: list[EntityView] = []
    down = SERVICE_REVISION
    for name in order:
        view = entity_view(by_name[name], down, graph)
        views.append(view)
        down = view.revision
    _refuse_name_clashes(views)
    return views


def refuse_unknown_targets(entities: tuple[Entity, ...]) -> None:
    """A whole spec's refs must name its entities (one entity alone may point elsewhere)."""
    names = {e.name for e in entities}
    for ref in (r for e in entities for r in relations.refs_of(e)):
        if ref.target not in names:
            raise GenerationError(
                f"{ref.source}.{ref.field.name} refers to {ref.target}, which the spec lacks",
                hint=f"add the {ref.target} entity, or remove the ref",
            )


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
        names += [r.fk_name for r in view.refs]
        for name in names:
            if name in seen:
                raise GenerationError(
                    f"{view.name} and {seen[name]} would both create a database object {name}",
                    hint="rename a field or an entity",
                )
            seen[name] = view.name
