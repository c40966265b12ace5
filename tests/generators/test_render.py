"""Untrusted text reaches generated code only as escaped literals; names only as identifiers."""

from __future__ import annotations

import ast
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import GenerationError
from generators.endpoints import entity_endpoints
from generators.naming import kebab_plural, python_attribute, snake_case
from generators.render import identifier, js_literal, py_literal, sql_name
from generators.service import generate_service
from generators.spec import Entity, SpecFile, validate_entity_data
from tests.generators.cases import case_spec

HOSTILE = [
    "'''\nimport os; os.system('rm -rf /')\n'''",
    '"""); import os #',
    "\\x00 \\n {{ 7*7 }} {% raw %}",
    "</script><script>alert(1)</script>",
    "ünïcode — \u2028 line separator",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_py_literal_round_trips_hostile_text(text: str) -> None:
    assert ast.literal_eval(py_literal(text)) == text
    assert ast.literal_eval(py_literal({"k": [text, 1, 2.5, None, True]})) == {
        "k": [text, 1, 2.5, None, True]
    }


@pytest.mark.parametrize("text", HOSTILE)
def test_js_literal_is_json_without_markup(text: str) -> None:
    literal = js_literal(text)
    assert json.loads(literal) == text
    assert "<" not in literal and ">" not in literal


@pytest.mark.parametrize("bad", ["os.system", "a b", "class", "ümlaut", "", 3])
def test_identifier_filter_refuses_non_identifiers(bad: object) -> None:
    with pytest.raises(GenerationError):
        identifier(bad)


@pytest.mark.parametrize("bad", ["Users", "a;drop table x", "x" * 64, '"quoted"'])
def test_sql_name_filter_refuses_unsafe_names(bad: str) -> None:
    with pytest.raises(GenerationError):
        sql_name(bad)


def test_names_follow_the_url_and_python_rules() -> None:
    assert snake_case("RawDataSource") == "raw_data_source"
    assert snake_case("HTTPLogEntry") == "http_log_entry"
    assert kebab_plural("RawDataSource") == "raw-data-sources"
    assert kebab_plural("Category") == "categories"
    assert kebab_plural("Box") == "boxes"
    assert python_attribute("metadata") == "metadata_"
    assert python_attribute("from") == "from_"
    assert python_attribute("model_name") == "model_name_"
    assert python_attribute("name") == "name"


def test_hostile_descriptions_stay_inside_string_literals() -> None:
    spec = case_spec("example")
    entity = spec.entities[0]
    field = entity.field("tags").model_copy(update={"description": HOSTILE[0]})
    fields = tuple(field if f.name == "tags" else f for f in entity.fields)
    service = generate_service(
        SpecFile(version=1, entities=(entity.model_copy(update={"fields": fields}),))
    )
    schemas = service.files["app/schemas/raw_data_source.py"]
    calls = [n for n in ast.walk(ast.parse(schemas)) if isinstance(n, ast.Call)]
    assert not [c for c in calls if isinstance(c.func, ast.Attribute) and c.func.attr == "system"]
    assert any(
        isinstance(k.value, ast.Constant) and k.value.value == HOSTILE[0]
        for c in calls
        for k in c.keywords
        if k.arg == "description"
    )


def test_a_repository_can_override_one_template() -> None:
    spec = case_spec("example")
    override = {"app/hooks/entity.py.j2": '"""Team hooks for {{ entity.name | ident }}."""\n'}
    service = generate_service(spec, overrides=override)
    assert (
        service.user_owned["app/hooks/raw_data_source.py"]
        == '"""Team hooks for RawDataSource."""\n'
    )
    assert service.files == generate_service(spec).files


def test_a_broken_override_is_a_generation_error() -> None:
    with pytest.raises(GenerationError, match=r"app/main\.py"):
        generate_service(case_spec("example"), overrides={"app/main.py.j2": "{{ nope }}"})


def test_endpoints_preview_lists_crud_and_actions() -> None:
    routes = [(e.method, e.path) for e in entity_endpoints(case_spec("example").entities[0])]
    assert routes == [
        ("GET", "/raw-data-sources"),
        ("POST", "/raw-data-sources"),
        ("POST", "/raw-data-sources/sync-all"),
        ("GET", "/raw-data-sources/{id}"),
        ("PUT", "/raw-data-sources/{id}"),
        ("PATCH", "/raw-data-sources/{id}"),
        ("DELETE", "/raw-data-sources/{id}"),
        ("POST", "/raw-data-sources/{id}/sync"),
        ("POST", "/raw-data-sources/{id}/test"),
        ("GET", "/raw-data-sources/{id}/action-runs"),
    ]


@given(st.text())
def test_py_literal_round_trips_any_text(text: str) -> None:
    assert ast.literal_eval(py_literal(text)) == text


def test_clashing_database_names_are_refused_not_rendered() -> None:
    data = {
        "name": "Pair",
        "fields": [
            {"name": "a_b", "type": "string", "unique": True},
            {"name": "a", "type": "string"},
            {"name": "b", "type": "string"},
        ],
        "indexes": [{"fields": ["a", "b"], "unique": True}],
    }
    _, problems = validate_entity_data(data)
    assert "uq_pairs_a_b" in problems[0].message
    entity = Entity.model_validate(data)
    with pytest.raises(GenerationError, match="uq_pairs_a_b"):
        generate_service(SpecFile(version=1, entities=(entity,)))
