"""A repository whose config points outside itself gets told so on the issue; nothing runs."""

from __future__ import annotations

from bot.github import MemoryAuditSink, connect_repo
from bot.settings import Settings
from tests.bot.events.test_handlers_emulator import BOT, World, world

__all__ = ["world"]  # the fixture, shared with the other emulator stories


def test_a_config_path_outside_the_repository_is_quoted_back_and_nothing_runs(
    world: World,
) -> None:
    config = "paths:\n  spec: ../../etc/issuebot/spec.json\n"
    world.gh.create_repo("acme/escape", {".github/issuebot.yml": config})
    world.gh.set_permission("acme/escape", BOT, "write")
    world.gh.set_permission("acme/escape", "writer", "write")
    settings = Settings(
        GITHUB_API_URL=world.gh.api_url, GITHUB_TOKEN=world.gh.token(BOT), ISSUEBOT_BOT_LOGIN=BOT
    )
    world.repo = connect_repo(settings, "acme/escape", MemoryAuditSink())
    issue = world.gh.github("writer").get_repo("acme/escape").create_issue("x", body="y")
    issue.create_comment("/implement")
    outcome = world.deliver("issue_comment", "created")
    assert outcome.result == "config-error"
    assert world.runner.calls == []
    [note] = world.bot_comments(issue.number)
    assert "paths.spec" in note and "has a '..' segment" in note
