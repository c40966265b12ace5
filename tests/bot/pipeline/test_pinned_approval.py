"""A run builds exactly what was approved; an edit to the issue, however late, stops it.

Real pipeline runs on the emulator (git over HTTP, the repository's own tests as the gate).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.errors import NotApprovedError
from bot.issuespec.approval import accept, approvals_of
from tests.bot.pipeline.conftest import Target
from tests.bot.pipeline.test_end_to_end import summary_comments


def test_an_edit_right_after_the_approval_builds_nothing(
    make_target: Callable[..., Target],
) -> None:
    target = make_target()
    number = target.file_request()  # the maintainer removes needs-review
    seen = target.bot.get_issue(number)
    # What the webhook handler records for that approval: the body the maintainer saw.
    accept(
        target.store, target.full_name, number, actor="maintainer", trigger="implement",
        source="test:approval", body=seen.body, title=seen.title, updated_at=seen.updated_at,
    )  # fmt: skip
    target.as_user("writer").edit_issue(number, body=seen.body.replace("Widget", "Gadget", 1))

    with pytest.raises(NotApprovedError, match="withdrawn"):
        target.orchestrator().implement_issue(number, actor="maintainer", trigger="implement")

    assert target.remote_sha(f"feat/issue-{number}-widget") is None
    assert "needs-review" in target.bot.get_issue(number).labels
    [approval] = approvals_of(target.store, target.full_name, number)
    assert approval.revoked is not None


def test_an_edit_while_the_run_is_going_stops_it_before_the_push(
    make_target: Callable[..., Target],
) -> None:
    target = make_target()
    number = target.file_request()
    original = target.bot.get_issue(number).body

    def edit_after_verify(step: str) -> None:
        if step == "verify":  # the run has pinned the approval; the author edits now
            target.as_user("writer").edit_issue(number, body=original + "\nAlso a colour field.")

    with pytest.raises(NotApprovedError, match="withdrawn") as stopped:
        target.orchestrator(after_step=edit_after_verify).implement_issue(
            number, actor="maintainer", trigger="implement"
        )

    assert "nothing was pushed" in stopped.value.message
    assert target.remote_sha(f"feat/issue-{number}-widget") is None
    assert target.bot.find_pull(f"feat/issue-{number}-widget", state="all") is None
    (run,) = target.store.list_runs(repo=target.full_name, issue=number)
    assert (run.status, run.error_kind) == ("failed", "not-approved")
    assert "needs-review" in target.bot.get_issue(number).labels
    [summary] = summary_comments(target, number)
    assert "withdrawn" in summary
