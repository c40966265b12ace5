"""An approval is for what the approver saw: stories an attacker would try, on the emulator.

The bot acts as the GitHub App (installation tokens minted by PyGithub); people act through
PyGithub with their own tokens; every event is the webhook the emulator signed and sent,
processed by `process_event` with the real GitHub layer and a real run store. Only the run
pipeline is a recording fake of our `Runner` Protocol (tests/bot/pipeline covers a real run).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.config import RepoConfig
from bot.emulator.testing import EmulatorHandle
from bot.events.event import Event
from bot.events.process import process_event
from bot.events.reconcile import reconcile_repo
from bot.events.wiring import StoreDedupe
from bot.github import MemoryAuditSink, connect_repo
from bot.issuespec.approval import approvals_of, live_approval
from bot.issuespec.render import render_issue_body
from bot.issuespec.request import FeatureRequest
from bot.issuespec.review import REVIEW_MARKER
from bot.settings import Settings
from bot.store import RunStore
from tests.bot.events.test_handlers_emulator import BOT, REPO, RecordingRunner, World
from tests.bot.issuespec.seed import SEED_REQUEST
from tests.plugins.emulator import WebhookReceiver

VALID = render_issue_body(FeatureRequest.model_validate(SEED_REQUEST), labels=RepoConfig().labels)


@pytest.fixture
def world(
    emulator_with_hooks: tuple[EmulatorHandle, WebhookReceiver], tmp_path: Path
) -> Iterator[World]:
    """acme/widgets seen by the bot in App mode, with a triage user besides the standard ones."""
    gh, hooks = emulator_with_hooks
    gh.add_user("triager", "ghp_triager_token")
    gh.set_permission(REPO, "triager", "triage")
    settings = Settings(
        GITHUB_API_URL=gh.api_url,
        GITHUB_APP_ID=gh.app_id,
        GITHUB_APP_PRIVATE_KEY=SecretStr(gh.app_private_key()),
        GITHUB_APP_INSTALLATION_ID=gh.installation_id(),
        ISSUEBOT_BOT_LOGIN=BOT,
    )
    repo = connect_repo(settings, REPO, MemoryAuditSink())
    store = RunStore.open(f"sqlite:///{tmp_path / 'runs.db'}")
    yield World(gh, hooks, repo, RecordingRunner(), store)
    store.close()


def request(world: World, body: str = VALID) -> int:
    """An entity request filed by the writer, waiting for review."""
    labels = ["entity-request", "needs-review"]
    writer = world.gh.github("writer").get_repo(REPO)
    issue = writer.create_issue("RawDataSource", body=body, labels=labels)
    return issue.number


def review_comment(world: World, number: int) -> str:
    found = world.repo.find_comment(number, REVIEW_MARKER)
    assert found is not None, "no review comment"
    return found.body


def test_an_edit_right_after_the_approval_builds_nothing_and_needs_a_new_approval(
    world: World,
) -> None:
    number = request(world)
    world.as_user("maintainer", number).remove_from_labels("needs-review")
    edited = VALID.replace('"max_length": 100', '"max_length": 101')
    world.as_user("writer", number).edit(body=edited)  # 0.0 s later, before any webhook is read

    approved = world.deliver("issues", "unlabeled")
    world.deliver("issues", "edited")

    assert approved.result == "ignored" and "edited after the approval" in approved.detail
    assert world.runner.calls == []
    assert "needs-review" in world.repo.get_issue(number).labels
    [approval] = approvals_of(world.store, REPO, number)
    assert approval.body == VALID and approval.revoked is not None  # what the maintainer saw
    text = review_comment(world, number)
    assert "Approval withdrawn" in text and "maintainer" in text
    reviews = [c for c in world.repo.list_comments(number) if REVIEW_MARKER in c.body]
    assert len(reviews) == 1  # the one review comment, edited in place

    # A new approval of the edited text builds the edited text.
    after = len(world.hooks.received)
    world.as_user("maintainer", number).remove_from_labels("needs-review")
    again = world.deliver("issues", "unlabeled", after=after)
    assert again.result == "done"
    live = live_approval(world.store, REPO, number)
    assert live is not None and live.body == edited
    assert world.runner.approvals == [live.id]
    assert "Approval withdrawn" not in review_comment(world, number)


def test_an_edit_while_the_run_is_queued_revokes_its_approval(world: World) -> None:
    number = request(world)
    world.as_user("maintainer", number).remove_from_labels("needs-review")
    world.deliver("issues", "unlabeled")
    [queued_for] = world.runner.approvals
    assert queued_for is not None

    world.as_user("writer", number).edit(body=VALID + "\nOne more thing.")
    world.deliver("issues", "edited")

    assert live_approval(world.store, REPO, number) is None  # the queued job will skip it
    assert "needs-review" in world.repo.get_issue(number).labels
    assert "Approval withdrawn" in review_comment(world, number)


def test_a_triage_users_label_removal_is_refused_and_the_label_put_back(world: World) -> None:
    number = request(world)
    world.as_user("triager", number).remove_from_labels("needs-review")

    outcome = world.deliver("issues", "unlabeled")

    assert outcome.result == "refused"
    assert world.runner.calls == []
    assert "needs-review" in world.repo.get_issue(number).labels
    [refusal] = [b for b in world.bot_comments(number) if "Thanks for the interest" in b]
    assert "**triage**" in refusal


def test_the_reconciler_refuses_a_triage_users_approval_too(world: World) -> None:
    number = request(world)
    world.as_user("triager", number).remove_from_labels("needs-review")  # webhook never read

    done = reconcile_repo(world.repo, runs=world.store, services=world.services)
    again = reconcile_repo(world.repo, runs=world.store, services=world.services)

    assert (done, again) == ([], [])
    assert world.runner.calls == []
    assert "needs-review" in world.repo.get_issue(number).labels
    assert approvals_of(world.store, REPO, number) == []
    refusals = [b for b in world.bot_comments(number) if "Thanks for the interest" in b]
    assert len(refusals) == 1 and "triager" in refusals[0]


def replay(world: World, event: str, action: str, new_id: str) -> str:
    """The first signed ``event.action`` delivery again, under a new delivery id."""
    hook = world.hooks.wait_for(event, action)
    headers = {**hook.headers, "X-GitHub-Delivery": new_id}
    replayed = Event.from_http(headers, hook.body, world.hooks.secret)
    outcome = process_event(
        replayed, repo_for=lambda _name: world.repo, services=world.services,
        dedupe=StoreDedupe(world.store),
    )  # fmt: skip
    return outcome.result


@pytest.fixture
def expired(world: World, tmp_path: Path) -> Iterator[World]:
    """The world with a run store whose dedupe window is over at once, as after a day."""
    world.store = RunStore.open(f"sqlite:///{tmp_path / 'late.db'}", semantic_window_seconds=0)
    assert world.store.semantic_window == timedelta(0)
    yield world
    world.store.close()


def test_a_replayed_approval_after_the_dedupe_window_is_a_no_op(expired: World) -> None:
    world = expired
    number = request(world)
    world.as_user("maintainer", number).remove_from_labels("needs-review")
    world.deliver("issues", "unlabeled")
    assert len(world.runner.calls) == 1

    result = replay(world, "issues", "unlabeled", "replayed-1")

    assert result == "ignored"
    assert len(world.runner.calls) == 1  # the approval was accepted once, not again
    assert len(approvals_of(world.store, REPO, number)) == 1


def test_a_replayed_approval_of_an_issue_under_review_again_does_nothing(expired: World) -> None:
    world = expired
    number = request(world)
    world.as_user("maintainer", number).remove_from_labels("needs-review")
    world.as_user("maintainer", number).add_to_labels("needs-review")  # changed their mind

    result = replay(world, "issues", "unlabeled", "replayed-2")

    assert result == "ignored"
    assert world.runner.calls == []
    assert approvals_of(world.store, REPO, number) == []


def test_a_command_whose_comment_was_deleted_does_nothing(world: World) -> None:
    number = request(world)
    comment = world.as_user("maintainer", number).create_comment("/implement")
    comment.delete()

    outcome = world.deliver("issue_comment", "created", comment_id=comment.id)

    assert outcome.result == "ignored" and "no longer exists" in outcome.detail
    assert world.runner.calls == []


def test_hold_by_a_read_user_is_refused_once(world: World) -> None:
    number = request(world)

    first = world.comment("reader", number, "/hold")
    second = world.comment("reader", number, "/unhold")

    assert (first.result, second.result) == ("refused", "refused")
    assert "hold" not in world.repo.get_issue(number).labels
    refusals = [b for b in world.bot_comments(number) if "Thanks for the interest" in b]
    assert len(refusals) == 1 and "need **write** permission" in refusals[0]
    held = world.comment("writer", number, "/hold")
    assert held.result == "done" and "hold" in world.repo.get_issue(number).labels
