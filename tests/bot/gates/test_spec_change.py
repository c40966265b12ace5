"""A spec change is low-risk only when it adds entities or optional fields."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.gates.spec_change import classify_spec_change


def spec(*entities: dict[str, Any]) -> str:
    return json.dumps({"version": 1, "entities": list(entities)}, indent=2)


def entity(name: str, *fields: dict[str, Any], **extra: Any) -> dict[str, Any]:
    base = [{"name": "id", "type": "uuid", "primary_key": True}]
    return {"name": name, "layer": "infrastructure", "fields": base + list(fields), **extra}


NAME = {"name": "name", "type": "string", "required": True, "max_length": 100}
TAGS = {"name": "tags", "type": "json"}
SOURCE = entity("RawDataSource", NAME)


def test_the_first_entity_in_an_empty_spec_is_additive() -> None:
    change = classify_spec_change(spec(), spec(SOURCE))
    assert change.kind == "additive"
    assert change.added_entities == ("RawDataSource",)
    assert "new entities RawDataSource" in change.describe()


def test_a_missing_base_spec_counts_as_empty() -> None:
    assert classify_spec_change(None, spec(SOURCE)).added_entities == ("RawDataSource",)


def test_a_second_entity_and_a_new_optional_field_are_additive() -> None:
    new = spec(entity("RawDataSource", NAME, TAGS), entity("Sink"))
    change = classify_spec_change(spec(SOURCE), new)
    assert change.kind == "additive"
    assert change.added_entities == ("Sink",)
    assert change.added_fields == ("RawDataSource.tags",)


def test_reordering_entities_changes_nothing() -> None:
    other = entity("Sink")
    assert classify_spec_change(spec(SOURCE, other), spec(other, SOURCE)).kind == "unchanged"


@pytest.mark.parametrize(
    ("new", "reason"),
    [
        (spec(), "entity RawDataSource removed"),
        (spec(entity("RawDataSource")), "field RawDataSource.name removed"),
        (spec(entity("RawDataSource", {**NAME, "max_length": 50})), "RawDataSource.name changed"),
        (spec(entity("RawDataSource", NAME, {**TAGS, "required": True})), "is required"),
        (
            spec(entity("RawDataSource", NAME, {"name": "code", "type": "string", "unique": True})),
            "is unique",
        ),
        (
            spec(entity("RawDataSource", NAME, indexes=[{"fields": ["name"]}])),
            "RawDataSource.indexes changed",
        ),
        (spec({**SOURCE, "layer": "domain"}), "RawDataSource.layer changed"),
    ],
    ids=[
        "entity removed",
        "field removed",
        "field changed",
        "new required field",
        "new unique field",
        "index added",
        "layer changed",
    ],
)
def test_anything_but_additions_is_breaking_and_says_why(new: str, reason: str) -> None:
    change = classify_spec_change(spec(SOURCE), new)
    assert change.kind == "breaking"
    assert reason in change.describe()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{not json", "head spec is not valid JSON"),
        ('{"version": 1}', "head spec has no `entities` list"),
        ('{"version": 1, "entities": [], "run": "rm -rf /"}', "unknown top-level keys"),
        (spec(SOURCE, SOURCE), "defines entity RawDataSource twice"),
        ('{"version": 1, "entities": [{"fields": []}]}', "entity without a name"),
    ],
)
def test_a_spec_that_cannot_be_read_is_invalid(text: str, reason: str) -> None:
    change = classify_spec_change(spec(), text)
    assert change.kind == "invalid"
    assert reason in change.describe()


def test_the_generators_validator_judges_the_head_spec() -> None:
    bad = spec(entity("RawDataSource", NAME, {"name": "kind", "type": "enum"}))
    change = classify_spec_change(spec(SOURCE), bad)
    assert change.kind == "invalid"
    assert "entities[0].fields" in change.describe()
