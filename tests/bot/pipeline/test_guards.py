"""Runs that must not start or must stop early: nothing is pushed, the issue says why."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.errors import (
    ConfigError,
    GitError,
    IssuebotError,
    LockConflictError,
    NotApprovedError,
    NotFoundError,
    PermissionDeniedError,
    UsageError,
)
from bot.locks import SqlLockManager, issue_lock_key
from bot.pipeline import Orchestrator, repo_from_path
from tests.bot.pipeline.conftest import Target


def test_an_issue_still_in_review_is_not_implemented(make_target: Callable[..., Target]) -> None:
    target = make_target()
    number = target.file_request(approve=False)
    with pytest.raises(NotApprovedError, match="needs-review"):
        target.orchestrator().implement_issue(number)
    labels = target.bot.get_issue(number).labels
    assert "bot-failed" in labels and "in-progress" not in labels
    assert target.bot.find_pull(f"feat/issue-{number}-widget", state="all") is None
    run = target.store.list_runs(repo=target.full_name, issue=number)[0]
    assert run.status == "failed" and run.error_kind == "not-approved"


def test_implement_by_a_reader_does_not_approve_a_request(
    make_target: Callable[..., Target],
) -> None:
    target = make_target()
    number = target.file_request(approve=False)
    with pytest.raises(PermissionDeniedError, match="@reader has read access"):
        target.orchestrator().implement_issue(number, actor="reader", trigger="implement")
    assert target.remote_sha(f"feat/issue-{number}-widget") is None


def test_an_unknown_issue_is_a_not_found_error_and_leaves_no_run(
    make_target: Callable[..., Target],
) -> None:
    target = make_target()
    with pytest.raises(NotFoundError, match="issue #999 does not exist"):
        target.orchestrator().implement_issue(999)
    assert target.store.list_runs(repo=target.full_name, issue=999) == []


def test_without_credentials_nothing_is_recorded(make_target: Callable[..., Target]) -> None:
    target = make_target()
    number = target.file_request()
    settings = target.settings.model_copy(update={"github_token": None})
    orchestrator = Orchestrator(repo=target.full_name, store=target.store, settings=settings)
    with pytest.raises(ConfigError, match="no GitHub credentials"):
        orchestrator.implement_issue(number)
    assert target.store.list_runs(repo=target.full_name, issue=number) == []


def test_a_branch_with_a_humans_commits_is_never_rewritten(
    make_target: Callable[..., Target], tmp_path: Path
) -> None:
    target = make_target()
    number = target.file_request()
    branch = f"feat/issue-{number}-widget"
    human = tmp_path / "human"
    url = target.emulator.clone_url(target.full_name, "writer")
    git = ["git", "-c", "user.name=Writer", "-c", "user.email=writer@example.com"]
    subprocess.run([*git, "clone", "-q", url, str(human)], check=True)
    subprocess.run([*git, "checkout", "-q", "-b", branch], cwd=human, check=True)
    (human / "notes.md").write_text("my own work\n")
    subprocess.run([*git, "add", "."], cwd=human, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "mine"], cwd=human, check=True)
    subprocess.run([*git, "push", "-q", "origin", branch], cwd=human, check=True)
    before = target.remote_sha(branch)
    assert before is not None

    with pytest.raises(GitError, match="not authored by the bot"):
        target.orchestrator().implement_issue(number)
    assert target.remote_sha(branch) == before
    assert target.bot.find_pull(branch, state="all") is None


def test_a_second_request_while_one_runs_is_answered_already_running(
    make_target: Callable[..., Target],
) -> None:
    target = make_target()
    number = target.file_request()
    locks = SqlLockManager(target.store)
    lease = locks.acquire(issue_lock_key(target.full_name, number), 60, owner="other-worker")
    assert lease is not None
    try:
        with pytest.raises(LockConflictError, match="already running"):
            target.orchestrator(locks=locks).implement_issue(number)
    finally:
        lease.release()
    assert target.store.list_runs(repo=target.full_name, issue=number) == []


def test_status_and_cancel_without_runs_say_so(make_target: Callable[..., Target]) -> None:
    target = make_target()
    orchestrator = target.orchestrator()
    assert "no runs yet" in orchestrator.status(5)
    assert "nothing to cancel" in orchestrator.cancel(5)


def test_the_repository_is_inferred_from_the_checkouts_origin(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(
        ["git", "-C", str(tmp_path), "remote", "add", "origin", "git@github.com:acme/shop.git"],
        check=True,
    )
    assert repo_from_path(tmp_path) == "acme/shop"


def test_an_unexpected_crash_is_recorded_typed_and_redacted(
    make_target: Callable[..., Target],
) -> None:
    target = make_target()
    number = target.file_request()
    token = target.emulator.token("issuebot[bot]")

    def explode(step: str) -> None:
        if step == "workspace":
            raise RuntimeError(f"boom while talking to http://x:{token}@host/repo.git")

    with pytest.raises(IssuebotError, match="step workspace crashed: RuntimeError") as caught:
        target.orchestrator(after_step=explode).implement_issue(number)
    assert token not in caught.value.message
    (run,) = target.store.list_runs(repo=target.full_name, issue=number)
    assert run.status == "failed" and run.error_kind == "internal"
    assert token not in (run.error_message or "")
    assert "bot-failed" in target.bot.get_issue(number).labels


def test_a_malformed_feature_request_files_nothing(make_target: Callable[..., Target]) -> None:
    target = make_target()
    with pytest.raises(UsageError, match="title"):
        target.orchestrator().request_feature(
            "two\nlines", "d", "s", [], {"name": "Widget", "fields": []}, [], None
        )
    assert target.bot.list_open_issues() == ()
