"""A change request for an entity that already ships, as a diff a person can read and review.

`entity_change(old, new)` says which fields were added, removed, renamed and changed;
`as_data()` is the JSON a change-request issue carries and `apply_change(old, data)` turns it
back into the new entity, validated like any definition. Pure: no I/O, no GitHub.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.errors import SpecError
from bot.issuespec.markdown import code_span
from generators.model import Entity, Field, SpecFile

_FIELD_KEYS_SHOWN = ("type", "required", "default", "max_length", "min", "max", "unique")
MAX_VALUE = 120


@dataclass(frozen=True)
class EntityChange:
    """What changes in one entity: fields added/removed/renamed/changed and entity keys."""

    entity: str
    added: tuple[Field, ...] = ()
    removed: tuple[str, ...] = ()
    renamed: tuple[tuple[str, str], ...] = ()
    changed: tuple[tuple[str, dict[str, Any]], ...] = ()
    entity_keys: tuple[tuple[str, Any], ...] = ()
    dropped: bool = False  # the whole entity goes: its table, its rows, its generated files

    @property
    def empty(self) -> bool:
        return not (
            self.dropped
            or self.added
            or self.removed
            or self.renamed
            or self.changed
            or self.entity_keys
        )

    def as_data(self) -> dict[str, Any]:
        """The JSON block of a change request (keys only when they carry something)."""
        data: dict[str, Any] = {"change": self.entity}
        if self.dropped:
            return {**data, "remove_entity": True}
        if self.added:
            data["add"] = [f.model_dump(exclude_defaults=True) for f in self.added]
        if self.removed:
            data["remove"] = list(self.removed)
        if self.renamed:
            data["rename"] = dict(self.renamed)
        if self.changed:
            data["update"] = dict(self.changed)
        if self.entity_keys:
            data["entity"] = dict(self.entity_keys)
        return data

    def lines(self) -> list[str]:
        """One markdown bullet per change, for the issue body and the spec review."""
        if self.dropped:
            return [
                f"**removed** entity `{self.entity}`: its table and every row in it are dropped, "
                "its API and generated files leave the tree"
            ]
        out = [f"**added** `{f.name}` ({_summary(f)})" for f in self.added]
        out += [f"**removed** `{name}` (its data is dropped)" for name in self.removed]
        out += [f"**renamed** `{old}` → `{new}` (data kept)" for old, new in self.renamed]
        for name, keys in self.changed:
            shown = ", ".join(f"{k} → {_value(v)}" for k, v in keys.items())
            out.append(f"**changed** `{name}`: {shown}")
        out += [f"**changed** entity {k} → {_value(v)}" for k, v in self.entity_keys]
        return out

    def title(self) -> str:
        """What the change does, said in a few words (the pull request's title)."""
        if self.dropped:
            return f"Remove entity {self.entity}"
        parts = [
            _counted(verb, len(items))
            for verb, items in (
                ("add", self.added),
                ("remove", self.removed),
                ("rename", self.renamed),
                ("change", self.changed),
            )
            if items
        ]
        if self.entity_keys:
            parts.append("update " + ", ".join(k for k, _ in self.entity_keys))
        return f"Change {self.entity}: {', '.join(parts) or 'no schema change'}"


def _counted(verb: str, count: int) -> str:
    """`add 2 fields`, then `rename 1` (the noun is said once, first)."""
    return f"{verb} {count} field{'s' if count != 1 else ''}"


def spec_after(spec: SpecFile, entity: Entity, change: EntityChange | None) -> SpecFile:
    """The spec once the request is applied: the entity upserted, or gone if it is removed."""
    if change is not None and change.dropped:
        kept = tuple(e for e in spec.entities if e.name != change.entity)
        return spec.model_copy(update={"entities": kept})
    return spec.upsert(entity)


def _value(value: Any) -> str:
    """A new value as a code span: strangers' text shows as text, never as markdown."""
    text = repr(value)
    return code_span(text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…")


def shipped_change(entity: Entity, current: SpecFile) -> EntityChange | None:
    """How ``entity`` changes the one the spec already ships (None: it is a new entity)."""
    names = {e.name: e for e in current.entities}
    old = names.get(entity.name) or names.get(entity.renamed_from or "")
    return None if old is None else entity_change(old, entity)


def _summary(field: Field) -> str:
    data = field.model_dump(exclude_defaults=True)
    return ", ".join(f"{k} {data[k]}" if k != "type" else str(data[k]) for k in _shown(data))


def _shown(data: dict[str, Any]) -> list[str]:
    return [k for k in _FIELD_KEYS_SHOWN if k in data]


def entity_change(old: Entity, new: Entity) -> EntityChange:
    """Compare two versions of one entity field by field (`renamed_from` marks a rename)."""
    old_fields = {f.name: f for f in old.fields}
    renamed = tuple(
        (f.renamed_from, f.name)
        for f in new.fields
        if f.renamed_from in old_fields and f.name not in old_fields
    )
    moved = {old_name for old_name, _ in renamed}
    new_names = {f.name for f in new.fields}
    changed: list[tuple[str, dict[str, Any]]] = []
    added: list[Field] = []
    for field in new.fields:
        before = old_fields.get(field.renamed_from or "") if field.name not in old_fields else None
        before = before or old_fields.get(field.name)
        if before is None:
            added.append(field)
            continue
        after_data = field.model_dump(exclude={"name", "renamed_from"})
        before_data = before.model_dump(exclude={"name", "renamed_from"})
        diff = {k: v for k, v in after_data.items() if before_data.get(k) != v}
        if diff:
            changed.append((field.name, diff))
    removed = tuple(n for n in old_fields if n not in new_names and n not in moved)
    keys = ("name", "description", "layer", "indexes", "actions")
    old_entity, new_entity = old.model_dump(), new.model_dump()
    entity_keys = tuple((k, new_entity[k]) for k in keys if old_entity[k] != new_entity[k])
    return EntityChange(old.name, tuple(added), removed, renamed, tuple(changed), entity_keys)


def changed_definition(old: Entity, data: dict[str, Any]) -> dict[str, Any]:
    """The definition a change request describes, built on `old` (not validated yet)."""
    fields = [f.model_dump(exclude_defaults=True) for f in old.fields]
    removed = set(data.get("remove", []))
    renames: dict[str, str] = dict(data.get("rename", {}))
    updates: dict[str, dict[str, Any]] = dict(data.get("update", {}))
    result: list[dict[str, Any]] = []
    for field in fields:
        name = field["name"]
        if name in removed:
            continue
        moved = {"name": renames[name], "renamed_from": name} if name in renames else {}
        result.append({**field, **moved, **updates.pop(moved.get("name", name), {})})
    if updates:
        raise SpecError([f"update of unknown field(s): {', '.join(sorted(updates))}"])
    end = len(result)  # new fields go before the trailing timestamps, where a person puts them
    while end and (result[end - 1].get("auto_now_add") or result[end - 1].get("auto_now")):
        end -= 1
    result[end:end] = list(data.get("add", []))
    definition = {**old.model_dump(exclude_defaults=True), "fields": result}
    definition.update(data.get("entity", {}))
    if definition["name"] != old.name:  # a second rename points at the name that ships now
        definition["renamed_from"] = old.name
    return definition


def apply_change(old: Entity, data: dict[str, Any]) -> Entity:
    """The entity a change request describes, built on `old` and validated (SpecError if not)."""
    if data.get("change") != old.name:
        raise SpecError([f"the change is for {data.get('change')!r}, not {old.name}"])
    try:
        return Entity.model_validate(changed_definition(old, data))
    except ValueError as exc:
        raise SpecError([str(exc).splitlines()[0]], hint="fix the change request") from exc
