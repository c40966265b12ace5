"""Review requests through PyGithub: collaborators only, visible on the PR, announced by webhook."""

from __future__ import annotations

import pytest
from github import GithubException

from bot.emulator.testing import EmulatorHandle
from tests.bot.emulator.world import REPO, World
from tests.plugins.emulator import WebhookReceiver


def test_a_maintainer_asks_a_collaborator_and_a_team_for_review(
    emulator_with_hooks: tuple[EmulatorHandle, WebhookReceiver],
) -> None:
    gh, receiver = emulator_with_hooks
    gh.add_team(REPO, "core-devs")
    world = World(gh)
    number = world.pull()["number"]
    pr = gh.github("maintainer").get_repo(REPO).get_pull(number)

    pr.create_review_request(reviewers=["writer"], team_reviewers=["core-devs"])

    users, teams = pr.get_review_requests()
    assert [u.login for u in users] == ["writer"]
    assert [t.slug for t in teams] == ["core-devs"]
    hook = receiver.wait_for("pull_request", "review_requested")
    assert hook.signature_ok
    assert hook.payload["requested_reviewer"]["login"] == "writer"
    refreshed = gh.github("reader").get_repo(REPO).get_pull(number)
    assert [u.login for u in refreshed.requested_reviewers] == ["writer"]
    world.close()


def test_asking_someone_without_access_is_refused_like_github(emulator: EmulatorHandle) -> None:
    world = World(emulator)
    number = world.pull()["number"]
    pr = emulator.github("maintainer").get_repo(REPO).get_pull(number)

    with pytest.raises(GithubException) as outsider:
        pr.create_review_request(reviewers=["stranger"])
    with pytest.raises(GithubException) as author:
        pr.create_review_request(reviewers=["maintainer"])

    assert outsider.value.status == 422
    assert "collaborators" in str(outsider.value.data)
    assert author.value.status == 422
    assert pr.get_review_requests()[0].totalCount == 0
    world.close()


def test_withdrawing_a_request_leaves_the_others(emulator: EmulatorHandle) -> None:
    world = World(emulator)
    number = world.pull()["number"]
    pr = emulator.github("maintainer").get_repo(REPO).get_pull(number)
    pr.create_review_request(reviewers=["writer", "reader"])

    pr.delete_review_request(reviewers=["writer"])

    assert [u.login for u in pr.get_review_requests()[0]] == ["reader"]
    world.close()


def test_branch_names_with_slashes_resolve_while_protection_routes_still_match(
    emulator: EmulatorHandle,
) -> None:
    repo = emulator.github("maintainer").get_repo(REPO)
    main = repo.get_branch("main")
    repo.create_git_ref("refs/heads/feat/issue-1-x", main.commit.sha)

    assert repo.get_branch("feat/issue-1-x").commit.sha == main.commit.sha
    main.edit_protection(contexts=["tests"], strict=False)
    assert repo.get_branch("main").get_required_status_checks().contexts == ["tests"]
    slashed = repo.get_branch("feat/issue-1-x")
    slashed.edit_protection(contexts=["lint"], strict=False)
    assert slashed.get_required_status_checks().contexts == ["lint"]
    assert repo.get_branch("feat/issue-1-x").protected
    refs = [r.ref for r in repo.get_git_matching_refs("heads/feat/")]
    assert refs == ["refs/heads/feat/issue-1-x"]
    assert "refs/heads/feat/issue-1-x" in [r.ref for r in repo.get_git_refs()]
