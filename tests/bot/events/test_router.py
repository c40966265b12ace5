"""What each GitHub event asks of the bot, as a maintainer would describe it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.config import Labels, RepoConfig
from bot.events.event import Event
from bot.events.router import route
from tests.plugins.github_data import webhook_example

BOT = "issuebot[bot]"
CONFIG = RepoConfig()


def issue_event(
    action: str,
    *,
    labels: tuple[str, ...] = ("entity-request",),
    label: str | None = None,
    sender: str = "maintainer",
    sender_type: str = "User",
    state: str = "open",
    body: str = "spec",
    updated_at: str = "2026-01-01T00:00:00Z",
) -> Event:
    data: dict[str, Any] = webhook_example("issues", "opened")
    data["action"] = action
    data["issue"].update(
        labels=[{"name": n} for n in labels], state=state, body=body, updated_at=updated_at
    )
    data["sender"] = {"login": sender, "type": sender_type}
    if label is not None:
        data["label"] = {"name": label}
    return Event.from_json("issues", "d-1", json.dumps(data))


def comment_event(body: str, *, action: str = "created", login: str = "maintainer") -> Event:
    data: dict[str, Any] = webhook_example("issue_comment", "created")
    data["action"] = action
    data["comment"].update(body=body, id=99, user={"login": login, "type": "User"})
    data["sender"] = {"login": login, "type": "User"}
    return Event.from_json("issue_comment", "d-2", json.dumps(data))


def merged_pr_event(ref: str, *, merged: bool = True, sender: str = BOT) -> Event:
    data: dict[str, Any] = webhook_example("pull_request", "closed")
    data["pull_request"].update(merged=merged)
    data["pull_request"]["head"]["ref"] = ref
    data["sender"] = {"login": sender, "type": "Bot"}
    return Event.from_json("pull_request", "d-3", json.dumps(data))


@pytest.mark.parametrize(
    ("event", "kind"),
    [
        (issue_event("opened"), "request-validated"),
        (issue_event("edited"), "request-validated"),
        (issue_event("opened", labels=("bug",)), "ignore"),
        (issue_event("unlabeled", label="needs-review"), "implement"),
        (issue_event("labeled", labels=("entity-request", "bug"), label="approved"), "implement"),
        (issue_event("labeled", label="needs-review"), "ignore"),
        (issue_event("unlabeled", label="approved"), "ignore"),
        (issue_event("unlabeled", label="needs-review", state="closed"), "ignore"),
        (issue_event("unlabeled", labels=("bug",), label="needs-review"), "ignore"),
        (issue_event("unlabeled", label="needs-review", sender=BOT), "ignore"),
        (issue_event("unlabeled", label="needs-review", sender="ci", sender_type="Bot"), "ignore"),
        (issue_event("unlabeled", label="needs-review", sender="renovate[bot]"), "ignore"),
        (comment_event("/implement"), "implement"),
        (comment_event("/preview"), "preview"),
        (comment_event("/retry"), "retry"),
        (comment_event("/cancel"), "cancel"),
        (comment_event("/status"), "status"),
        (comment_event("/help"), "help"),
        (comment_event("/hold"), "hold"),
        (comment_event("/unhold"), "unhold"),
        (comment_event("/frobnicate"), "help"),
        (comment_event("thanks!"), "ignore"),
        (comment_event("/implement", action="edited"), "ignore"),
        (comment_event("/implement", login=BOT), "ignore"),
        (merged_pr_event("feat/issue-12-raw-data-source"), "pr-merged"),
        (merged_pr_event("feat/issue-12-raw-data-source", merged=False), "ignore"),
        (merged_pr_event("feature/other"), "ignore"),
    ],
)
def test_each_event_routes_to_one_intent(event: Event, kind: str) -> None:
    assert route(event, CONFIG, bot_login=BOT).kind == kind


def test_custom_label_names_from_the_repo_config_are_honoured() -> None:
    config = RepoConfig(labels=Labels(needs_review="triage:pending", entity_request="entity"))
    approval = issue_event("unlabeled", labels=("entity",), label="triage:pending")
    default_name = issue_event("unlabeled", labels=("entity",), label="needs-review")
    assert route(approval, config, bot_login=BOT).kind == "implement"
    assert route(default_name, config, bot_login=BOT).kind == "ignore"


def test_a_command_intent_carries_issue_actor_and_comment() -> None:
    intent = route(comment_event("/implement"), CONFIG, bot_login=BOT)
    assert (intent.repo, intent.number, intent.actor, intent.comment_id) == (
        "Codertocat/Hello-World",
        1,
        "maintainer",
        99,
    )
    assert intent.needs_permission


def test_an_unknown_command_is_answered_with_help_naming_it() -> None:
    intent = route(comment_event("/deploy"), CONFIG, bot_login=BOT)
    assert (intent.kind, intent.unknown_command) == ("help", "deploy")


def test_a_merged_bot_pr_names_its_issue_and_branch_even_when_the_bot_merged_it() -> None:
    intent = route(merged_pr_event("feat/issue-12-raw-data-source"), CONFIG, bot_login=BOT)
    assert (intent.number, intent.branch, intent.pr_numbers) == (
        12,
        "feat/issue-12-raw-data-source",
        (2,),
    )
    assert not intent.needs_permission


def test_completed_checks_carry_the_head_sha_and_pull_requests() -> None:
    data = webhook_example("check_suite", "completed")
    data["sender"] = {"login": BOT, "type": "Bot"}
    intent = route(Event.from_json("check_suite", "d", json.dumps(data)), CONFIG, bot_login=BOT)
    assert intent.kind == "checks-completed"
    assert intent.head_sha == data["check_suite"]["head_sha"]
    assert intent.pr_numbers == (2,)


def test_checks_on_a_bot_branch_without_pr_numbers_still_reach_the_gate() -> None:
    data = webhook_example("workflow_run", "completed")
    data["workflow_run"].update(pull_requests=[], head_branch="feat/issue-3-thing")
    intent = route(Event.from_json("workflow_run", "d", json.dumps(data)), CONFIG, bot_login=BOT)
    assert (intent.kind, intent.branch) == ("checks-completed", "feat/issue-3-thing")


def test_a_redelivered_event_has_the_same_semantic_key() -> None:
    first = route(issue_event("unlabeled", label="needs-review"), CONFIG, bot_login=BOT)
    again = route(issue_event("unlabeled", label="needs-review"), CONFIG, bot_login=BOT)
    assert first.dedupe_key == again.dedupe_key


def test_a_second_approval_after_changes_is_a_new_semantic_key() -> None:
    first = route(issue_event("unlabeled", label="needs-review"), CONFIG, bot_login=BOT)
    later = route(
        issue_event("unlabeled", label="needs-review", updated_at="2026-02-01T00:00:00Z"),
        CONFIG,
        bot_login=BOT,
    )
    assert first.dedupe_key != later.dedupe_key


def test_an_unchanged_edit_is_the_same_validation_and_a_changed_body_is_not() -> None:
    one = route(issue_event("edited", body="a"), CONFIG, bot_login=BOT).dedupe_key
    same = route(issue_event("edited", body="a"), CONFIG, bot_login=BOT).dedupe_key
    other = route(issue_event("edited", body="b"), CONFIG, bot_login=BOT).dedupe_key
    assert one == same != other


def test_semantic_keys_never_contain_user_text() -> None:
    event = issue_event("edited", body="<script>alert(1)</script>")
    assert "script" not in route(event, CONFIG, bot_login=BOT).dedupe_key


def test_events_without_a_repository_are_ignored_with_a_reason() -> None:
    data = webhook_example("installation", "created")
    intent = route(Event.from_json("installation", "d", json.dumps(data)), CONFIG, bot_login=BOT)
    assert intent.kind == "ignore"
    assert "no repository" in intent.reason
