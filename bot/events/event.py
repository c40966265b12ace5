"""One `Event` type for both entry points: a signed webhook request or a GitHub Actions run.

Only the pieces the router needs are parsed into typed models (kodiak's habit); the raw
payload rides along untouched. Signature checks fail closed (gidgethub's `validate_event`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.errors import ConfigError, IssuebotError

MAX_BODY_BYTES = 25 * 1024 * 1024  # GitHub caps webhook payloads at 25 MB


class BadSignatureError(IssuebotError):
    """The webhook's HMAC signature is missing, malformed or wrong (the server answers 401)."""

    exit_code = 22
    kind = "bad-signature"


class PayloadTooLargeError(IssuebotError):
    """The webhook body is over GitHub's 25 MB limit (the server answers 413)."""

    kind = "payload-too-large"


class BadEventError(IssuebotError):
    """The request is not a webhook we can read: missing header, bad JSON (answered 400)."""

    exit_code = 2
    kind = "bad-event"


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Actor(_Loose):
    """Who did it; bots are recognised by type or by the `[bot]` login suffix."""

    login: str
    type: str = "User"

    @property
    def is_bot(self) -> bool:
        """GitHub Apps and Actions act as `Bot` users whose login ends in `[bot]`."""
        return self.type == "Bot" or self.login.endswith("[bot]")


class Label(_Loose):
    """A label as the payload names it."""

    name: str


class Repository(_Loose):
    """The repository the event happened in."""

    full_name: str
    default_branch: str | None = None


class Issue(_Loose):
    """The issue (or PR conversation) of an `issues`/`issue_comment` event."""

    number: int
    title: str = ""
    body: str | None = None
    state: str = "open"
    labels: tuple[Label, ...] = ()
    user: Actor | None = None
    updated_at: str | None = None
    pull_request: dict[str, Any] | None = None

    @property
    def label_names(self) -> frozenset[str]:
        """The issue's labels as the event saw them."""
        return frozenset(label.name for label in self.labels)


class Comment(_Loose):
    """A comment, whose body may carry slash commands."""

    id: int
    body: str | None = None
    user: Actor


class GitRef(_Loose):
    """A branch and the commit it pointed at when the event fired."""

    ref: str
    sha: str


class PullRequest(_Loose):
    """The PR of a `pull_request` event: was it merged, from which branch."""

    number: int
    state: str = "open"
    merged: bool | None = None
    merge_commit_sha: str | None = None
    head: GitRef
    base: GitRef
    user: Actor | None = None


class PullNumber(_Loose):
    """A PR a check belongs to."""

    number: int


class CheckTarget(_Loose):
    """The common shape of `check_suite`, `check_run` and `workflow_run` objects."""

    id: int
    head_sha: str
    head_branch: str | None = None
    status: str | None = None
    conclusion: str | None = None
    run_attempt: int | None = None
    pull_requests: tuple[PullNumber, ...] = ()


class Payload(_Loose):
    """The parts of a webhook payload the bot reads, plus the raw dict."""

    action: str | None = None
    repository: Repository | None = None
    sender: Actor | None = None
    issue: Issue | None = None
    comment: Comment | None = None
    label: Label | None = None
    pull_request: PullRequest | None = None
    check_suite: CheckTarget | None = None
    check_run: CheckTarget | None = None
    workflow_run: CheckTarget | None = None
    raw: dict[str, Any] = Field(default_factory=dict, repr=False, exclude=True)

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Payload:
        """Validate the pieces we use; a malformed payload is a `BadEventError`."""
        try:
            return cls.model_validate({**raw, "raw": dict(raw)})
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise BadEventError(f"payload field {where}: {first['msg']}") from exc


class Event(_Loose):
    """A GitHub event, however it reached us."""

    name: str
    delivery_id: str
    payload: Payload

    @classmethod
    def from_http(cls, headers: Mapping[str, str], body: bytes, secret: str | None) -> Event:
        """Build from a webhook request, checking size and signature before parsing."""
        lower = {k.lower(): v for k, v in headers.items()}
        if len(body) > MAX_BODY_BYTES:
            raise PayloadTooLargeError(f"body of {len(body)} bytes is over 25 MB")
        verify_signature(body, lower.get("x-hub-signature-256"), secret)
        name = lower.get("x-github-event")
        delivery_id = lower.get("x-github-delivery")
        if not name or not delivery_id:
            raise BadEventError("missing X-GitHub-Event or X-GitHub-Delivery header")
        return cls.from_json(name, delivery_id, body)

    @classmethod
    def from_json(cls, name: str, delivery_id: str, body: bytes | str) -> Event:
        """Parse an already trusted JSON body (a verified request or a file Actions wrote)."""
        try:
            raw = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadEventError(f"body is not JSON: {exc}") from exc
        if not isinstance(raw, dict):
            raise BadEventError("payload must be a JSON object")
        return cls(name=name, delivery_id=delivery_id, payload=Payload.parse(raw))

    @classmethod
    def from_actions_env(cls, environ: Mapping[str, str] | None = None) -> Event:
        """Build from the variables a GitHub Actions job sees (`GITHUB_EVENT_NAME`/`_PATH`)."""
        env = os.environ if environ is None else environ
        name = env.get("GITHUB_EVENT_NAME")
        path = env.get("GITHUB_EVENT_PATH")
        if not name or not path:
            raise ConfigError(
                "GITHUB_EVENT_NAME and GITHUB_EVENT_PATH must be set",
                hint="run `issuebot handle-event` inside a GitHub Actions job",
            )
        try:
            body = Path(path).read_bytes()
        except OSError as exc:
            raise ConfigError(f"cannot read GITHUB_EVENT_PATH {path}: {exc.strerror}") from exc
        run = f"{env.get('GITHUB_RUN_ID', 'local')}-{env.get('GITHUB_RUN_ATTEMPT', '1')}"
        return cls.from_json(name, f"actions-{run}", body)

    @property
    def action(self) -> str | None:
        """The payload's `action` (None for events like `ping` or `push`)."""
        return self.payload.action

    @property
    def repo(self) -> str | None:
        """`owner/name` of the repository, when the event has one."""
        return self.payload.repository.full_name if self.payload.repository else None

    def job_payload(self) -> dict[str, Any]:
        """Plain JSON data a queue carries to a worker, which rebuilds the event from it."""
        return {
            "event": self.name,
            "delivery_id": self.delivery_id,
            "repo": self.repo,
            "payload": self.payload.raw,
        }

    @classmethod
    def from_job_payload(cls, data: Mapping[str, Any]) -> Event:
        """The inverse of `job_payload` (in the worker)."""
        raw = data.get("payload")
        if not isinstance(raw, dict):
            raise BadEventError("job payload carries no webhook payload")
        return cls(
            name=str(data["event"]),
            delivery_id=str(data["delivery_id"]),
            payload=Payload.parse(raw),
        )


def sign(body: bytes, secret: str) -> str:
    """The `X-Hub-Signature-256` value GitHub sends for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, signature: str | None, secret: str | None) -> None:
    """Fail closed: with a secret, a missing or wrong signature is an error, and vice versa."""
    if secret is None:
        if signature:
            raise BadSignatureError("request is signed but no webhook secret is configured")
        return
    if not signature:
        raise BadSignatureError("missing X-Hub-Signature-256 header")
    if not hmac.compare_digest(sign(body, secret).encode(), signature.strip().encode()):
        raise BadSignatureError("X-Hub-Signature-256 does not match the body")
