"""The small entity the pipeline, server and queue tests request: quick to generate and test."""

from __future__ import annotations

from typing import Any

BOT = "issuebot[bot]"
WIDGET: dict[str, Any] = {
    "name": "Widget",
    "fields": [
        {"name": "name", "type": "string", "required": True, "max_length": 100},
        {"name": "kind", "type": "enum", "values": ["small", "large"], "default": "small"},
        {"name": "api_secret", "type": "string", "sensitive": True},
    ],
    "indexes": [{"fields": ["name"], "unique": True}],
    "actions": [{"name": "restock", "scope": "item"}],
}
