"""What the bot reads and the small writes around issues: permissions, files, labels, checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.emulator.testing import EmulatorHandle
from bot.github import CheckOutput, PyGithubRepo
from tests.bot.github.conftest import BOT, REPO, push_branch


@pytest.mark.parametrize(
    ("login", "expected"),
    [
        ("maintainer", "admin"),
        ("writer", "write"),
        ("reader", "read"),
        ("stranger", "none"),
        (BOT, "write"),
        ("no-such-user", "none"),
    ],
)
def test_permission_of_each_default_user(bot: PyGithubRepo, login: str, expected: str) -> None:
    assert bot.permission(login) == expected


def test_permission_follows_changes_of_the_role(
    emulator: EmulatorHandle, bot: PyGithubRepo
) -> None:
    emulator.set_permission(REPO, "stranger", "triage")
    emulator.set_permission(REPO, "writer", "maintain")
    assert (bot.permission("stranger"), bot.permission("writer")) == ("triage", "maintain")


def test_read_file_finds_text_and_reports_absence(bot: PyGithubRepo) -> None:
    assert bot.default_branch() == "main"
    assert bot.read_file("README.md") == "# widgets\n\nThe acme widgets service.\n"
    assert bot.read_file(".github/issuebot.yml") is None
    assert bot.read_file("widgets") is None  # a directory is not a config file


def test_labels_on_issues_and_open_issue_listing(bot: PyGithubRepo, tmp_path: Path) -> None:
    request = bot.create_issue("Add Widget", "spec", ["needs-review"])
    other = bot.create_issue("Unrelated bug", "it broke", ["bug"])
    push_branch(bot.clone_url(), tmp_path, "issuebot/x", {"x.py": "x = 1\n"})
    pr = bot.ensure_pull_request(
        head="issuebot/x", base="main", title="x", body="b", labels=["needs-review"]
    )

    bot.add_labels(request.number, ["approved", "entity request"])
    bot.remove_label(request.number, "needs-review")
    bot.remove_label(request.number, "never-there")

    assert bot.get_issue(request.number).labels == ("approved", "entity request")
    assert [i.number for i in bot.list_open_issues()] == [other.number, request.number]
    assert [i.number for i in bot.list_open_issues("approved")] == [request.number]
    assert pr.number not in [i.number for i in bot.list_open_issues("needs-review")]


def test_edit_and_reopen_an_issue(bot: PyGithubRepo, emulator: EmulatorHandle) -> None:
    issue = bot.create_issue("Add Widget", "draft")
    emulator.github("maintainer").get_repo(REPO).get_issue(issue.number).edit(state="closed")
    edited = bot.edit_issue(issue.number, title="Add Widget entity", body="v2", state="open")
    assert (edited.title, edited.body, edited.state) == ("Add Widget entity", "v2", "open")


def test_reactions_on_an_issue_and_on_a_comment(
    emulator: EmulatorHandle, bot: PyGithubRepo
) -> None:
    issue = bot.create_issue("Add Widget", "spec")
    command = emulator.github("maintainer").get_repo(REPO).get_issue(issue.number)
    comment = command.create_comment("/implement")

    bot.add_reaction("eyes", comment_id=comment.id)
    bot.add_reaction("rocket", issue=issue.number)

    assert [r.content for r in comment.get_reactions()] == ["eyes"]
    assert [r.content for r in command.get_reactions()] == ["rocket"]


def test_check_runs_statuses_and_required_checks(
    emulator: EmulatorHandle, bot: PyGithubRepo, tmp_path: Path
) -> None:
    sha = push_branch(bot.clone_url(), tmp_path, "issuebot/checks", {"c.py": "c = 1\n"})
    run = bot.create_check_run(name="issuebot/tests", head_sha=sha, status="in_progress")
    done = bot.update_check_run(
        run.id, conclusion="success", output=CheckOutput("Tests passed", "12 passed")
    )
    emulator.post_check(REPO, sha, "lint", "failure")

    runs = {r.name: r.conclusion for r in bot.list_check_runs(sha)}
    assert (done.id, done.status, done.conclusion) == (run.id, "completed", "success")
    assert runs == {"issuebot/tests": "success", "lint": "failure"}
    assert bot.combined_status(sha).sha == sha
    assert bot.required_checks("main") == ()
    emulator.set_required_checks(REPO, "main", ["issuebot/tests", "lint"])
    assert bot.required_checks("main") == ("issuebot/tests", "lint")
