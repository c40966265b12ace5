"""A webhook is only believed when its signature matches; Actions runs read their event file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.events.event import (
    MAX_BODY_BYTES,
    BadEventError,
    BadSignatureError,
    Event,
    PayloadTooLargeError,
    sign,
)
from tests.plugins.github_data import webhook_example

SECRET = "s3cret"
BODY = json.dumps(webhook_example("issues", "opened")).encode()


def headers(signature: str | None, event: str = "issues") -> dict[str, str]:
    result = {"X-GitHub-Event": event, "X-GitHub-Delivery": "abc-123"}
    if signature is not None:
        result["X-Hub-Signature-256"] = signature
    return result


def test_a_correctly_signed_webhook_becomes_an_event() -> None:
    event = Event.from_http(headers(sign(BODY, SECRET)), BODY, SECRET)
    assert (event.name, event.delivery_id, event.action) == ("issues", "abc-123", "opened")
    assert event.repo == "Codertocat/Hello-World"
    assert event.payload.issue is not None
    assert event.payload.raw["issue"]["number"] == event.payload.issue.number


@pytest.mark.parametrize(
    ("signature", "body"),
    [
        (None, BODY),
        ("", BODY),
        (sign(BODY, "wrong"), BODY),
        (sign(BODY, SECRET), BODY + b" "),
        ("sha1=" + "0" * 40, BODY),
        ("sha256=ünïcode", BODY),
    ],
    ids=["missing", "empty", "wrong-secret", "tampered", "sha1", "non-ascii"],
)
def test_a_bad_or_missing_signature_is_refused(signature: str | None, body: bytes) -> None:
    with pytest.raises(BadSignatureError):
        Event.from_http(headers(signature), body, SECRET)


def test_a_signed_request_without_a_configured_secret_is_refused() -> None:
    with pytest.raises(BadSignatureError):
        Event.from_http(headers(sign(BODY, SECRET)), BODY, None)


def test_without_a_secret_unsigned_requests_are_accepted() -> None:
    assert Event.from_http(headers(None), BODY, None).name == "issues"


def test_a_body_over_25_mb_is_refused_before_any_parsing() -> None:
    big = b" " * (MAX_BODY_BYTES + 1)
    with pytest.raises(PayloadTooLargeError):
        Event.from_http(headers(sign(big, SECRET)), big, SECRET)


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"issue": {"title": "no number"}}'])
def test_a_signed_but_unreadable_body_is_a_bad_event(body: bytes) -> None:
    with pytest.raises(BadEventError):
        Event.from_http(headers(sign(body, SECRET)), body, SECRET)


def test_missing_event_headers_are_a_bad_event() -> None:
    with pytest.raises(BadEventError):
        Event.from_http({"X-Hub-Signature-256": sign(BODY, SECRET)}, BODY, SECRET)


def test_an_actions_run_reads_its_event_file(tmp_path: Path) -> None:
    path = tmp_path / "event.json"
    path.write_bytes(BODY)
    env = {"GITHUB_EVENT_NAME": "issues", "GITHUB_EVENT_PATH": str(path), "GITHUB_RUN_ID": "77"}
    event = Event.from_actions_env(env)
    assert (event.name, event.delivery_id) == ("issues", "actions-77-1")
    assert event.repo == "Codertocat/Hello-World"


def test_outside_actions_the_missing_variables_are_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="GITHUB_EVENT_NAME"):
        Event.from_actions_env({})
    with pytest.raises(ConfigError, match="cannot read"):
        Event.from_actions_env(
            {"GITHUB_EVENT_NAME": "issues", "GITHUB_EVENT_PATH": str(tmp_path / "none.json")}
        )
