"""GitHub misbehaving: retried within a bounded budget, waits honoured, client errors fail fast."""

from __future__ import annotations

import pytest

from bot.emulator.testing import EmulatorHandle
from bot.errors import GitHubError, GitHubUnavailableError, NotFoundError
from bot.github import PyGithubRepo
from tests.bot.github.conftest import REPO, Arrivals


def test_a_502_then_success_is_one_successful_call_for_the_caller(
    emulator: EmulatorHandle, bot: PyGithubRepo, arrivals: Arrivals
) -> None:
    emulator.inject_fault("POST", r"/repos/acme/widgets/issues$", "502")

    issue = bot.create_issue("Add Widget entity", "please")

    assert issue.title == "Add Widget entity"
    assert len(arrivals.to("POST", "/issues")) == 2  # the 502, then the retry
    titles = [i.title for i in emulator.github("maintainer").get_repo(REPO).get_issues()]
    assert titles == ["Add Widget entity"]


def test_a_secondary_rate_limit_waits_retry_after_then_succeeds(
    emulator: EmulatorHandle, bot: PyGithubRepo, arrivals: Arrivals
) -> None:
    issue = bot.create_issue("Add Widget entity", "please")
    emulator.inject_fault("POST", rf"/issues/{issue.number}/comments$", "secondary_rate_limit")

    comment = bot.upsert_comment(issue.number, "run-summary", "started")

    attempts = arrivals.to("POST", f"/issues/{issue.number}/comments")
    assert len(attempts) == 2
    assert (
        attempts[1].at_monotonic - attempts[0].at_monotonic >= 1.0
    )  # the fault answered Retry-After: 1
    assert bot.find_comment(issue.number, "run-summary") == comment


def test_a_primary_rate_limit_waits_for_the_reset(
    emulator: EmulatorHandle, bot: PyGithubRepo, arrivals: Arrivals
) -> None:
    emulator.inject_fault("GET", r"/issues/1$", "rate_limit")
    bot.create_issue("Add Widget entity", "please")

    assert bot.get_issue(1).number == 1

    attempts = arrivals.to("GET", "/issues/1")
    assert len(attempts) == 2
    assert (
        attempts[1].at_monotonic - attempts[0].at_monotonic >= 0.9
    )  # X-RateLimit-Reset was at least 1 s ahead


def test_a_server_that_keeps_failing_ends_in_a_retryable_error(
    emulator: EmulatorHandle, bot: PyGithubRepo, arrivals: Arrivals
) -> None:
    emulator.inject_fault("GET", r"/issues/1$", "502", count=10)

    with pytest.raises(GitHubUnavailableError, match="502") as caught:
        bot.get_issue(1)

    assert caught.value.retryable
    assert len(arrivals.to("GET", "/issues/1")) == 4  # first try + the budget of 3 retries


def test_client_errors_fail_fast_without_retries(
    emulator: EmulatorHandle, bot: PyGithubRepo, arrivals: Arrivals
) -> None:
    with pytest.raises(GitHubError) as caught:
        bot.ensure_label("broken", "not-a-color")
    assert caught.value.status == 422
    assert not caught.value.retryable
    assert len(arrivals.to("POST", "/labels")) == 1

    with pytest.raises(NotFoundError, match=r"get_issue\(999\)"):
        bot.get_issue(999)
    assert len(arrivals.to("GET", "/issues/999")) == 1


def test_no_commits_between_branches_is_a_client_error(bot: PyGithubRepo) -> None:
    main = bot.branch_sha("main")
    assert main is not None
    bot.ensure_branch("issuebot/empty", sha=main)
    with pytest.raises(GitHubError) as caught:
        bot.ensure_pull_request(head="issuebot/empty", base="main", title="t", body="b")
    assert caught.value.status == 422


def test_a_wait_longer_than_the_budget_fails_at_once_as_retryable(
    emulator: EmulatorHandle, bot: PyGithubRepo, arrivals: Arrivals
) -> None:
    # Retry-After: 30 while the fast budget allows at most 5 s per wait.
    emulator.inject_fault("GET", r"/issues/1$", "secondary_rate_limit", delay=30)

    with pytest.raises(GitHubUnavailableError, match="wait 30s") as caught:
        bot.get_issue(1)

    assert caught.value.retryable
    assert len(arrivals.to("GET", "/issues/1")) == 1


def test_concurrent_creates_that_collide_converge_on_one_label_and_one_branch(
    emulator: EmulatorHandle, bot: PyGithubRepo
) -> None:
    main = bot.branch_sha("main")
    assert main is not None
    emulator.inject_fault("POST", r"/labels$", "already_exists")
    emulator.inject_fault("POST", r"/git/refs$", "already_exists")

    label = bot.ensure_label("in-progress", "1d76db", "A run is working on it")
    sha = bot.ensure_branch("issuebot/race", sha=main)

    assert (label.name, label.color) == ("in-progress", "1d76db")
    assert sha == main
    assert emulator.emulator.faults.pending() == []
