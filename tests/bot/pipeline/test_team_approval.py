"""A `/implement` that overrides `needs-review` must come from a configured approving team."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.errors import IssuebotError, PermissionDeniedError
from tests.bot.pipeline.conftest import Target, scaffold


class VerifiedError(RuntimeError):
    """Raised once the verify step has passed, so the test stops before the slow steps."""


def stop_after_verify(step: str) -> None:
    if step == "verify":
        raise VerifiedError("verify passed")


def gated_target(make_target: Callable[..., Target]) -> Target:
    """A target repository whose config limits approval to the `approvers` team."""
    config = scaffold()[".github/issuebot.yml"]
    assert "  teams: []\n" in config
    gated = config.replace("  teams: []\n", "  teams: [approvers, acme/release-crew]\n")
    return make_target({".github/issuebot.yml": gated})


def test_a_writer_outside_the_teams_cannot_override_the_review(
    make_target: Callable[..., Target],
) -> None:
    target = gated_target(make_target)
    number = target.file_request(approve=False)

    with pytest.raises(PermissionDeniedError) as refused:
        target.orchestrator().implement_issue(number, actor="writer", trigger="implement")

    assert refused.value.message == (
        "@writer is not a member of any approving team (approvers, acme/release-crew)"
    )
    assert target.remote_sha(f"feat/issue-{number}-widget") is None
    (run,) = target.store.list_runs(repo=target.full_name, issue=number)
    assert run.status == "failed" and run.error_kind == "permission-denied"
    assert "bot-failed" in target.bot.get_issue(number).labels


def test_once_in_a_team_the_same_writer_gets_past_verify(
    make_target: Callable[..., Target],
) -> None:
    target = gated_target(make_target)
    number = target.file_request(approve=False)
    target.emulator.add_team_member("acme", "release-crew", "writer")

    with pytest.raises(IssuebotError, match="step verify crashed: VerifiedError"):
        target.orchestrator(after_step=stop_after_verify).implement_issue(
            number, actor="writer", trigger="implement"
        )


def test_team_membership_does_not_replace_write_permission(
    make_target: Callable[..., Target],
) -> None:
    target = gated_target(make_target)
    number = target.file_request(approve=False)
    target.emulator.add_team_member("acme", "approvers", "reader")

    with pytest.raises(
        PermissionDeniedError, match="@reader has read access; approving needs write"
    ):
        target.orchestrator().implement_issue(number, actor="reader", trigger="implement")
