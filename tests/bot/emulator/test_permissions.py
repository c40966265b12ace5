"""Who may do what: 401 without a valid token, 403 without the permission, 404 when hidden."""

from __future__ import annotations

import httpx
import pytest
from github import Auth, BadCredentialsException, Github, GithubException, UnknownObjectException

from bot.emulator.testing import EmulatorHandle


def test_a_bad_token_gets_githubs_bad_credentials_answer(emulator: EmulatorHandle) -> None:
    answer = httpx.get(f"{emulator.api_url}/user", headers={"Authorization": "token nope"})
    assert answer.status_code == 401
    assert answer.json()["message"] == "Bad credentials"
    assert answer.headers["X-RateLimit-Limit"] == "60"
    with pytest.raises(BadCredentialsException):
        Github(auth=Auth.Token("nope"), base_url=emulator.api_url).get_user().login  # noqa: B018


def test_anonymous_reads_of_a_public_repo_work_but_writes_need_auth(
    emulator: EmulatorHandle,
) -> None:
    assert httpx.get(f"{emulator.api_url}/repos/acme/widgets").status_code == 200
    answer = httpx.post(f"{emulator.api_url}/repos/acme/widgets/issues", json={"title": "x"})
    assert answer.status_code == 401
    assert answer.json()["message"] == "Requires authentication"


def test_each_collaborator_sees_their_own_permission(emulator: EmulatorHandle) -> None:
    repo = emulator.github("reader").get_repo("acme/widgets")
    expected = {"maintainer": "admin", "writer": "write", "reader": "read", "stranger": "none"}
    for login, permission in expected.items():
        assert repo.get_collaborator_permission(login) == permission
    assert repo.permissions.pull and not repo.permissions.push


def test_a_reader_cannot_label_or_merge(emulator: EmulatorHandle) -> None:
    issue = emulator.github("maintainer").get_repo("acme/widgets").create_issue("Needs triage")
    as_reader = emulator.github("reader").get_repo("acme/widgets").get_issue(issue.number)
    with pytest.raises(GithubException) as caught:
        as_reader.add_to_labels("bug")
    assert caught.value.status == 403


def test_a_stranger_may_open_issues_but_labels_are_dropped(emulator: EmulatorHandle) -> None:
    repo = emulator.github("stranger").get_repo("acme/widgets")
    issue = repo.create_issue("Please add gadgets", labels=["bug"])
    assert issue.user.login == "stranger"
    assert [label.name for label in issue.labels] == []


def test_a_stranger_cannot_close_someone_elses_issue(emulator: EmulatorHandle) -> None:
    number = emulator.github("writer").get_repo("acme/widgets").create_issue("Mine").number
    theirs = emulator.github("stranger").get_repo("acme/widgets").get_issue(number)
    with pytest.raises(GithubException) as caught:
        theirs.edit(state="closed")
    assert caught.value.status == 403


def test_authors_may_close_their_own_issue(emulator: EmulatorHandle) -> None:
    issue = emulator.github("stranger").get_repo("acme/widgets").create_issue("Never mind")
    issue.edit(state="closed")
    assert issue.state == "closed"
    assert issue.state_reason == "completed"


def test_private_repos_are_invisible_to_outsiders(emulator: EmulatorHandle) -> None:
    emulator.create_repo("acme/secret", {"README.md": "hush\n"}, private=True)
    emulator.set_permission("acme/secret", "writer", "write")
    assert emulator.github("writer").get_repo("acme/secret").private
    with pytest.raises(UnknownObjectException):
        emulator.github("stranger").get_repo("acme/secret")
    assert httpx.get(f"{emulator.api_url}/repos/acme/secret").status_code == 404


def test_only_apps_may_report_check_runs(emulator: EmulatorHandle) -> None:
    repo = emulator.github("writer").get_repo("acme/widgets")
    sha = repo.get_branch("main").commit.sha
    with pytest.raises(GithubException) as caught:
        repo.create_check_run(name="tests", head_sha=sha)
    assert caught.value.status == 403
    run = emulator.github("ci-bot").get_repo("acme/widgets").create_check_run("tests", sha)
    assert run.app.slug == "github-actions"  # the seeded CI account is GitHub Actions
