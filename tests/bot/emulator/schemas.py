"""Validators built from GitHub's own descriptions: OpenAPI responses and webhook payloads.

GitHub's OpenAPI file is OpenAPI 3.0: ``nullable: true`` is not JSON Schema, so each schema
is rewritten to ``anyOf [schema, null]`` before Draft 4 validation (the draft OpenAPI 3.0
schemas are based on). Nothing is loosened: unknown OpenAPI-only keywords are inert.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import jsonschema  # type: ignore[import-untyped]

from tests.plugins.github_data import openapi, webhook_schema

BASIC_ERROR: dict[str, Any] = {
    "type": "object",
    "required": ["message", "documentation_url"],
    "properties": {
        "message": {"type": "string"},
        "documentation_url": {"type": "string"},
        "status": {"type": "string"},
    },
}


def _convert(node: Any) -> Any:
    if isinstance(node, list):
        return [_convert(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _convert(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable") is True:
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


@cache
def _response_schema(method: str, path: str, status: str) -> dict[str, Any] | None:
    operation = openapi()["paths"][path][method.lower()]
    response = operation["responses"][status]
    content = response.get("content", {}).get("application/json")
    if content is None:
        return None
    return _convert(content["schema"])  # type: ignore[no-any-return]


def documented_statuses(method: str, path: str) -> set[str]:
    """The status codes GitHub documents for an operation."""
    return set(openapi()["paths"][path][method.lower()]["responses"])


def validate_response(method: str, path: str, status: int, body: Any) -> None:
    """Raise if ``body`` does not match GitHub's documented response for method+path+status."""
    assert str(status) in documented_statuses(method, path), (
        f"{method} {path} answered {status}, which GitHub does not document"
    )
    schema = _response_schema(method, path, str(status))
    if schema is None:
        # GitHub documents some errors without a body yet sends its basic error object.
        if status == 204 or body is None:
            assert body is None, f"{method} {path} {status} must have no body"
            return
        schema = BASIC_ERROR
    jsonschema.Draft4Validator(schema).validate(body)


@cache
def _webhook_validator(definition: str) -> jsonschema.Draft7Validator:
    root = webhook_schema()
    schema = {"$ref": f"#/definitions/{definition}", "definitions": root["definitions"]}
    return jsonschema.Draft7Validator(schema)


def webhook_definition(event: str, action: str | None) -> str:
    """The schema definition name for an event (``issues$opened``, ``push$event``)."""
    definitions = webhook_schema()["definitions"]
    name = f"{event}${action}" if action else f"{event}$event"
    assert name in definitions, f"no webhook schema for {name}"
    return name


def validate_webhook(event: str, action: str | None, payload: dict[str, Any]) -> None:
    """Raise if a payload does not match @octokit/webhooks-schemas for its event and action."""
    _webhook_validator(webhook_definition(event, action)).validate(payload)


@cache
def _templates() -> list[tuple[re.Pattern[str], str, int]]:
    """Every documented path as (regex, template, literal length), most literal first."""
    found = []
    for template in openapi()["paths"]:
        literal = re.sub(r"\{[^}]*\}", "", template)
        regex = re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(template))
        # a trailing ref or file path may itself contain slashes
        regex = (
            re.sub(r"\[\^/\]\+$", ".+", regex) if template.endswith(("{ref}", "{path}")) else regex
        )
        found.append((re.compile(f"^{regex}$"), template, len(literal)))
    return sorted(found, key=lambda entry: -entry[2])


def documented_path(method: str, path: str) -> str | None:
    """The OpenAPI path template a concrete request path is an instance of (None: undocumented)."""
    for regex, template, _ in _templates():
        if regex.match(path) and method.lower() in openapi()["paths"][template]:
            return template
    return None
