"""Team membership through the GitHub layer, and the approver check built on it."""

from __future__ import annotations

import pytest

from bot.config import Approval
from bot.emulator.testing import EmulatorHandle
from bot.github import PyGithubRepo
from bot.github.approvers import check_approver
from tests.bot.github.conftest import Arrivals


@pytest.mark.parametrize(
    "team", ["acme/approvers", "approvers", "@acme/approvers", "ACME/Approvers"]
)
def test_a_member_is_found_however_the_team_is_written(
    emulator: EmulatorHandle, bot: PyGithubRepo, arrivals: Arrivals, team: str
) -> None:
    emulator.add_team_member("acme", "approvers", "writer")

    assert bot.is_team_member(team, "writer")
    assert len(arrivals.to("GET", "/memberships/writer")) == 1  # no org or team lookups first


def test_non_members_and_unknown_teams_are_not_members(
    emulator: EmulatorHandle, bot: PyGithubRepo
) -> None:
    emulator.add_team_member("acme", "approvers", "writer")
    emulator.add_team_member("other-org", "approvers", "reader")

    assert not bot.is_team_member("approvers", "reader")  # the owner's org, not other-org
    assert bot.is_team_member("other-org/approvers", "reader")
    assert not bot.is_team_member("acme/no-such-team", "writer")


def test_a_flaky_membership_read_is_retried(emulator: EmulatorHandle, bot: PyGithubRepo) -> None:
    emulator.add_team_member("acme", "approvers", "writer")
    emulator.inject_fault("GET", r"/memberships/writer$", "502")
    assert bot.is_team_member("approvers", "writer")


def test_without_teams_permission_alone_decides(bot: PyGithubRepo, arrivals: Arrivals) -> None:
    writer = check_approver(bot, "writer", Approval(min_permission="write"))
    reader = check_approver(bot, "reader", Approval(min_permission="write"))

    assert writer.allowed
    assert not reader.allowed
    assert reader.reason() == "reader has read, needs write"
    assert arrivals.to("GET", "/memberships/writer") == []


def test_with_teams_a_writer_must_also_be_in_one_of_them(
    emulator: EmulatorHandle, bot: PyGithubRepo, arrivals: Arrivals
) -> None:
    approval = Approval(min_permission="write", teams=("core", "acme/release"))
    emulator.add_team_member("acme", "core", "reader")  # a team alone is not enough either

    outsider = check_approver(bot, "writer", approval)
    emulator.add_team_member("acme", "release", "writer")
    member = check_approver(bot, "writer", approval)
    reader = check_approver(bot, "reader", approval)

    assert not outsider.allowed
    assert outsider.reason() == (
        "writer is not a member of any approving team (core, acme/release)"
    )
    assert member.allowed and member.in_team
    assert not reader.allowed and reader.reason() == "reader has read, needs write"
    assert arrivals.to("GET", "/memberships/reader") == []  # permission is asked first


def test_a_team_name_that_cannot_be_asked_about_refuses(
    emulator: EmulatorHandle, bot: PyGithubRepo
) -> None:
    emulator.add_team_member("acme", "core", "writer")
    broken = check_approver(bot, "writer", Approval(teams=("a/b/c",)))
    fine = check_approver(bot, "writer", Approval(teams=("a/b/c", "core")))

    assert not broken.allowed
    assert broken.reason().endswith("membership of a/b/c could not be read")
    assert fine.allowed
