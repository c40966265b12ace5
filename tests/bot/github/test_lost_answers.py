"""A write GitHub applied but answered 502: the bot looks before re-sending, so nothing doubles."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.emulator.testing import EmulatorHandle
from bot.errors import GitHubUnavailableError
from bot.github import PyGithubRepo
from tests.bot.github.conftest import BOT, REPO, Arrivals, push_branch


def test_upsert_comment_after_a_lost_answer_leaves_one_comment(
    emulator: EmulatorHandle, bot: PyGithubRepo, arrivals: Arrivals
) -> None:
    issue = bot.create_issue("Add Widget entity", "please")
    emulator.inject_fault("POST", rf"/issues/{issue.number}/comments$", "502_after_write")

    comment = bot.upsert_comment(issue.number, "run-summary", "Run started")

    listed = bot.list_comments(issue.number)
    assert [(c.id, c.author) for c in listed] == [(comment.id, BOT)]
    assert comment.body.endswith("Run started")
    posts = arrivals.to("POST", f"/issues/{issue.number}/comments")
    assert [p.status for p in posts] == [502]  # found by its marker, never re-posted


def test_ensure_pull_request_after_a_lost_answer_opens_one_pull_request(
    emulator: EmulatorHandle, bot: PyGithubRepo, tmp_path: Path, arrivals: Arrivals
) -> None:
    push_branch(bot.clone_url(), tmp_path, "feat/issue-3-x", {"x.py": "x = 1\n"})
    emulator.inject_fault("POST", r"/pulls$", "502_after_write")

    pr = bot.ensure_pull_request(head="feat/issue-3-x", base="main", title="Add X", body="b")

    pulls = emulator.github("maintainer").get_repo(REPO).get_pulls(state="all")
    assert [(p.number, p.head.ref) for p in pulls] == [(pr.number, "feat/issue-3-x")]
    assert [p.status for p in arrivals.to("POST", "/pulls")] == [502]


def test_create_issue_and_check_run_after_lost_answers_exist_once(
    emulator: EmulatorHandle, bot: PyGithubRepo, arrivals: Arrivals
) -> None:
    emulator.inject_fault("POST", r"/issues$", "502_after_write")
    issue = bot.create_issue("Add Gadget entity", "spec v1", ["enhancement"])
    main = bot.branch_sha("main")
    assert main is not None
    emulator.inject_fault("POST", r"/check-runs$", "502_after_write")
    run = bot.create_check_run(name="issuebot/tests", head_sha=main, status="in_progress")

    titles = [i.title for i in emulator.github("maintainer").get_repo(REPO).get_issues()]
    assert titles == ["Add Gadget entity"]
    assert issue.labels == ("enhancement",)
    assert [(r.id, r.name) for r in bot.list_check_runs(main)] == [(run.id, "issuebot/tests")]
    assert [p.status for p in arrivals.to("POST", "/check-runs")] == [502]


def test_a_plain_502_on_a_create_is_sent_again_once_nothing_was_found(
    emulator: EmulatorHandle, bot: PyGithubRepo, arrivals: Arrivals
) -> None:
    issue = bot.create_issue("Add Widget entity", "please")
    emulator.inject_fault("POST", rf"/issues/{issue.number}/comments$", "502")

    bot.upsert_comment(issue.number, "preview", "3 files would change")

    posts = arrivals.to("POST", f"/issues/{issue.number}/comments")
    assert [p.status for p in posts] == [502, 201]
    assert len(bot.list_comments(issue.number)) == 1


def test_a_create_that_keeps_failing_gives_up_with_a_retryable_error(
    emulator: EmulatorHandle, bot: PyGithubRepo, arrivals: Arrivals
) -> None:
    issue = bot.create_issue("Add Widget entity", "please")
    emulator.inject_fault("POST", rf"/issues/{issue.number}/comments$", "502", count=10)

    with pytest.raises(GitHubUnavailableError) as caught:
        bot.upsert_comment(issue.number, "preview", "3 files would change")

    assert caught.value.retryable
    assert len(arrivals.to("POST", f"/issues/{issue.number}/comments")) == 4  # budget: 3 more
    assert bot.list_comments(issue.number) == ()
