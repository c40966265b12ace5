"""Which entity requests the reconciler restarts: approved without a run, or stuck."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import RepoConfig
from bot.events.reconcile import RunInfo, plan
from bot.github.models import Issue

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class FakeRun:
    id: str
    status: str
    updated_at: datetime


def issue(number: int, *labels: str) -> Issue:
    return Issue(number, "t", "b", "open", tuple(labels), "maintainer", f"https://x/{number}")


@pytest.mark.parametrize(
    ("labels", "run", "expected"),
    [
        (("entity-request",), None, "implement"),
        (("entity-request", "needs-review", "approved"), None, "implement"),
        (("entity-request", "needs-review"), None, None),
        (("bug",), None, None),
        (("entity-request", "spec-invalid"), None, None),
        (("entity-request", "bot-failed"), None, None),
        (("entity-request",), FakeRun("r1", "running", NOW - 2 * HOUR), "retry"),
        (("entity-request",), FakeRun("r1", "queued", NOW - 2 * HOUR), "retry"),
        (("entity-request",), FakeRun("r1", "running", NOW - HOUR / 2), None),
        (("entity-request",), FakeRun("r1", "succeeded", NOW - 9 * HOUR), None),
        (("entity-request",), FakeRun("r1", "failed", NOW - 9 * HOUR), None),
    ],
)
def test_the_reconciler_restarts_only_what_was_missed(
    labels: tuple[str, ...], run: FakeRun | None, expected: str | None
) -> None:
    runs: dict[int, RunInfo | None] = {7: run}
    actions = plan("o/r", [issue(7, *labels)], runs, RepoConfig(), now=NOW, stuck_after=HOUR)
    assert [a.intent.kind for a in actions] == ([expected] if expected else [])


def test_reconciler_intents_skip_the_permission_check_and_name_their_cause() -> None:
    stuck = FakeRun("run-9", "running", NOW - 3 * HOUR)
    [action] = plan("o/r", [issue(3, "entity-request")], {3: stuck}, RepoConfig(), now=NOW,
                    stuck_after=HOUR)  # fmt: skip
    assert not action.intent.needs_permission
    assert "run-9" in action.why


def test_the_same_state_plans_the_same_keys_and_a_new_stuck_run_a_new_key() -> None:
    one = plan("o/r", [issue(3, "entity-request")], {}, RepoConfig(), now=NOW, stuck_after=HOUR)
    two = plan("o/r", [issue(3, "entity-request")], {}, RepoConfig(), now=NOW, stuck_after=HOUR)
    stuck = {3: FakeRun("run-2", "running", NOW - 3 * HOUR)}
    three = plan("o/r", [issue(3, "entity-request")], stuck, RepoConfig(), now=NOW,
                 stuck_after=HOUR)  # fmt: skip
    assert one[0].intent.dedupe_key == two[0].intent.dedupe_key != three[0].intent.dedupe_key
