"""Any spec the validator accepts renders to Python that parses and only defines on import."""

from __future__ import annotations

import ast
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generators.service import generate_service
from generators.spec import FIELD_TYPES, SpecFile, validate_entity_data, validate_spec_data

RESERVED = ["metadata", "from", "class", "json", "type", "date", "model_config", "select", "order"]
FIELD_NAMES = st.sampled_from(RESERVED) | st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True)
# Mostly printable text (the validator rejects control characters) plus quoting hazards.
TEXT = st.text(
    st.characters(exclude_categories=["Cc", "Cs", "Cf", "Co", "Cn"])
    | st.sampled_from("'\"\\\n{}%#"),
    max_size=40,
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)
# Calls allowed at module level: they build objects, they do not act.
DEFINING_CALLS = {
    "create_app",
    "fastapi.APIRouter",
    "re.compile",
    "pydantic.AfterValidator",
    "fastapi.Depends",
    "fastapi.Query",
    # Settings read once at import, as FastAPI's full-stack template does (environment only).
    "settings.get_settings",
    # Security and error declarations: objects FastAPI reads, nothing runs.
    "security.HTTPBearer",
    "fastapi.Security",
    "common.problems",
    "Caller",
    "enumerate",
    "typing.TypeVar",
    "logging.getLogger",
}


def options(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    extra: dict[str, st.SearchStrategy[Any]] = {
        "required": st.booleans(),
        "sensitive": st.booleans(),
        "unique": st.booleans(),
        "description": TEXT,
    }
    if kind in ("string", "text"):
        extra |= {"max_length": st.integers(1, 50), "default": TEXT}
    elif kind == "integer":
        extra |= {"min": st.integers(-5, 5), "max": st.integers(0, 2**70), "default": st.integers()}
    elif kind == "float":
        extra |= {
            "min": st.floats(-1e6, 0),
            "max": st.floats(0, 1e6),
            "default": st.floats(-10, 10),
        }
    elif kind == "enum":
        extra |= {"values": st.lists(TEXT, min_size=1, max_size=4, unique=True), "default": TEXT}
    elif kind == "boolean":
        extra |= {"default": st.booleans()}
    elif kind == "json":
        extra |= {"default": JSON_VALUES}
    return st.fixed_dictionaries({}, optional=extra)


@st.composite
def fields(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(FIELD_TYPES))
    return {"name": draw(FIELD_NAMES), "type": kind, **draw(options(kind))}


@st.composite
def entities(draw: st.DrawFn) -> dict[str, Any]:
    declared = draw(st.lists(fields(), min_size=1, max_size=6, unique_by=lambda f: f["name"]))
    names = [f["name"] for f in declared]
    index_fields = st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True)
    action = st.fixed_dictionaries(
        {"name": st.sampled_from(["sync", "sync-all", "import", "class", "run_now"])},
        optional={"scope": st.sampled_from(["item", "collection"]), "description": TEXT},
    )
    return {
        "name": draw(st.from_regex(r"[A-Z][A-Za-z0-9]{0,10}", fullmatch=True)),
        "description": draw(TEXT),
        "fields": declared,
        "indexes": draw(
            st.lists(
                st.fixed_dictionaries({"fields": index_fields, "unique": st.booleans()}), max_size=2
            )
        ),
        "actions": draw(st.lists(action, max_size=3, unique_by=lambda a: a["name"])),
    }


def call_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{call_name(node.value)}.{node.attr}"
    return "?"


def only_definitions(tree: ast.Module) -> list[str]:
    """Top-level statements that would *do* something on import."""
    actions = []
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom | ast.FunctionDef | ast.ClassDef):
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # docstring
        if isinstance(node, ast.If) and ast.unparse(node.test) == "__name__ == '__main__'":
            continue  # a command-line entry point runs only when asked
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            calls = [n for n in ast.walk(node.value) if isinstance(n, ast.Call)]
            if all(call_name(c.func) in DEFINING_CALLS for c in calls):
                continue
        actions.append(ast.dump(node)[:80])
    return actions


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entities())
def test_accepted_specs_render_to_inert_parseable_python(data: dict[str, Any]) -> None:
    entity, problems = validate_entity_data(data)
    if entity is None:
        assert problems and all(p.message for p in problems)
        return
    service = generate_service(SpecFile(version=1, entities=(entity,)), ui=True)
    for path, text in {**service.files, **service.user_owned}.items():
        if not path.endswith(".py"):
            continue
        tree = ast.parse(text, filename=path)
        if path != "migrations/env.py":  # Alembic runs env.py as a script, by design
            assert only_definitions(tree) == [], path


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(["version", "entities", "x"]), JSON_VALUES, max_size=3))
def test_validator_answers_garbage_with_problems_never_exceptions(data: dict[str, Any]) -> None:
    spec, problems = validate_spec_data(data)
    assert (spec is None) == bool(problems)


def part(keys: list[str]) -> st.SearchStrategy[Any]:
    """A list part of an entity whose items are almost right: known keys, any JSON values."""
    values = JSON_VALUES | FIELD_NAMES | st.sampled_from(FIELD_TYPES)
    item = st.dictionaries(st.sampled_from(keys), values, max_size=4)
    return st.lists(item | JSON_VALUES, max_size=4)


@settings(max_examples=150, deadline=None)
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "name": JSON_VALUES | st.sampled_from(["Widget", "bad name", "Service"]),
            "layer": JSON_VALUES,
            "fields": part(["name", "type", "values", "default", "min", "unique"]),
            "indexes": part(["fields", "unique"]),
            "actions": part(["name", "scope", "description"]),
        },
    )
)
def test_a_half_broken_entity_is_answered_with_problems_never_exceptions(
    data: dict[str, Any],
) -> None:
    entity, problems = validate_entity_data(data)
    assert (entity is None) == bool(problems)
    assert all(p.message for p in problems)
