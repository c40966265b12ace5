"""Faults on demand: the next K matching calls fail the way GitHub fails, then all is well."""

from __future__ import annotations

import time

import httpx
import pytest
from github import GithubException, RateLimitExceededException

from bot.emulator import gitrepo
from bot.emulator.testing import EmulatorHandle


def test_a_502_hits_only_the_next_matching_call(emulator: EmulatorHandle) -> None:
    emulator.inject_fault("GET", r"^/repos/acme/widgets$", "502", count=1)
    client = emulator.github("writer")
    with pytest.raises(GithubException) as caught:
        client.get_repo("acme/widgets")
    assert caught.value.status == 502
    assert client.get_repo("acme/widgets").full_name == "acme/widgets"


def test_count_makes_several_calls_fail(emulator: EmulatorHandle) -> None:
    emulator.inject_fault("GET", r"/user$", "502", count=2)
    url, headers = f"{emulator.api_url}/user", {"Authorization": "token ghp_writer_token"}
    statuses = [httpx.get(url, headers=headers).status_code for _ in range(3)]
    assert statuses == [502, 502, 200]


def test_faults_only_match_their_method(emulator: EmulatorHandle) -> None:
    emulator.inject_fault("POST", r"/issues$", "502")
    repo = emulator.github("writer").get_repo("acme/widgets")
    assert repo.get_issues().totalCount == 0
    with pytest.raises(GithubException):
        repo.create_issue("first try")
    assert repo.create_issue("second try").number == 1


def test_secondary_rate_limit_says_when_to_retry(emulator: EmulatorHandle) -> None:
    emulator.inject_fault("POST", r"/comments$", "secondary_rate_limit", delay=2)
    answer = httpx.post(
        f"{emulator.api_url}/repos/acme/widgets/issues/1/comments",
        headers={"Authorization": "token ghp_writer_token"},
        json={"body": "hi"},
    )
    assert answer.status_code == 403
    assert answer.headers["Retry-After"] == "2"
    assert "secondary rate limit" in answer.json()["message"]


def test_pygithub_recognises_the_secondary_rate_limit(emulator: EmulatorHandle) -> None:
    emulator.inject_fault("GET", r"^/repos/acme/widgets$", "secondary_rate_limit")
    with pytest.raises(RateLimitExceededException):
        emulator.github("writer").get_repo("acme/widgets")


def test_primary_rate_limit_reports_an_empty_budget(emulator: EmulatorHandle) -> None:
    emulator.inject_fault("GET", r"/user$", "rate_limit", delay=30)
    answer = httpx.get(
        f"{emulator.api_url}/user", headers={"Authorization": "token ghp_writer_token"}
    )
    assert answer.status_code == 403
    assert answer.headers["X-RateLimit-Remaining"] == "0"
    assert int(answer.headers["X-RateLimit-Reset"]) >= int(time.time()) + 29


def test_already_exists_applies_the_create_then_answers_422(emulator: EmulatorHandle) -> None:
    repo = emulator.github("writer").get_repo("acme/widgets")
    main = repo.get_branch("main").commit.sha
    gitrepo.commit_files(emulator.git_dir("acme/widgets"), "topic", {"x.txt": b"x"}, "x", main)
    emulator.inject_fault("POST", r"/pulls$", "already_exists")
    with pytest.raises(GithubException) as caught:
        repo.create_pull(base="main", head="topic", title="Topic")
    assert caught.value.status == 422
    assert caught.value.data["errors"][0]["message"] == (
        "A pull request already exists for acme:topic."
    )
    existing = list(repo.get_pulls(head="acme:topic"))
    assert [pr.title for pr in existing] == ["Topic"]


def test_slow_answers_still_arrive(emulator: EmulatorHandle) -> None:
    emulator.inject_fault("GET", r"/user$", "slow", delay=0.2)
    assert emulator.github("writer").get_user().login == "writer"
    assert emulator.emulator.faults.triggered[-1][2] == "slow"


def test_an_unknown_fault_kind_is_refused(emulator: EmulatorHandle) -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        emulator.inject_fault("GET", "/user", "teapot")


def test_a_502_after_write_applies_the_write_and_loses_the_answer(
    emulator: EmulatorHandle,
) -> None:
    emulator.inject_fault("POST", r"/issues$", "502_after_write")
    repo = emulator.github("writer").get_repo("acme/widgets")
    with pytest.raises(GithubException) as caught:
        repo.create_issue("did it happen?")
    assert caught.value.status == 502
    assert [i.title for i in repo.get_issues()] == ["did it happen?"]


def test_the_request_log_lists_every_answer_with_its_status_in_arrival_order(
    emulator: EmulatorHandle,
) -> None:
    emulator.inject_fault("GET", r"/issues/1$", "502")
    repo = emulator.github("writer").get_repo("acme/widgets")
    repo.create_issue("logged")
    with pytest.raises(GithubException):
        repo.get_issue(1)
    repo.get_issue(1)

    seen = [(r.method, r.path, r.status) for r in emulator.requests()]
    assert seen[-4:] == [
        ("GET", "/repos/acme/widgets", 200),
        ("POST", "/repos/acme/widgets/issues", 201),
        ("GET", "/repos/acme/widgets/issues/1", 502),
        ("GET", "/repos/acme/widgets/issues/1", 200),
    ]
    times = [r.at_monotonic for r in emulator.requests()]
    assert times == sorted(times)
