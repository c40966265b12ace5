"""A repository that names approving teams: write permission alone no longer approves.

The config lives in the target repo's `.github/issuebot.yml`; commands arrive as the real
webhooks of the emulator and go through `process_event` with the real GitHub layer.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.emulator import gitrepo
from bot.emulator.testing import EmulatorHandle
from bot.github import MemoryAuditSink, connect_repo
from bot.settings import Settings
from bot.store import RunStore
from tests.bot.events.test_handlers_emulator import (
    BOT,
    REPO,
    RecordingRunner,
    World,
    entity_request,
)
from tests.plugins.emulator import WebhookReceiver

CONFIG = "approval:\n  min_permission: write\n  teams: [acme/approvers, release-crew]\n"


def commit_config(gh: EmulatorHandle, text: str) -> None:
    """Put `.github/issuebot.yml` on main, keeping every other file."""
    git_dir = gh.git_dir(REPO)
    parent = gitrepo.resolve(git_dir, "refs/heads/main")
    names = gitrepo.git(git_dir, "ls-tree", "-r", "--name-only", "main").splitlines()
    files = {name: gitrepo.read_blob(git_dir, "main", name) or b"" for name in names}
    files[".github/issuebot.yml"] = text.encode()
    gitrepo.commit_files(git_dir, "main", files, "Only approvers approve", parent)


@pytest.fixture
def world(
    emulator_with_hooks: tuple[EmulatorHandle, WebhookReceiver], tmp_path: Path
) -> Iterator[World]:
    gh, hooks = emulator_with_hooks
    commit_config(gh, CONFIG)
    settings = Settings(
        GITHUB_API_URL=gh.api_url, GITHUB_TOKEN=gh.token(BOT), ISSUEBOT_BOT_LOGIN=BOT
    )
    repo = connect_repo(settings, REPO, MemoryAuditSink())
    store = RunStore.open(f"sqlite:///{tmp_path / 'runs.db'}")
    yield World(gh, hooks, repo, RecordingRunner(), store)
    store.close()


def test_a_writer_outside_the_teams_is_refused_once_then_joins_and_implements(
    world: World,
) -> None:
    number = entity_request(world)

    first = world.comment("writer", number, "/implement")
    second = world.comment("writer", number, "/implement")

    assert (first.result, second.result) == ("refused", "refused")
    assert world.runner.calls == []
    [refusal] = [b for b in world.bot_comments(number) if "Thanks for the interest" in b]
    assert "**acme/approvers**, **release\\-crew**" in refusal
    assert "writer" in refusal
    assert "not a member of any approving team" in second.detail

    world.gh.add_team_member("acme", "release-crew", "writer")
    joined = world.comment("writer", number, "/implement")

    assert joined.result == "done"
    assert world.runner.calls == [("implement", REPO, number, "writer")]
    refusals = [b for b in world.bot_comments(number) if "Thanks for the interest" in b]
    assert refusals == [refusal]  # still the one comment, not one per attempt


def test_a_team_member_without_write_permission_is_still_refused(world: World) -> None:
    world.gh.add_team_member("acme", "approvers", "reader")
    number = entity_request(world)

    outcome = world.comment("reader", number, "/implement")

    assert outcome.result == "refused"
    assert world.runner.calls == []
    [refusal] = [b for b in world.bot_comments(number) if "Thanks for the interest" in b]
    assert "need **write** permission" in refusal


def test_a_label_approval_needs_a_team_member_too(world: World) -> None:
    world.gh.add_team_member("acme", "approvers", "writer")
    number = entity_request(world, ("entity-request", "needs-review"))

    world.as_user("maintainer", number).remove_from_labels("needs-review")
    refused = world.deliver("issues", "unlabeled")
    seen = len(world.hooks.received)  # the writer's events all arrive after this index
    world.as_user("writer", number).add_to_labels("needs-review")
    world.as_user("writer", number).remove_from_labels("needs-review")
    approved = world.deliver("issues", "unlabeled", after=seen)

    assert refused.result == "refused"  # an admin, but in neither team
    assert approved.result == "done"
    assert world.runner.calls == [("implement", REPO, number, "writer")]


def test_help_names_the_approving_teams(world: World) -> None:
    world.gh.add_team_member("acme", "approvers", "writer")
    number = entity_request(world)
    world.comment("writer", number, "/help")
    [help_text] = [b for b in world.bot_comments(number) if "| `/implement` |" in b]
    assert "membership of one of these teams: **acme/approvers**, **release\\-crew**." in help_text
