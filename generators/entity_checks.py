"""Rules across fields of one entity and across entities: names, indexes, actions, tables."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from generators import naming, relations
from generators.checks import (
    MAX_ACTIONS,
    MAX_DESCRIPTION,
    MAX_FIELDS,
    MAX_INDEXES,
    REF_SUFFIX,
    field_problems,
    text_problems,
)
from generators.problem import Problem, show

EXPAND = "expand"  # the query parameter that embeds referenced rows
# `pk_<table>` must fit PostgreSQL's 63-character identifiers.
MAX_TABLE = naming.MAX_NAME - 3

if TYPE_CHECKING:
    from generators.model import Action, Entity, Field, Index, SpecFile


@dataclass(frozen=True)
class Parts:
    """An entity's well-formed parts, each with its position; broken parts are left out.

    Lets one pass report a bad name or index next to a field whose shape is broken.
    """

    name: str | None
    layer: str | None
    description: str | None
    fields: tuple[tuple[int, Field], ...]
    indexes: tuple[tuple[int, Index], ...] = ()
    actions: tuple[tuple[int, Action], ...] = ()
    unreadable: frozenset[str] = frozenset()  # names of fields whose shape is broken
    field_list: bool = True  # whether `fields` was a list at all

    @classmethod
    def of(cls, entity: Entity) -> Parts:
        """Every part of a well-formed entity."""
        return cls(
            entity.name,
            entity.layer,
            entity.description,
            tuple(enumerate(entity.fields)),
            tuple(enumerate(entity.indexes)),
            tuple(enumerate(entity.actions)),
        )


def entity_problems(entity: Entity) -> list[Problem]:
    """Every rule of one entity; paths are relative to it (`fields[3].default`)."""
    problems = parts_problems(Parts.of(entity))
    if entity.renamed_from is not None:
        problems += [
            Problem("renamed_from", p.message, p.hint) for p in _name_problems(entity.renamed_from)
        ]
    return problems


def parts_problems(parts: Parts) -> list[Problem]:
    """Every rule that the well-formed parts of an entity can be checked against."""
    problems = [] if parts.name is None else _name_problems(parts.name)
    if parts.layer is not None:
        problems += text_problems(parts.layer, "layer", limit=naming.MAX_NAME)
        if not naming.is_snake_case(parts.layer):
            problems.append(
                Problem(
                    "layer",
                    f"{show(parts.layer)} is not a snake_case name",
                    "use e.g. 'domain' or 'infrastructure'",
                )
            )
    if parts.description is not None:
        problems += text_problems(
            parts.description, "description", limit=MAX_DESCRIPTION, multiline=True
        )
    if parts.field_list and not parts.fields and not parts.unreadable:
        problems.append(Problem("fields", "an entity needs at least one field", "add a field"))
    if len(parts.fields) > MAX_FIELDS:
        return [
            *problems,
            Problem("fields", f"has {len(parts.fields)} fields", f"keep ≤ {MAX_FIELDS}"),
        ]
    first, found = _field_name_problems(parts.fields)
    known: dict[str, Field | None] = dict.fromkeys(parts.unreadable)
    known.update((name, field) for name, (_, field) in first.items())
    problems += found + _key_problems(first) + _index_problems(parts.indexes, known)
    return problems + _action_problems(parts.actions)


def api_keys(field: Field) -> tuple[str, ...]:
    """The keys a field takes in API answers: a ref `source` is `source_id`, and `source`
    when expanded."""
    return (field.name + REF_SUFFIX, field.name) if field.type == "ref" else (field.name,)


def _key_problems(first: dict[str, tuple[int, Field]]) -> list[Problem]:
    """A ref's `<name>_id` column and its expansion key must not be another field's name."""
    problems: list[Problem] = []
    owners: dict[str, str] = {}
    attributes: dict[str, str] = {}
    refs = {name for name, (_, f) in first.items() if f.type == "ref"}
    has_refs = bool(refs)
    for name, (i, field) in first.items():
        for key in api_keys(field):
            other = owners.get(key) or attributes.get(naming.python_attribute(key))
            involved = field.type == "ref" or (other is not None and other in refs)
            if other is not None and other != name and involved:
                problems.append(
                    Problem(
                        f"fields[{i}].name",
                        f"{show(name)} would answer with the key {show(key)}, "
                        f"which {show(other)} uses too",
                        "rename one of them: a ref 'x' is sent and read as 'x_id'",
                    )
                )
            owners.setdefault(key, name)
            attributes.setdefault(naming.python_attribute(key), name)
        if has_refs and name == EXPAND:
            problems.append(
                Problem(
                    f"fields[{i}].name",
                    f"{show(EXPAND)} is a query parameter of an entity with refs",
                    f"rename it, e.g. '{EXPAND}_value'",
                )
            )
    return problems


def _name_problems(name: str) -> list[Problem]:
    problems = text_problems(name, "name", limit=naming.MAX_NAME)
    if not problems and not naming.is_pascal_case(name):
        pascal = "".join(w[:1].upper() + w[1:] for w in naming.snake_case(name).split("_"))
        problems.append(
            Problem(
                "name",
                f"{show(name)} is not a PascalCase name",
                f"use e.g. {show(pascal or 'MyEntity')}",
            )
        )
    if name in naming.RESERVED_ENTITIES:
        problems.append(
            Problem("name", f"{name} is a class of the generated service", "choose another name")
        )
    table = naming.table_name(name)
    if len(table) > MAX_TABLE:
        problems.append(
            Problem("name", f"its table name {table} is over {MAX_TABLE} characters", "shorten it")
        )
    return problems


def _field_name_problems(
    fields: Iterable[tuple[int, Field]],
) -> tuple[dict[str, tuple[int, Field]], list[Problem]]:
    """Each field's own rules, duplicates and Python-name collisions; the first of each name."""
    problems: list[Problem] = []
    first: dict[str, tuple[int, Field]] = {}
    attributes: dict[str, str] = {}
    for i, field in fields:
        problems += field_problems(field, f"fields[{i}]")
        if field.name in first:
            problems.append(
                Problem(
                    f"fields[{i}].name",
                    f"duplicate field {show(field.name)} (first at fields[{first[field.name][0]}])",
                    "rename or remove one",
                )
            )
            continue
        first[field.name] = (i, field)
        attribute = naming.python_attribute(field.name)
        if attribute in attributes and attributes[attribute] != field.name:
            problems.append(
                Problem(
                    f"fields[{i}].name",
                    f"{show(field.name)} collides with the Python name of "
                    f"{show(attributes[attribute])}",
                    "rename one of them",
                )
            )
        attributes[attribute] = field.name
    return first, problems


