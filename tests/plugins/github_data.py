"""GitHub's own recorded data, installed from npm by `make setup`: never written by us.

- ``@octokit/webhooks-examples``: real webhook payloads, one list of examples per event.
- ``@octokit/webhooks-schemas``: the JSON schema those payloads follow.
- ``@octokit/openapi``: GitHub's official REST description (dereferenced).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

OCTOKIT = Path(__file__).resolve().parents[2] / "node_modules" / "@octokit"
WEBHOOK_EXAMPLES = OCTOKIT / "webhooks-examples" / "api.github.com" / "index.json"
WEBHOOK_SCHEMA = OCTOKIT / "webhooks-schemas" / "schema.json"
OPENAPI = OCTOKIT / "openapi" / "generated" / "api.github.com.deref.json"


def _require(path: Path) -> Path:
    if not path.exists():
        raise pytest.UsageError(f"{path} is missing: run `make setup` (npm ci) first")
    return path


@cache
def webhook_examples() -> dict[str, list[dict[str, Any]]]:
    """Event name -> its recorded example payloads."""
    data = json.loads(_require(WEBHOOK_EXAMPLES).read_text())
    return {entry["name"]: entry["examples"] for entry in data}


@cache
def webhook_schema() -> dict[str, Any]:
    """The JSON schema of every webhook payload (draft 7, with ``definitions``)."""
    return json.loads(_require(WEBHOOK_SCHEMA).read_text())  # type: ignore[no-any-return]


@cache
def openapi() -> dict[str, Any]:
    """GitHub's dereferenced OpenAPI description (about 70 MB: loaded once per session)."""
    return json.loads(_require(OPENAPI).read_text())  # type: ignore[no-any-return]


def webhook_example(event: str, action: str | None = None) -> dict[str, Any]:
    """A deep copy of the first recorded payload of ``event`` (with ``action`` if given)."""
    for payload in webhook_examples()[event]:
        if action is None or payload.get("action") == action:
            return json.loads(json.dumps(payload))  # type: ignore[no-any-return]
    raise LookupError(f"no recorded {event}.{action} example")


@pytest.fixture(scope="session")
def github_openapi() -> dict[str, Any]:
    """GitHub's official REST description."""
    return openapi()


@pytest.fixture(scope="session")
def github_webhook_schema() -> dict[str, Any]:
    """The webhook payload schema from @octokit/webhooks-schemas."""
    return webhook_schema()
