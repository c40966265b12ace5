"""Rules across fields of one entity and across entities: names, indexes, actions, tables."""

from __future__ import annotations

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
    from generators.spec import Entity, SpecFile


def entity_problems(entity: Entity) -> list[Problem]:
    """Every rule of one entity; paths are relative to it (`fields[3].default`)."""
    problems = text_problems(entity.name, "name", limit=naming.MAX_NAME)
    if not problems and not naming.is_pascal_case(entity.name):
        pascal = "".join(w[:1].upper() + w[1:] for w in naming.snake_case(entity.name).split("_"))
        problems.append(
            Problem(
                "name",
                f"{show(entity.name)} is not a PascalCase name",
                f"use e.g. {show(pascal or 'MyEntity')}",
            )
        )
    if entity.name in naming.RESERVED_ENTITIES:
        problems.append(
            Problem(
                "name", f"{entity.name} is a class of the generated service", "choose another name"
            )
        )
    table = naming.table_name(entity.name)
    if len(table) > MAX_TABLE:
        problems.append(
            Problem("name", f"its table name {table} is over {MAX_TABLE} characters", "shorten it")
        )
    problems += text_problems(entity.layer, "layer", limit=naming.MAX_NAME)
    if not naming.is_snake_case(entity.layer):
        problems.append(
            Problem(
                "layer",
                f"{show(entity.layer)} is not a snake_case name",
                "use e.g. 'domain' or 'infrastructure'",
            )
        )
    if entity.description is not None:
        problems += text_problems(
            entity.description, "description", limit=MAX_DESCRIPTION, multiline=True
        )
    if not entity.fields:
        problems.append(Problem("fields", "an entity needs at least one field", "add a field"))
    if len(entity.fields) > MAX_FIELDS:
        return [
            *problems,
            Problem("fields", f"has {len(entity.fields)} fields", f"keep ≤ {MAX_FIELDS}"),
        ]
    first: dict[str, int] = {}
    attributes: dict[str, str] = {}
    for i, field in enumerate(entity.fields):
        problems += field_problems(field, f"fields[{i}]")
        if field.name in first:
            problems.append(
                Problem(
                    f"fields[{i}].name",
                    f"duplicate field {show(field.name)} (first at fields[{first[field.name]}])",
                    "rename or remove one",
                )
            )
            continue
        first[field.name] = i
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
    return problems + _index_problems(entity, first) + _action_problems(entity)


def _index_problems(entity: Entity, fields: dict[str, int]) -> list[Problem]:
    if len(entity.indexes) > MAX_INDEXES:
        return [Problem("indexes", f"has {len(entity.indexes)} indexes", f"keep ≤ {MAX_INDEXES}")]
    problems = []
    for k, index in enumerate(entity.indexes):
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
            elif entity.fields[fields[name]].type == "json":
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


def _action_problems(entity: Entity) -> list[Problem]:
    if len(entity.actions) > MAX_ACTIONS:
        return [Problem("actions", f"has {len(entity.actions)} actions", f"keep ≤ {MAX_ACTIONS}")]
    problems = []
    seen: dict[str, int] = {}
    for k, action in enumerate(entity.actions):
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
    problems = []
    tables: dict[str, int] = {}
    for i, entity in enumerate(spec.entities):
        table = naming.table_name(entity.name)
        if table in tables:
            other = spec.entities[tables[table]].name
            problems.append(
                Problem(
                    f"entities[{i}].name",
                    f"{entity.name} collides with {other} "
                    f"(both become /{naming.kebab_plural(entity.name)})",
                    "rename one of them",
                )
            )
        tables.setdefault(table, i)
    return problems