def _index_problems(
    indexes: tuple[tuple[int, Index], ...], fields: dict[str, Field | None]
) -> list[Problem]:
    if len(indexes) > MAX_INDEXES:
        return [Problem("indexes", f"has {len(indexes)} indexes", f"keep ≤ {MAX_INDEXES}")]
    problems = []
    for k, index in indexes:
        if not index.fields:
            problems.append(
                Problem(
                    f"indexes[{k}].fields",
                    "an index needs at least one field",
                    "list the fields to index",
                )
            )
        for m, name in enumerate(index.fields):
            where = f"indexes[{k}].fields[{m}]"
            if name not in fields:
                known = ", ".join(fields) or "none"
                problems.append(
                    Problem(
                        where,
                        f"index on missing field {show(name)}",
                        f"declared fields: {known}"[:300],
                    )
                )
            elif (field := fields[name]) is not None and field.type == "json":
                problems.append(
                    Problem(
                        where, f"cannot index json field {show(name)}", "remove it from the index"
                    )
                )
            if name in index.fields[:m]:
                problems.append(
                    Problem(where, f"field {show(name)} appears twice in the index", "list it once")
                )
    return problems


def _action_problems(actions: tuple[tuple[int, Action], ...]) -> list[Problem]:
    if len(actions) > MAX_ACTIONS:
        return [Problem("actions", f"has {len(actions)} actions", f"keep ≤ {MAX_ACTIONS}")]
    problems = []
    seen: dict[str, int] = {}
    for k, action in actions:
        where = f"actions[{k}].name"
        bad = text_problems(action.name, where, limit=naming.MAX_NAME)
        if not bad and not naming.is_action_name(action.name):
            bad.append(
                Problem(
                    where,
                    f"{show(action.name)} is not an action name",
                    "use lowercase words joined by - or _, e.g. 'sync-all'",
                )
            )
        problems += bad
        key = naming.snake_case(action.name)
        if key in seen:
            problems.append(
                Problem(
                    where,
                    f"duplicate action {show(action.name)} (first at actions[{seen[key]}])",
                    "rename or remove one",
                )
            )
        seen.setdefault(key, k)
        if action.description is not None:
            problems += text_problems(
                action.description,
                f"actions[{k}].description",
                limit=MAX_DESCRIPTION,
                multiline=True,
            )
    return problems


