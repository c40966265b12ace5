"""Team membership as GitHub answers it: members and maintainers are found, everyone else 404s."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from github import UnknownObjectException

from bot.emulator import gitrepo
from bot.emulator.seed import Seed, default_seed
from bot.emulator.testing import EmulatorHandle, start_emulator
from tests.bot.emulator.world import REPO


def test_a_member_is_found_through_pygithub_and_an_outsider_is_not(
    emulator: EmulatorHandle,
) -> None:
    emulator.add_team_member("acme", "approvers", "writer")
    lazy = emulator.github("maintainer").withLazy(True)  # the emulator serves no /orgs/{org}
    team = lazy.get_organization("acme").get_team_by_slug("approvers")

    membership = team.get_team_membership("Writer")  # logins match case-insensitively

    assert (membership.role, membership.state) == ("member", "active")
    with pytest.raises(UnknownObjectException):
        team.get_team_membership("reader")


def test_a_team_with_repository_access_but_no_members_has_no_one(
    emulator: EmulatorHandle,
) -> None:
    emulator.add_team(REPO, "core-devs")
    url = f"{emulator.api_url}/orgs/acme/teams/core-devs/memberships/maintainer"
    answer = httpx.get(url, headers={"Authorization": f"token {emulator.token('maintainer')}"})
    assert answer.status_code == 404


def test_an_unknown_team_and_an_anonymous_caller_learn_nothing(emulator: EmulatorHandle) -> None:
    emulator.add_team_member("acme", "approvers", "writer", role="maintainer")
    auth = {"Authorization": f"token {emulator.token('reader')}"}
    base = f"{emulator.api_url}/orgs/acme/teams"

    assert httpx.get(f"{base}/approvers/memberships/writer", headers=auth).json()["role"] == (
        "maintainer"
    )
    assert httpx.get(f"{base}/nobody/memberships/writer", headers=auth).status_code == 404
    assert httpx.get(f"{base}/approvers/memberships/writer").status_code == 404


def test_only_github_roles_can_be_given(emulator: EmulatorHandle) -> None:
    with pytest.raises(ValueError, match="member or maintainer"):
        emulator.add_team_member("acme", "approvers", "writer", role="owner")


def _membership(emulator: EmulatorHandle, org: str, slug: str, login: str) -> httpx.Response:
    url = f"{emulator.api_url}/orgs/{org}/teams/{slug}/memberships/{login}"
    return httpx.get(url, headers={"Authorization": f"token {emulator.token('maintainer')}"})


def test_another_process_seeds_members_through_the_admin_api(emulator: EmulatorHandle) -> None:
    admin = f"{emulator.api_url}/_emulator"
    granted = httpx.put(f"{admin}/repos/{REPO}/teams/reviewers", json={"permission": "push"})
    assert granted.status_code == 200, granted.text
    added = httpx.put(
        f"{admin}/orgs/acme/teams/reviewers/memberships/writer", json={"role": "maintainer"}
    )
    assert added.status_code == 200, added.text
    assert _membership(emulator, "acme", "reviewers", "writer").json()["role"] == "maintainer"
    assert _membership(emulator, "acme", "reviewers", "reader").status_code == 404
    wrong = httpx.put(f"{admin}/orgs/acme/teams/reviewers/memberships/reader", json={"role": "x"})
    assert wrong.status_code == 422
    assert "member or maintainer" in wrong.json()["message"]


def test_a_seed_file_seeds_teams_with_members_and_repository_access(tmp_path: Path) -> None:
    seed = default_seed().model_dump(mode="json")
    seed["teams"] = [
        {
            "org": "acme",
            "slug": "approvers",
            "members": {"writer": "member", "maintainer": "maintainer"},
            "repos": [REPO],
        }
    ]
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(seed))
    with start_emulator(Seed.from_file(path)) as gh:
        assert _membership(gh, "acme", "approvers", "writer").json()["role"] == "member"
        assert _membership(gh, "acme", "approvers", "maintainer").json()["role"] == "maintainer"
        assert _membership(gh, "acme", "approvers", "reader").status_code == 404
        pr_reviewers = gh.github("maintainer").get_repo(REPO)
        name = "topic/team-review"
        main = pr_reviewers.get_branch("main").commit.sha
        git_dir = gh.git_dir(REPO)
        gitrepo.commit_files(git_dir, name, {"t.txt": b"t"}, "Team work", main)
        pull = pr_reviewers.create_pull(base="main", head=name, title="Review by team")
        pull.create_review_request(team_reviewers=["approvers"])  # the team has access
        assert [t.slug for t in pr_reviewers.get_pull(pull.number).requested_teams] == ["approvers"]
