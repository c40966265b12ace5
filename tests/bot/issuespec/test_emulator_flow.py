"""The seed's phases 1 and 2 against the local GitHub: file, review, edit, break, fix."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.config import RepoConfig
from bot.emulator.testing import EmulatorHandle
from bot.errors import SpecError
from bot.github import ClientOptions, GitHubRepo, MemoryAuditSink, connect_repo
from bot.issuespec.handlers import on_issue_changed
from bot.issuespec.parse import parse_issue_body
from bot.issuespec.request import FeatureRequest
from bot.issuespec.request_feature import request_feature
from bot.issuespec.review import REVIEW_MARKER
from bot.issuespec.summary import SUMMARY_MARKER
from bot.settings import Settings
from tests.bot.issuespec.seed import SEED_DEFINITION, SEED_REQUEST, TAGS_FIELD, with_tags
from tests.plugins.emulator import WebhookReceiver

BOT = "issuebot[bot]"
REPO = "acme/widgets"
CONFIG = RepoConfig()
TAGS_LINE = "    " + json.dumps(TAGS_FIELD) + ","


def repo_as(emulator: EmulatorHandle, login: str) -> GitHubRepo:
    """The repository through our GitHub layer (PyGithub over HTTP), acting as ``login``."""
    token = SecretStr(emulator.token(login))
    settings = Settings(GITHUB_API_URL=emulator.api_url, GITHUB_TOKEN=token)
    return connect_repo(settings, REPO, MemoryAuditSink(), ClientOptions.fast())


@pytest.fixture
def as_user(emulator: EmulatorHandle) -> Callable[[str], GitHubRepo]:
    """``repo_as`` bound to this test's emulator."""
    return lambda login: repo_as(emulator, login)


def review_comments(repo: GitHubRepo, number: int) -> list[str]:
    return [c.body for c in repo.list_comments(number) if f"issuebot:{REVIEW_MARKER}" in c.body]


def test_request_review_edit_break_and_fix(as_user: Callable[[str], GitHubRepo]) -> None:
    bot, maintainer = as_user(BOT), as_user("maintainer")

    number, url = request_feature(bot, FeatureRequest.model_validate(SEED_REQUEST), CONFIG)

    issue = maintainer.get_issue(number)
    assert url == issue.html_url
    assert {"needs-review", "entity-request"} <= set(issue.labels)
    assert "\n```json\n{\n" in issue.body
    assert parse_issue_body(issue.body).definition == SEED_DEFINITION
    summary = maintainer.find_comment(number, SUMMARY_MARKER)
    assert summary is None  # find_comment only finds the caller's own comments
    bot_summary = bot.find_comment(number, SUMMARY_MARKER)
    assert bot_summary is not None and "**13 fields**" in bot_summary.body

    # Review: the maintainer adds the seed's `tags` field by editing one line of the block.
    edited = issue.body.replace(
        '    {"name": "created_at"', TAGS_LINE + '\n    {"name": "created_at"'
    )
    maintainer.edit_issue(number, body=edited)
    outcome = on_issue_changed(bot, number, CONFIG)

    assert outcome.valid and outcome.entity is not None
    assert "tags" in [f.name for f in outcome.entity.fields]
    assert parse_issue_body(bot.get_issue(number).body).definition == with_tags()
    refreshed = bot.find_comment(number, SUMMARY_MARKER)
    assert refreshed is not None and refreshed.id == bot_summary.id
    assert "**14 fields**" in refreshed.body
    assert review_comments(bot, number) == []

    # A careless edit breaks the JSON: one review comment with line and column, and the label.
    broken = edited.replace('"tags", "type": "json"', '"tags" "type": "json"')
    maintainer.edit_issue(number, body=broken)
    failed = on_issue_changed(bot, number, CONFIG)

    assert failed.status == "invalid"
    [comment] = review_comments(bot, number)
    # Block line 16 is the tags field (after "{", name, layer, "fields": [ and 11 seed fields);
    # the missing comma is noticed at `"type"`, column 21.
    assert "invalid JSON at line 16, column 21 of the entity definition block" in comment
    assert "spec-invalid" in bot.get_issue(number).labels
    first = bot.find_comment(number, REVIEW_MARKER)
    assert first is not None

    # Fixed again: the same comment says so and the label goes.
    maintainer.edit_issue(number, body=edited)
    fixed = on_issue_changed(bot, number, CONFIG)

    assert fixed.valid
    [comment] = review_comments(bot, number)
    assert "valid again" in comment
    assert bot.find_comment(number, REVIEW_MARKER).id == first.id  # type: ignore[union-attr]
    assert "spec-invalid" not in bot.get_issue(number).labels
    assert {"needs-review", "entity-request"} <= set(bot.get_issue(number).labels)


def test_an_invalid_request_creates_no_issue(as_user: Callable[[str], GitHubRepo]) -> None:
    bot = as_user(BOT)
    definition = {**SEED_DEFINITION, "fields": [{"name": "__class__", "type": "string"}]}

    with pytest.raises(SpecError, match=r"fields\[0\]\.name"):
        request_feature(
            bot,
            FeatureRequest.model_validate({**SEED_REQUEST, "entity_definition": definition}),
            CONFIG,
        )

    assert bot.list_open_issues() == ()


@pytest.mark.slow
def test_request_feature_command_files_the_issue(emulator: EmulatorHandle, tmp_path: Path) -> None:
    request = tmp_path / "request.json"
    request.write_text(json.dumps(SEED_REQUEST))
    env = {
        **os.environ,
        "GITHUB_API_URL": emulator.api_url,
        "GITHUB_TOKEN": emulator.token(BOT),
    }
    env.pop("GITHUB_APP_ID", None)

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.cli.main",
            "request-feature",
            "--repo",
            REPO,
            "--file",
            str(request),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("issue #1: ")
    issue = emulator.github("maintainer").get_repo(REPO).get_issue(1)
    assert {label.name for label in issue.labels} == {"needs-review", "entity-request"}


def test_the_edited_webhook_carries_what_the_review_needs(
    emulator_with_hooks: tuple[EmulatorHandle, WebhookReceiver],
) -> None:
    emulator, receiver = emulator_with_hooks
    settings = Settings(
        GITHUB_API_URL=emulator.api_url, GITHUB_TOKEN=SecretStr(emulator.token(BOT))
    )
    bot = connect_repo(settings, REPO, MemoryAuditSink(), ClientOptions.fast())
    number, _ = request_feature(bot, FeatureRequest.model_validate(SEED_REQUEST), CONFIG)
    opened = receiver.wait_for("issues", "opened")
    assert opened.signature_ok and opened.payload["issue"]["number"] == number

    maintainer = emulator.github("maintainer").get_repo(REPO).get_issue(number)
    maintainer.edit(body=maintainer.body.replace('"max_length": 100}', '"max_length": 100'))
    edited = receiver.wait_for("issues", "edited")
    outcome = on_issue_changed(bot, edited.payload["issue"]["number"], CONFIG)

    assert edited.signature_ok and edited.payload["sender"]["login"] == "maintainer"
    assert outcome.status == "invalid"
    assert "spec-invalid" in bot.get_issue(number).labels
    # The bot's own writes (comments, labels) never edit the issue: no feedback loop.
    assert [h.action for h in receiver.received if h.event == "issues"].count("edited") == 1