def spec_problems(spec: SpecFile) -> list[Problem]:
    """Rules across entities: unique names, tables and URL paths, references."""
    problems = entity_name_problems(enumerate(entity.name for entity in spec.entities))
    return problems + reference_problems(tuple(enumerate(spec.entities)))


def entity_name_problems(names: Iterable[tuple[int, str]]) -> list[Problem]:
    """Entities whose table and URL path an earlier entity already takes, by position."""
    problems = []
    tables: dict[str, str] = {}
    for i, name in names:
        table = naming.table_name(name)
        if table in tables:
            problems.append(
                Problem(
                    f"entities[{i}].name",
                    f"{name} collides with {tables[table]} "
                    f"(both become /{naming.kebab_plural(name)})",
                    "rename one of them",
                )
            )
        tables.setdefault(table, name)
    return problems


def reference_problems(
    entities: Sequence[tuple[int, Entity]], names: Collection[str] | None = None
) -> list[Problem]:
    """Refs across entities: known targets, no cycle of required refs, free nested routes.

    `names` are every declared entity name (including ones whose definition is broken), so a
    ref to a broken entity is not also reported as unknown.
    """
    declared = set(names if names is not None else (e.name for _, e in entities))
    position = {e.name: i for i, e in entities}
    problems: list[Problem] = []
    refs: list[relations.Ref] = []
    for i, entity in entities:
        for j, field in enumerate(entity.fields):
            if field.type != "ref" or field.entity is None:
                continue
            if field.entity not in declared:
                known = ", ".join(sorted(declared)) or "none"
                problems.append(
                    Problem(
                        f"entities[{i}].fields[{j}].entity",
                        f"unknown entity {show(field.entity)}",
                        f"declared entities: {known}"[:300],
                    )
                )
            else:
                refs.append(relations.Ref(entity.name, field))
    for cycle in relations.cycles([e.name for _, e in entities], refs):
        first = cycle[0]
        fields = _entity(entities, first.source).fields
        j = next(k for k, f in enumerate(fields) if f is first.field)
        chain = ", ".join(f"{r.source}.{r.field.name} → {r.target}" for r in cycle)
        if all(r.field.required for r in cycle):
            message = f"required refs form a cycle ({chain}): no row could ever be created first"
            hint = 'make one of these refs optional: drop "required"'
        else:
            message = f"refs form a cycle through several entities ({chain})"
            hint = (
                "keep the ref on one side only, or link the two through an entity of its own "
                "with a ref to each; a ref to the entity itself, a tree, is fine"
            )
        where = f"entities[{position[first.source]}].fields[{j}]"
        problems.append(Problem(where, message, hint))
    return problems + _nested_route_problems(entities, refs)


def _entity(entities: Sequence[tuple[int, Entity]], name: str) -> Entity:
    return next(e for _, e in entities if e.name == name)


def _nested_route_problems(
    entities: Sequence[tuple[int, Entity]], refs: Sequence[relations.Ref]
) -> list[Problem]:
    """`GET /parents/{id}/<children>` must not be an item action of the parent."""
    problems = []
    for i, entity in entities:
        actions = {a.name: k for k, a in enumerate(entity.actions) if a.scope == "item"}
        for segment in nested_segments(entity.name, refs):
            if segment in actions:
                problems.append(
                    Problem(
                        f"entities[{i}].actions[{actions[segment]}].name",
                        f"/{naming.kebab_plural(entity.name)}/{{id}}/{segment} already lists "
                        "the rows that reference it",
                        "rename the action",
                    )
                )
    return problems


def nested_segments(parent: str, refs: Iterable[relations.Ref]) -> dict[str, relations.Ref]:
    """The URL segment under `/parents/{id}/` of each ref to `parent`: the child's kebab plural,
    or `<plural>-by-<ref>` when one child refers to the parent more than once."""
    into = [r for r in refs if r.target == parent]
    counts: dict[str, int] = {}
    for ref in into:
        counts[ref.source] = counts.get(ref.source, 0) + 1
    segments: dict[str, relations.Ref] = {}
    for ref in into:
        segment = naming.kebab_plural(ref.source)
        if counts[ref.source] > 1:
            segment += "-by-" + ref.field.name.replace("_", "-")
        segments[segment] = ref
    return segments
