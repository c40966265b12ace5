"""A spec author gets every mistake back with its JSON path and a hint; good specs load as-is."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from bot.demo.request import seed_request
from bot.errors import SpecError
from generators.spec import (
    Entity,
    SpecFile,
    dump_spec,
    endpoints_from_strings,
    endpoints_problems,
    load_spec,
    spec_json_schema,
    validate_entity_data,
    validate_spec_data,
)

ROOT = Path(__file__).resolve().parents[2]


def base_entity() -> dict[str, Any]:
    return {
        "name": "Gadget",
        "fields": [
            {"name": "title", "type": "string", "required": True, "max_length": 20},
            {"name": "size", "type": "integer", "min": 1, "max": 10, "default": 5},
            {"name": "color", "type": "enum", "values": ["red", "blue"], "default": "red"},
            {"name": "ratio", "type": "float"},
        ],
        "indexes": [{"fields": ["title"], "unique": True}],
        "actions": [{"name": "polish"}],
    }


def with_change(path: str, value: Any) -> dict[str, Any]:
    """The base entity with one JSON path (`fields[1].default`) set to `value`."""
    data = copy.deepcopy(base_entity())
    target: Any = data
    parts = path.replace("[", ".").replace("]", "").split(".")
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else target[part]
    last = parts[-1]
    if last.isdigit():
        target[int(last)] = value
    else:
        target[last] = value
    return data


RULES = [
    ("fields[0].type", "str", "fields[0].type", "unknown type 'str'"),
    ("fields[2].values", [], "fields[2].values", "needs values"),
    ("fields[1].default", 0, "fields[1].default", "below min 1"),
    ("fields[1].default", 11, "fields[1].default", "above max 10"),
    ("fields[2].default", "green", "fields[2].default", "not in values"),
    ("fields[3].name", "title", "fields[3].name", "duplicate field 'title'"),
    ("indexes[0].fields", ["nope"], "indexes[0].fields[0]", "index on missing field 'nope'"),
    ("fields[0].name", "Title Case", "fields[0].name", "not an identifier"),
    ("fields[1].max_length", 3, "fields[1].max_length", "max_length applies to string"),
    ("fields[1].min", 20, "fields[1].min", "greater than max"),
    ("fields[1].default", "5", "fields[1].default", "not a number"),
    ("fields[1].required", "yes", "fields[1].required", "valid boolean"),
    ("fields[0].default", "x", "fields[0].default", "required field cannot have a default"),
    ("fields[0].limit", 1, "fields[0].limit", "unknown key 'limit'"),
    ("fields[3].name", "offset", "fields[3].name", "query parameter"),
    ("fields[3].name", "a" * 64, "fields[3].name", "≤ 63"),
    ("fields[3].description", "line\x1b[31m", "fields[3].description", "unprintable"),
    ("fields[3].description", "x" * 2001, "fields[3].description", "≤ 2000"),
    ("name", "gadget", "name", "PascalCase"),
    ("name", "ActionRequest", "name", "class of the generated service"),
    ("actions[0].name", "Polish It", "actions[0].name", "not an action name"),
    ("actions[0].scope", "global", "actions[0].scope", "unknown scope"),
    ("fields[3].primary_key", True, "fields[3].primary_key", "only 'id'"),
    ("fields[3].auto_now", True, "fields[3]", "apply to datetime"),
    ("fields[2].values", ["red", "red"], "fields[2].values[1]", "duplicate enum value"),
]


@pytest.mark.parametrize(("where", "value", "path", "message"), RULES)
def test_each_mistake_is_reported_at_its_path(
    where: str, value: Any, path: str, message: str | None
) -> None:
    entity, problems = validate_entity_data(with_change(where, value))
    assert entity is None
    found = {p.path: p for p in problems}
    assert path in found, problems
    if message is not None:
        assert message in found[path].message + found[path].hint


def test_json_field_cannot_be_unique() -> None:
    data = with_change("fields[3].type", "json")
    data["fields"][3]["unique"] = True
    _, problems = validate_entity_data(data)
    assert [p.path for p in problems] == ["fields[3].unique"]


def test_every_problem_is_listed_at_once_with_a_hint() -> None:
    data = with_change("fields[1].default", 0)
    data["fields"][2]["default"] = "green"
    data["indexes"][0]["fields"] = ["nope"]
    _, problems = validate_entity_data(data)
    assert {p.path for p in problems} == {
        "fields[1].default",
        "fields[2].default",
        "indexes[0].fields[0]",
    }
    assert all(p.hint for p in problems)


def test_spec_paths_start_at_the_root() -> None:
    second = with_change("fields[1].default", 99)
    second["name"] = "Widget"
    _, problems = validate_spec_data({"version": 1, "entities": [base_entity(), second]})
    assert [p.path for p in problems] == ["entities[1].fields[1].default"]


def test_a_name_clash_is_reported_with_the_entities_own_mistakes() -> None:
    other = with_change("fields[1].default", 99)
    broken = with_change("fields[0].type", "str")
    spec = {"version": 1, "entities": [base_entity(), other, broken]}
    _, problems = validate_spec_data(spec)
    assert [p.path for p in problems] == [
        "entities[1].fields[1].default",
        "entities[2].fields[0].type",
        "entities[1].name",
        "entities[2].name",
    ]


def test_a_broken_field_does_not_hide_the_entitys_other_mistakes() -> None:
    data = with_change("name", "bad name")
    data["fields"][0]["type"] = "str"  # shape error: the entity itself cannot be built
    data["fields"][1]["default"] = 0  # below min, on a well-formed field
    data["indexes"].append({"fields": ["missing"]})
    data["actions"].append({"name": "Bad Action"})
    _, problems = validate_entity_data(data)
    assert [p.path for p in problems] == [
        "fields[0].type",
        "name",
        "fields[1].default",
        "indexes[1].fields[0]",
        "actions[1].name",
    ]


def test_an_index_on_a_field_with_a_broken_shape_is_not_called_missing() -> None:
    data = with_change("fields[0].type", "str")
    _, problems = validate_entity_data(data)
    assert [p.path for p in problems] == ["fields[0].type"]
    assert data["indexes"] == [{"fields": ["title"], "unique": True}]


def test_hostile_index_and_action_counts_are_refused_before_validation() -> None:
    data = base_entity()
    data["indexes"] = [{"fields": ["title"]}] * 51
    data["actions"] = [{"name": f"a{i}"} for i in range(51)]
    _, problems = validate_entity_data(data)
    assert [p.path for p in problems] == ["indexes", "actions"]


def test_two_entities_with_the_same_url_are_rejected() -> None:
    other = with_change("name", "Gadget")
    _, problems = validate_spec_data({"version": 1, "entities": [base_entity(), other]})
    assert [p.path for p in problems] == ["entities[1].name"]


def test_load_spec_raises_spec_error_listing_all_problems() -> None:
    spec = {"version": 1, "entities": [with_change("fields[0].type", "str")]}
    with pytest.raises(SpecError) as err:
        load_spec(json.dumps(spec))
    assert err.value.problems[0].startswith("entities[0].fields[0].type: unknown type")


def test_broken_json_is_a_spec_error_with_line_and_column() -> None:
    with pytest.raises(SpecError, match="line 1 column"):
        load_spec('{"version": 1,')


def test_hostile_sizes_are_refused_before_validation() -> None:
    data = base_entity()
    data["fields"] = [{"name": f"f{i}", "type": "text"} for i in range(201)]
    _, problems = validate_entity_data(data)
    assert [p.path for p in problems] == ["fields"]


def test_server_managed_fields_are_added_when_absent() -> None:
    entity, problems = validate_entity_data(base_entity())
    assert problems == []
    assert entity is not None
    names = [f.name for f in entity.fields]
    assert names[0] == "id" and names[-2:] == ["created_at", "updated_at"]


def test_reserved_python_names_are_accepted_and_renamed_later() -> None:
    data = with_change("fields[3].name", "metadata")
    entity, problems = validate_entity_data(data)
    assert problems == [] and entity is not None


def test_id_must_stay_the_uuid_primary_key() -> None:
    data = base_entity()
    data["fields"].append({"name": "id", "type": "integer"})
    _, problems = validate_entity_data(data)
    assert "fields[4]" in {p.path for p in problems}


def test_upsert_replaces_in_place_and_appends_new() -> None:
    gadget = Entity.model_validate(base_entity())
    widget = Entity.model_validate(with_change("name", "Widget"))
    spec = SpecFile.empty().upsert(gadget).upsert(widget)
    renamed = gadget.model_copy(update={"description": "changed"})
    assert [e.name for e in spec.upsert(renamed).entities] == ["Gadget", "Widget"]
    assert spec.upsert(renamed).entities[0].description == "changed"


def test_direct_construction_also_enforces_the_rules() -> None:
    with pytest.raises(ValueError, match="below min"):
        Entity.model_validate(with_change("fields[1].default", 0))


def test_example_spec_round_trips_byte_for_byte() -> None:
    text = (ROOT / "specs" / "entities.json").read_text()
    spec = load_spec(text)
    assert dump_spec(spec) == text
    entity = spec.entity("RawDataSource")
    assert entity.field("tags").type == "json"
    assert [(a.name, a.scope) for a in entity.actions] == [
        ("sync", "item"),
        ("test", "item"),
        ("sync-all", "collection"),
    ]


def test_exported_json_schema_is_in_sync_with_the_model() -> None:
    assert (ROOT / "specs" / "entity.schema.json").read_text() == spec_json_schema()


def test_enum_values_must_fit_postgresql_labels() -> None:
    _, problems = validate_entity_data(with_change("fields[2].values", ["é" * 40]))
    assert [p.path for p in problems] == ["fields[2].values[0]", "fields[2].default"]


def test_seed_api_endpoint_lines_become_actions() -> None:
    lines = seed_request()["api_endpoints"]
    actions = endpoints_from_strings(lines)
    assert [(a.name, a.scope, a.description) for a in actions] == [
        ("sync", "item", "Trigger manual sync"),
        ("test", "item", "Test connection"),
        ("sync-all", "collection", "Sync all active sources"),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "POST /raw-data-sources/{id}/Bad Name",
        "POST /raw-data-sources/{id}/sync-now please",
        "POST /raw-data-sources/{id}/sync-Trigger",
    ],
)
def test_hyphens_inside_the_path_never_split_off_a_description(line: str) -> None:
    actions, problems = endpoints_problems([line])
    assert actions == []
    assert [p.path for p in problems] == ["api_endpoints[0]"]
    with pytest.raises(SpecError):
        endpoints_from_strings([line])


def test_a_description_needs_whitespace_before_its_separator() -> None:
    lines = [
        "POST /raw-data-sources/{id}/sync - Trigger manual sync",
        "POST /raw-data-sources/sync-all — Sync all",
        "POST /raw-data-sources/{id}/test-connection:   Test it",
        "POST /raw-data-sources/{id}/reindex",
        "GET /raw-data-sources/{id}  -  Get one",
    ]
    actions, problems = endpoints_problems(lines)
    assert problems == []
    assert [(a.name, a.scope, a.description) for a in actions] == [
        ("sync", "item", "Trigger manual sync"),
        ("sync-all", "collection", "Sync all"),
        ("test-connection", "item", "Test it"),
        ("reindex", "item", None),
    ]


def test_every_bad_endpoint_line_is_reported_with_its_position() -> None:
    lines = ["GET /things - List", "hello", "POST /things/{id}/sync - Sync", "DELETE /things/x/y"]
    actions, problems = endpoints_problems(lines)
    assert [a.name for a in actions] == ["sync"]
    assert [p.path for p in problems] == ["api_endpoints[1]", "api_endpoints[3]"]
    assert all(p.hint for p in problems)


def test_endpoint_lines_that_are_not_crud_or_post_actions_are_refused() -> None:
    with pytest.raises(SpecError) as err:
        endpoints_from_strings(["GET /things/{id}/history - History", "hello"])
    assert [p.split(":")[0] for p in err.value.problems] == ["api_endpoints[0]", "api_endpoints[1]"]


def test_an_endpoint_line_of_hostile_length_is_refused_unread() -> None:
    _, problems = endpoints_problems(["POST /things/{id}/sync - " + "x" * 5000])
    assert [(p.path, p.message) for p in problems] == [
        ("api_endpoints[0]", "is 5025 characters long")
    ]
