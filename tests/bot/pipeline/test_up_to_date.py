"""Re-running `implement` on an issue whose open PR is already up to date pushes nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.gates.heads import last_pushed_sha
from bot.github.markers import marker_tag
from tests.bot.pipeline.conftest import Target

pytestmark = pytest.mark.slow


def test_a_second_run_on_an_up_to_date_pr_moves_no_head_and_restarts_no_ci(
    make_target: Callable[..., Target],
) -> None:
    target = make_target()
    number = target.file_request()
    first = target.orchestrator().implement_issue(number, actor="maintainer")
    assert first.status == "succeeded" and first.head_sha
    branch = first.branch or ""
    head = target.remote_sha(branch)
    assert head == first.head_sha
    checks_before = target.bot.list_check_runs(head)

    again = target.orchestrator().implement_issue(number, actor="maintainer")

    assert again.status == "succeeded" and again.run_id != first.run_id
    assert target.remote_sha(branch) == head  # asked of the emulator's git itself
    pr = target.bot.get_pull(again.pr_number or 0)
    assert pr.number == first.pr_number and pr.head_sha == head
    assert again.head_sha == head
    pushed = {s.name: s.output for s in target.store.steps(again.run_id)}["push"]
    assert pushed["up_to_date"] is True and pushed["sha"] == head
    assert last_pushed_sha(target.store, target.full_name, branch) == head  # the gate's view
    assert [c.id for c in target.bot.list_check_runs(head)] == [c.id for c in checks_before]
    tag = marker_tag("run-summary")
    [summary] = [c.body for c in target.bot.list_comments(number) if c.body.startswith(tag)]
    assert "Already up to date" in summary and "nothing was pushed" in summary
