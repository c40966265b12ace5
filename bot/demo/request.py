"""The seed's RawDataSource feature request, as an agent files it (data in specs/examples/).

The demo files it and then applies the seed's review edit (a `tags` field); the tests use the
same file, so the canonical example exists once.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

from generators.resources import SPECS_DIR

SEED_REQUEST_PATH = SPECS_DIR / "examples" / "raw-data-source.request.json"
TAGS_FIELD: dict[str, Any] = {
    "name": "tags",
    "type": "json",
    "description": "Array of tags for categorization",
}


@cache
def _seed_request() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SEED_REQUEST_PATH.read_text(encoding="utf-8"))
    return data


def seed_request(**changes: Any) -> dict[str, Any]:
    """A deep copy of the seed's request (title, description, ..., entity_definition)."""
    data = copy.deepcopy(_seed_request())
    data.update(changes)
    return data


def with_tags(definition: dict[str, Any] | None = None) -> dict[str, Any]:
    """The definition after the seed's review edit: a `tags` JSON field before the timestamps."""
    data = copy.deepcopy(definition or seed_request()["entity_definition"])
    data["fields"].insert(-2, dict(TAGS_FIELD))
    return data
