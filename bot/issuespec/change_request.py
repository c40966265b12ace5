"""A change request read from an issue: every name it uses is checked before the entity is rebuilt.

The block ``{"change": "Widget", "add": [...], "remove": [...], "rename": {...}, "update": {...},
"entity": {...}}`` (or ``{"change": "Widget", "remove_entity": true}``) is strangers' text: each
name must be an identifier and must name something the repository ships (an added field must
not), so a typo is a problem with its path, never a crash. The rebuilt entity is validated
exactly like an ordinary request's definition.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.issuespec.assemble import build_entity
from bot.issuespec.change import EntityChange, changed_definition, entity_change
from generators import naming
from generators.model import Field
from generators.problem import show
from generators.spec import Entity, Problem, SpecFile

CHANGE_KEYS = ("change", "add", "remove", "rename", "update", "entity", "remove_entity")
ENTITY_KEYS = ("name", "description", "layer", "indexes", "actions")
FIELD_KEYS = tuple(k for k in Field.model_fields if k not in {"name", "renamed_from"})
AUTO_FIELDS = ("id", "created_at", "updated_at")
MAX_CHANGES = 200  # as many as an entity may have fields
MAX_LISTED = 10


@dataclass(frozen=True)
class ResolvedChange:
    """The entity a change request yields over the shipped one, or the problems in the way."""

    entity: Entity | None
    problems: list[Problem] = field(default_factory=list)
    change: EntityChange | None = None


def is_change_request(data: object) -> bool:
    """Whether a decoded definition block is a change request (it names the entity it changes)."""
    return isinstance(data, dict) and "change" in data


def _listed(names: Sequence[str]) -> str:
    shown = ", ".join(names[:MAX_LISTED])
    return shown + (f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else "")


def _is_field_name(value: object) -> bool:
    return isinstance(value, str) and naming.is_snake_case(value)


def _shape_problems(data: dict[str, Any]) -> list[Problem]:
    """The block's own shape: known keys, lists and objects where they belong, names as text."""
    problems = [
        Problem(show(key), "is not a key of a change request", f"use {', '.join(CHANGE_KEYS)}")
        for key in data
        if key not in CHANGE_KEYS
    ]
    if not (isinstance(data["change"], str) and naming.is_pascal_case(data["change"])):
        problems.append(
            Problem("change", f"{show(data['change'])} is not an entity name", "e.g. 'Widget'")
        )
    if "remove_entity" in data:
        if data["remove_entity"] is not True:
            problems.append(
                Problem("remove_entity", "must be true", "leave the key out to keep the entity")
            )
        problems += [
            Problem(key, "cannot go with remove_entity", "file the removal as a request of its own")
            for key in data
            if key in CHANGE_KEYS[1:-1]
        ]
        return problems
    kinds = {"add": list, "remove": list, "rename": dict, "update": dict, "entity": dict}
    for key, kind in kinds.items():
        value = data.get(key, kind())
        if not isinstance(value, kind):
            problems.append(Problem(key, f"must be a{' list' if kind is list else 'n object'}"))
        elif len(value) > MAX_CHANGES:
            problems.append(Problem(key, f"has {len(value)} entries; at most {MAX_CHANGES}"))
    if problems:
        return problems
    for i, item in enumerate(data.get("add", [])):
        if not isinstance(item, dict) or not _is_field_name(item.get("name")):
            problems.append(
                Problem(
                    f"add[{i}]",
                    "must be a field with a snake_case name",
                    '{"name": "notes", "type": "text"}',
                )
            )
    for i, name in enumerate(data.get("remove", [])):
        if not _is_field_name(name):
            problems.append(Problem(f"remove[{i}]", f"{show(name)} is not a field name"))
    for old, new in data.get("rename", {}).items():
        if not _is_field_name(old) or not _is_field_name(new):
            problems.append(
                Problem(
                    f"rename.{show(old)}",
                    f"{show(old)} → {show(new)} is not a field rename",
                    '{"old_name": "new_name"}, both snake_case',
                )
            )
    for name, keys in data.get("update", {}).items():
        if not _is_field_name(name):
            problems.append(Problem(f"update.{show(name)}", f"{show(name)} is not a field name"))
        elif not isinstance(keys, dict):
            problems.append(Problem(f"update.{name}", "must be an object of field settings"))
        else:
            problems += [
                Problem(
                    f"update.{name}.{show(k)}",
                    "is not a field setting that can change",
                    f'use {", ".join(FIELD_KEYS)}; rename with "rename"',
                )
                for k in keys
                if k not in FIELD_KEYS
            ]
    for key in data.get("entity", {}):
        if key not in ENTITY_KEYS:
            problems.append(
                Problem(f"entity.{show(key)}", "cannot change", f"use {', '.join(ENTITY_KEYS)}")
            )
    return problems


