"""Rules across fields of one entity and across entities: names, indexes, actions, tables."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from generators import naming
from generators.checks import (
    MAX_ACTIONS,
    MAX_DESCRIPTION,
    MAX_FIELDS,
    MAX_INDEXES,
    field_problems,
    text_problems,
)
from generators.problem import Problem, show

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
    problems += found + _index_problems(parts.indexes, known)
    return problems + _action_problems(parts.actions)


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
    """Rules across entities: unique names, tables and URL paths."""
    return entity_name_problems(enumerate(entity.name for entity in spec.entities))


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
