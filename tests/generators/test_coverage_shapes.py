"""Any valid spec, not just the example: the generated suite passes and covers >= 90% of `app`.

Each shape leaves out something the example has (actions, enums, unique fields, secrets) or
hits an edge (one row only can be unique, names the generated modules also use).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.codegen import write_generated
from generators.service import generate_service
from generators.spec import validate_spec_data
from tests.generators.processes import run_with_coverage

pytestmark = pytest.mark.slow


def _spec(*entities: dict[str, Any]) -> dict[str, Any]:
    return {"version": 1, "entities": list(entities)}


SHAPES: dict[str, dict[str, Any]] = {
    "no-actions": _spec(
        {
            "name": "Widget",
            "fields": [
                {"name": "title", "type": "string", "max_length": 50, "required": True},
                {"name": "count", "type": "integer"},
            ],
        }
    ),
    "item-action-only": _spec(
        {
            "name": "Gadget",
            "fields": [
                {"name": "note", "type": "text"},
                {"name": "weight", "type": "float", "min": 0, "max": 10},
            ],
            "actions": [{"name": "ping", "scope": "item"}],
        }
    ),
    "collection-action-only": _spec(
        {
            "name": "Thing",
            "fields": [
                {"name": "when", "type": "date", "required": True},
                {"name": "payload", "type": "json", "required": True},
            ],
            "actions": [{"name": "refresh-all", "scope": "collection"}],
        }
    ),
    "unique-secret-filters": _spec(
        {
            "name": "Account",
            "fields": [
                {"name": "email", "type": "string", "unique": True, "required": True},
                {"name": "password", "type": "string", "sensitive": True, "required": True},
                {"name": "kind", "type": "enum", "values": ["a", "b"], "default": "a"},
                {"name": "active", "type": "boolean", "default": True},
                {"name": "seen", "type": "datetime"},
            ],
            "indexes": [{"fields": ["kind", "seen"], "unique": True}],
        }
    ),
    "one-row-unique": _spec(
        {
            "name": "Flag",
            "fields": [
                {"name": "on", "type": "boolean", "unique": True, "required": True},
                {"name": "only", "type": "enum", "values": ["x"], "unique": True},
            ],
        }
    ),
    "names-the-modules-use": _spec(
        {
            "name": "Session",
            "fields": [
                {"name": "select", "type": "string", "unique": True},
                {"name": "metadata", "type": "json"},
                {"name": "secret", "type": "text", "sensitive": True},
            ],
        },
        {"name": "Data", "fields": [{"name": "at", "type": "datetime", "required": True}]},
    ),
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_generated_suite_passes_and_covers_90_percent(shape: str, tmp_path: Path) -> None:
    spec, problems = validate_spec_data(SHAPES[shape])
    assert spec is not None, problems
    service = tmp_path / "service"
    write_generated(service, generate_service(spec))
    result, total = run_with_coverage(service, tmp_path / ".coverage")
    report = result.stdout[-3000:] + result.stderr[-1000:]
    assert result.returncode == 0, report
    assert total >= 90, report