def _reference_problems(data: dict[str, Any], old: Entity, shipped: SpecFile) -> list[Problem]:
    """Each field the request removes, renames or updates exists; each it adds does not."""
    problems: list[Problem] = []
    have = [f.name for f in old.fields]
    known = f"{old.name} has {_listed(have)}"

    def missing(path: str, name: str) -> None:
        problems.append(Problem(path, f"{old.name} has no field {show(name)}", known))

    def automatic(path: str, name: str) -> None:
        problems.append(Problem(path, f"{name} is managed by the generator and cannot change"))

    removed: set[str] = set()
    for i, name in enumerate(data.get("remove", [])):
        if name in AUTO_FIELDS:
            automatic(f"remove[{i}]", name)
        elif name not in have:
            missing(f"remove[{i}]", name)
        removed.add(name)
    renames: dict[str, str] = data.get("rename", {})
    for old_name in renames:
        if old_name in AUTO_FIELDS:
            automatic(f"rename.{old_name}", old_name)
        elif old_name not in have:
            missing(f"rename.{old_name}", old_name)
        elif old_name in removed:
            problems.append(Problem(f"rename.{old_name}", "is also removed; keep one of the two"))
    final = [renames.get(n, n) for n in have if n not in removed]
    for old_name, new_name in renames.items():
        if final.count(new_name) > 1:
            problems.append(
                Problem(f"rename.{old_name}", f"{old.name} already has a field {new_name}")
            )
    for name in data.get("update", {}):
        if name not in final:
            missing(f"update.{name}", name)
    for i, item in enumerate(data.get("add", [])):
        if item["name"] in final:
            problems.append(
                Problem(
                    f"add[{i}].name",
                    f"{old.name} already has a field {item['name']}",
                    'change it with "update" instead',
                )
            )
        final.append(item["name"])
    new_name = data.get("entity", {}).get("name", old.name)
    if not (isinstance(new_name, str) and naming.is_pascal_case(new_name)):
        problems.append(Problem("entity.name", f"{show(new_name)} is not an entity name"))
    elif new_name != old.name and new_name in {e.name for e in shipped.entities}:
        problems.append(Problem("entity.name", f"the repository already ships {new_name}"))
    return problems


def _blame_field(problem: Problem, entity: dict[str, Any]) -> Problem:
    """`fields[3].max_length` of the rebuilt entity, said as `Widget.title.max_length`."""
    head, _, rest = problem.path.partition("]")
    fields = entity.get("fields", [])
    if head.startswith("fields[") and head[7:].isdigit() and int(head[7:]) < len(fields):
        name = fields[int(head[7:])].get("name", "?")
        return Problem(f"{entity['name']}.{name}{rest}", problem.message, problem.hint)
    return Problem(f"{entity['name']}.{problem.path}".rstrip("."), problem.message, problem.hint)


def resolve_change(
    data: dict[str, Any], shipped: SpecFile | None, endpoints: Sequence[str] = ()
) -> ResolvedChange:
    """The changed entity over the one `shipped` holds, validated like any definition."""
    if shipped is None:
        return ResolvedChange(
            None,
            [
                Problem(
                    "change",
                    "a change request is checked against the repository's spec",
                    "file it on the repository; the bot reads the shipped entity there",
                )
            ],
        )
    problems = _shape_problems(data)
    if problems:
        return ResolvedChange(None, problems)
    names = [e.name for e in shipped.entities]
    if data["change"] not in names:
        return ResolvedChange(
            None,
            [
                Problem(
                    "change",
                    f"the repository ships no entity {data['change']}",
                    f"it ships {_listed(names)}" if names else "request the entity first",
                )
            ],
        )
    old = shipped.entity(data["change"])
    if data.get("remove_entity") is True:
        # Other entities' `ref` fields would block this; relations do not exist on this branch yet.
        return ResolvedChange(old, [], EntityChange(old.name, dropped=True))
    problems = _reference_problems(data, old, shipped)
    if not any(data.get(key) for key in CHANGE_KEYS[1:]):
        problems.append(
            Problem("change", "changes nothing", 'add "add", "remove", "rename" or "update"')
        )
    if problems:
        return ResolvedChange(None, problems)
    definition = changed_definition(old, data)
    entity, problems = build_entity(definition, endpoints)
    if entity is None or problems:
        return ResolvedChange(None, [_blame_field(p, definition) for p in problems])
    return ResolvedChange(entity, [], entity_change(old, entity))
