"""Merging, deleting branches and closing issues happen only with an approval, and are audited."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.emulator.testing import EmulatorHandle
from bot.errors import GitHubError, PolicyDeniedError
from bot.github import Approval, JsonlAuditSink, PullRequest, PyGithubRepo
from tests.bot.github.conftest import REPO, push_branch


def open_pull(bot: PyGithubRepo, tmp_path: Path, number: int) -> PullRequest:
    branch = f"issuebot/issue-{number}"
    push_branch(bot.clone_url(), tmp_path, branch, {f"entity_{number}.py": "x = 1\n"})
    return bot.ensure_pull_request(
        head=branch, base="main", title=f"Entity {number}", body=f"Closes #{number}"
    )


def test_merge_without_approval_never_reaches_github(
    emulator: EmulatorHandle, bot: PyGithubRepo, audit_log: JsonlAuditSink, tmp_path: Path
) -> None:
    pr = open_pull(bot, tmp_path, 1)
    # A trap: any merge request reaching the emulator would consume this fault.
    emulator.inject_fault("*", rf"/pulls/{pr.number}/merge$", "502")

    with pytest.raises(PolicyDeniedError, match="no approval"):
        bot.merge_pull(pr.number, sha=pr.head_sha, method="squash", approval=None)  # type: ignore[arg-type]

    assert len(emulator.emulator.faults.pending()) == 1
    assert not emulator.github("maintainer").get_repo(REPO).get_pull(pr.number).merged
    [event] = audit_log.read()
    assert (event["operation"], event["outcome"], event["subject"]) == (
        "merge_pull",
        "denied",
        str(pr.number),
    )


def test_an_approved_merge_is_applied_and_audited(
    emulator: EmulatorHandle, bot: PyGithubRepo, audit_log: JsonlAuditSink, tmp_path: Path
) -> None:
    issue = bot.create_issue("Entity request", "please")
    pr = open_pull(bot, tmp_path, issue.number)
    approval = Approval.merge(REPO, pr.number, actor="gate:auto-merge", reason="low risk")

    merge_sha = bot.merge_pull(pr.number, sha=pr.head_sha, method="squash", approval=approval)

    assert bot.get_pull(pr.number).merged
    assert bot.branch_sha("main") == merge_sha
    assert bot.get_issue(issue.number).state == "closed"  # "Closes #N" in the PR body
    [event] = audit_log.read()
    assert event["outcome"] == "ok"
    assert event["approval"] == approval.as_dict()
    assert (event["operation"], event["repo"]) == ("merge_pull", REPO)


def test_a_merge_of_a_moved_head_fails_and_is_audited_as_failed(
    bot: PyGithubRepo, audit_log: JsonlAuditSink, tmp_path: Path
) -> None:
    pr = open_pull(bot, tmp_path, 2)
    approval = Approval.merge(REPO, pr.number, actor="maintainer", reason="/merge")

    with pytest.raises(GitHubError) as caught:
        bot.merge_pull(pr.number, sha="0" * 40, method="merge", approval=approval)

    assert caught.value.status == 409
    assert not bot.get_pull(pr.number).merged
    assert [e["outcome"] for e in audit_log.read()] == ["failed"]


def test_branch_deletion_and_issue_closing_need_their_own_approvals(
    bot: PyGithubRepo, audit_log: JsonlAuditSink
) -> None:
    main = bot.branch_sha("main")
    assert main is not None
    bot.ensure_branch("issuebot/old", sha=main)
    issue = bot.create_issue("Duplicate request", "same as #1")

    with pytest.raises(PolicyDeniedError):
        bot.delete_branch(
            "issuebot/old", approval=Approval.close_issue(REPO, 1, actor="m", reason="x")
        )
    drop = Approval.delete_branch(REPO, "issuebot/old", actor="gate:cleanup", reason="merged")
    assert bot.delete_branch("issuebot/old", approval=drop) is True
    assert bot.delete_branch("issuebot/old", approval=drop) is False
    assert bot.branch_sha("issuebot/old") is None

    close = Approval.close_issue(REPO, issue.number, actor="maintainer", reason="duplicate")
    closed = bot.close_issue(issue.number, approval=close, reason="not_planned")
    assert (closed.state, closed.state_reason) == ("closed", "not_planned")
    outcomes = [(e["operation"], e["outcome"]) for e in audit_log.read()]
    assert outcomes == [
        ("delete_branch", "denied"),
        ("delete_branch", "ok"),
        ("delete_branch", "ok"),
        ("close_issue", "ok"),
    ]
