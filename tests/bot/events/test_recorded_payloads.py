"""Every recorded GitHub payload of the events we subscribe to parses and routes as expected.

The expected intent is written here as an explicit rule per (event, action) and payload
facts, never by calling the router; each payload is also run in variants that make it
relevant to us (entity-request label, a `/implement` comment, a merged bot branch).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.config import RepoConfig
from bot.events.event import Event
from bot.events.router import route
from tests.plugins.github_data import webhook_examples

EVENTS = (
    "issues",
    "issue_comment",
    "pull_request",
    "check_suite",
    "check_run",
    "workflow_run",
    "ping",
    "installation",
)
BOT = "issuebot[bot]"
CHECKS = ("check_suite", "check_run", "workflow_run")


def _cases() -> list[Any]:
    cases = []
    for name in EVENTS:
        for i, payload in enumerate(webhook_examples()[name]):
            for variant in ("recorded", "relevant"):
                label = f"{name}.{payload.get('action')}[{i}]-{variant}"
                cases.append(pytest.param(name, payload, variant, id=label))
    return cases


def _relevant(name: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The same payload as it would look on an entity request handled by the bot."""
    data: dict[str, Any] = json.loads(json.dumps(payload))
    if "issue" in data:
        data["issue"]["labels"] = [*data["issue"].get("labels", []), {"name": "entity-request"}]
    if name == "issues" and data.get("label"):
        data["label"]["name"] = "needs-review" if data["action"] == "unlabeled" else "approved"
    if name == "issue_comment":
        data["comment"]["body"] = "Looks good.\n/implement\n"
    if name == "pull_request":
        data["pull_request"]["merged"] = data["action"] == "closed"
        data["pull_request"]["head"]["ref"] = "feat/issue-7-raw-data-source"
    return data


def _expected(name: str, data: dict[str, Any]) -> str:
    """The rule, stated per event: what a maintainer expects the bot to do."""
    action = data.get("action")
    sender = data.get("sender") or {}
    from_bot = sender.get("type") == "Bot" or sender.get("login", "").endswith("[bot]")
    if name in ("ping", "installation"):
        return "ignore"
    if name in CHECKS:
        target = data[name]
        on_pr = bool(target.get("pull_requests"))
        return "checks-completed" if action == "completed" and on_pr else "ignore"
    if name == "pull_request":
        pr = data["pull_request"]
        merged_bot_branch = pr.get("merged") and pr["head"]["ref"].startswith("feat/issue-")
        return "pr-merged" if action == "closed" and merged_bot_branch else "ignore"
    issue = data["issue"]
    labels = {label["name"] for label in issue.get("labels") or []}
    if from_bot or (name == "issues" and "entity-request" not in labels):
        return "ignore"
    if name == "issue_comment":
        has_command = data["comment"]["body"].splitlines()[1:2] == ["/implement"]
        return "implement" if action == "created" and has_command else "ignore"
    if "pull_request" in issue:
        return "ignore"
    if action in ("opened", "edited"):
        return "request-validated"
    label = (data.get("label") or {}).get("name")
    approve = (action, label) in {("unlabeled", "needs-review"), ("labeled", "approved")}
    return "implement" if approve and issue["state"] == "open" else "ignore"


@pytest.mark.parametrize(("name", "payload", "variant"), _cases())
def test_recorded_payload_parses_and_routes_to_the_expected_intent(
    name: str, payload: dict[str, Any], variant: str
) -> None:
    data = payload if variant == "recorded" else _relevant(name, payload)
    event = Event.from_json(name, "delivery-1", json.dumps(data).encode())

    intent = route(event, RepoConfig(), bot_login=BOT)

    assert intent.kind == _expected(name, data), intent.reason
    assert event.repo == (data.get("repository") or {}).get("full_name")
    if intent.kind != "ignore":
        assert intent.repo == data["repository"]["full_name"]
        assert intent.dedupe_key.startswith(f"{intent.repo}#")
        assert intent.delivery_id == "delivery-1"


def test_every_subscribed_event_has_recorded_examples() -> None:
    examples = webhook_examples()
    assert all(len(examples[name]) > 0 for name in EVENTS)


def test_the_relevant_variants_reach_every_non_ignore_intent_they_can() -> None:
    kinds = set()
    for name in EVENTS:
        for payload in webhook_examples()[name]:
            data = _relevant(name, payload)
            event = Event.from_json(name, "d", json.dumps(data).encode())
            kinds.add(route(event, RepoConfig(), bot_login=BOT).kind)
    assert kinds == {"ignore", "request-validated", "implement", "pr-merged", "checks-completed"}
