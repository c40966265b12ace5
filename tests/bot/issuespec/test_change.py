"""A change request shows an entity's diff and turns back into the new entity."""

from __future__ import annotations

import pytest

from bot.errors import SpecError
from bot.issuespec.change import apply_change, entity_change
from generators.model import Entity

OLD = Entity.model_validate(
    {
        "name": "Widget",
        "fields": [
            {"name": "title", "type": "string", "max_length": 40, "required": True},
            {"name": "blurb", "type": "string"},
            {"name": "legacy", "type": "integer"},
        ],
    }
)
NEW = Entity.model_validate(
    {
        "name": "Widget",
        "fields": [
            {"name": "title", "type": "string", "max_length": 120, "required": True},
            {"name": "summary", "type": "text", "renamed_from": "blurb"},
            {"name": "colour", "type": "string", "max_length": 20},
        ],
    }
)


def test_the_diff_names_each_field_added_removed_renamed_and_changed() -> None:
    change = entity_change(OLD, NEW)
    assert change.lines() == [
        "**added** `colour` (string, max_length 20)",
        "**removed** `legacy` (its data is dropped)",
        "**renamed** `blurb` → `summary` (data kept)",
        "**changed** `title`: max_length → `120`",
        "**changed** `summary`: type → `'text'`",
    ]


def test_the_diff_turns_back_into_the_new_entity() -> None:
    assert apply_change(OLD, entity_change(OLD, NEW).as_data()) == NEW
    assert entity_change(OLD, OLD).empty


def test_a_renamed_entity_keeps_where_it_came_from() -> None:
    renamed = apply_change(OLD, {"change": "Widget", "entity": {"name": "Gadget"}})
    assert (renamed.name, renamed.renamed_from) == ("Gadget", "Widget")


def test_a_change_to_an_unknown_field_or_entity_is_a_spec_problem() -> None:
    with pytest.raises(SpecError, match="unknown field"):
        apply_change(OLD, {"change": "Widget", "update": {"nope": {"required": True}}})
    with pytest.raises(SpecError, match="not Widget"):
        apply_change(OLD, {"change": "Gizmo"})


def test_the_request_summary_shows_how_a_shipped_entity_changes() -> None:
    from bot.config import Labels
    from bot.issuespec.change import shipped_change
    from bot.issuespec.summary import render_summary
    from generators.model import SpecFile

    shipped = Entity.model_validate(
        {"name": "Widget", "fields": [{"name": "name", "type": "string"}]}
    )
    wanted = Entity.model_validate(
        {
            "name": "Widget",
            "description": "Ping @acme/admins ![x](http://evil.invalid/x.png)",
            "fields": [
                {"name": "title", "type": "string", "renamed_from": "name"},
                {"name": "sku", "type": "string", "max_length": 40},
            ],
        }
    )
    change = shipped_change(wanted, SpecFile.empty().upsert(shipped))
    assert change is not None

    text = render_summary(wanted, None, Labels(), "n/a", change)

    assert "#### Changes to the shipped `Widget`" in text
    assert "- **renamed** `name` → `title` (data kept)" in text
    assert "- **added** `sku` (string, max_length 40)" in text
    hostile = next(line for line in text.splitlines() if "acme/admins" in line)
    assert "`'Ping @acme/admins ![x](http://evil.invalid/x.png)'`" in hostile  # shown as code
    assert shipped_change(shipped, SpecFile.empty()) is None  # a new entity has no diff
