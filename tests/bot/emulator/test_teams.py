"""Team membership as GitHub answers it: members and maintainers are found, everyone else 404s."""

from __future__ import annotations

import httpx
import pytest
from github import UnknownObjectException

from bot.emulator.testing import EmulatorHandle
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
