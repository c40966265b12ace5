"""The seed's RawDataSource request (shared/seeds/003), as the tests file it."""

from __future__ import annotations

from typing import Any

from bot.demo.request import TAGS_FIELD, seed_request, with_tags

SEED_REQUEST: dict[str, Any] = seed_request()
SEED_DEFINITION: dict[str, Any] = SEED_REQUEST["entity_definition"]

__all__ = ["SEED_DEFINITION", "SEED_REQUEST", "TAGS_FIELD", "seed_request", "with_tags"]
