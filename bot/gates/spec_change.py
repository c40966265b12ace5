"""Is a spec change additive? Judged from the migration it ships, and from the spec text.

The migration's operations say what happens to a database in production: *additive* ones
(new table, nullable column, index, enum value, wider limit) may auto-merge; *data-changing*
ones (rename, type cast, tighter limit, new NOT NULL column with default) and *destructive*
ones (drop column/table, remove enum value) need a human.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.gates.migration_ops import (
    Operation,
    RiskClass,
    revision_heads,
    revision_operations,
    worst,
)

SpecChangeKind = Literal["additive", "unchanged", "breaking", "invalid"]

# Keys of a field definition that keep a newly added field harmless to existing rows.
_RISKY_NEW_FIELD_KEYS = ("required", "primary_key", "unique")


@dataclass(frozen=True)
class SpecChange:
    """How ``specs/entities.json`` changed between base and head, with the reasons."""

    kind: SpecChangeKind
    added_entities: tuple[str, ...] = ()
    added_fields: tuple[str, ...] = ()
    reasons: tuple[str, ...] = field(default=())
    operations: tuple[Operation, ...] = ()
    risk: RiskClass | None = None

    @property
    def additive(self) -> bool:
        """Whether the change only adds entities or optional fields."""
        return self.kind == "additive"

    @property
    def data_lost(self) -> tuple[str, ...]:
        """What a destructive migration drops, for the bold warning in the PR body."""
        return tuple(o.target for o in self.operations if o.risk == "destructive")

    def describe(self) -> str:
        """One human sentence for the gate comment."""
        if self.operations and self.risk is not None:
            ops = "; ".join(o.describe() for o in self.operations)
            why = "" if self.kind in ("additive", "unchanged") else " — " + "; ".join(self.reasons)
            return f"{self.risk} migration: {ops}{why}"
        if self.kind == "additive":
            parts = []
            if self.added_entities:
                parts.append("new entities " + ", ".join(self.added_entities))
            if self.added_fields:
                parts.append("new optional fields " + ", ".join(self.added_fields))
            return "additive: " + "; ".join(parts)
        if self.kind == "unchanged":
            return "the spec did not change"
        return f"{self.kind}: " + "; ".join(self.reasons)


def _validate_with_model(data: dict[str, Any]) -> str | None:
    """Run the generator's spec validator (generators.spec); return the first problem or None."""
    try:
        module = importlib.import_module("generators.spec")
    except ImportError:  # the generator is optional for the gate: the shape checks still hold
        return None
    validate = getattr(module, "validate_spec_data", None)
    if validate is None:
        return None
    spec, problems = validate(data)
    if spec is None:
        return str(problems[0]) if problems else "rejected by the spec model"
    return None


def _load(text: str | None, side: str) -> tuple[dict[str, dict[str, Any]], str | None]:
    """Entities by name, or a problem explaining why the text is not a spec file."""
    if text is None or not text.strip():
        return {}, None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return {}, f"{side} spec is not valid JSON (line {exc.lineno})"
    if not isinstance(data, dict) or not isinstance(data.get("entities"), list):
        return {}, f"{side} spec has no `entities` list"
    if set(data) - {"version", "entities", "$schema"}:
        return {}, f"{side} spec has unknown top-level keys"
    entities: dict[str, dict[str, Any]] = {}
    for entity in data["entities"]:
        if not isinstance(entity, dict) or not isinstance(entity.get("name"), str):
            return {}, f"{side} spec has an entity without a name"
        if entity["name"] in entities:
            return {}, f"{side} spec defines entity {entity['name']} twice"
        entities[entity["name"]] = entity
    problem = _validate_with_model(data)
    if problem:
        return {}, f"{side} spec is invalid: {problem}"
    return entities, None


def _fields(entity: dict[str, Any]) -> dict[str, dict[str, Any]]:
    fields = entity.get("fields") or []
    return {f["name"]: f for f in fields if isinstance(f, dict) and isinstance(f.get("name"), str)}


def _compare_entity(
    name: str, old: dict[str, Any], new: dict[str, Any]
) -> tuple[list[str], list[str]]:
    """Added optional fields and breaking reasons for one entity present on both sides."""
    added: list[str] = []
    reasons: list[str] = []
    old_fields, new_fields = _fields(old), _fields(new)
    for fname, fdef in old_fields.items():
        if fname not in new_fields:
            reasons.append(f"field {name}.{fname} removed")
        elif new_fields[fname] != fdef:
            reasons.append(f"field {name}.{fname} changed")
    for fname, fdef in new_fields.items():
        if fname in old_fields:
            continue
        risky = [k for k in _RISKY_NEW_FIELD_KEYS if fdef.get(k)]
        if risky:
            reasons.append(f"new field {name}.{fname} is {'/'.join(risky)}, not optional")
        else:
            added.append(f"{name}.{fname}")
    for key in sorted((set(old) | set(new)) - {"fields"}):
        if old.get(key) != new.get(key):
            reasons.append(f"{name}.{key} changed")
    return added, reasons


def classify_spec_change(
    old_spec_text: str | None,
    new_spec_text: str | None,
    revisions: Mapping[str, str] | None = None,
    added: tuple[str, ...] = (),
) -> SpecChange:
    """Classify a PR from the migration revisions it adds and the spec texts (pure).

    `revisions` are every revision file at the PR head (path → text), `added` the paths the PR
    adds. Two heads are refused; otherwise the worst of the added revisions' operations and the
    spec-text comparison decides.
    """
    by_text = _classify_text(old_spec_text, new_spec_text)
    if not revisions:
        return by_text
    heads = revision_heads(revisions)
    if len(heads) > 1:
        reason = (
            f"the migration folder has {len(heads)} heads ({', '.join(heads)}): "
            "merge them into one line of history before this can merge"
        )
        return SpecChange("invalid", reasons=(reason,))
    operations = tuple(
        op
        for path in sorted(added)
        if path in revisions
        for op in revision_operations(revisions[path])
    )
    if not operations:
        return by_text
    if by_text.kind == "invalid":
        return by_text
    risk = worst(op.risk for op in operations)
    kind: SpecChangeKind = "additive" if risk == "additive" else "breaking"
    reasons = tuple(o.describe() for o in operations if o.risk != "additive")
    return SpecChange(kind, by_text.added_entities, by_text.added_fields, reasons, operations, risk)


def _classify_text(old_spec_text: str | None, new_spec_text: str | None) -> SpecChange:
    """Compare base and head spec texts entity by entity (pure; order of entities ignored)."""
    old, old_problem = _load(old_spec_text, "base")
    new, new_problem = _load(new_spec_text, "head")
    if new_problem or old_problem:
        return SpecChange("invalid", reasons=tuple(p for p in (old_problem, new_problem) if p))
    added_entities = tuple(n for n in new if n not in old)
    added_fields: list[str] = []
    reasons = [f"entity {n} removed" for n in old if n not in new]
    for name in (n for n in old if n in new):
        fields, problems = _compare_entity(name, old[name], new[name])
        added_fields.extend(fields)
        reasons.extend(problems)
    if reasons:
        return SpecChange("breaking", added_entities, tuple(added_fields), tuple(reasons))
    if not added_entities and not added_fields:
        return SpecChange("unchanged")
    return SpecChange("additive", added_entities, tuple(added_fields))
