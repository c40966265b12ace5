"""Seed 000's severity rules over recorded runs: degraded at 3 failures in a row, critical at 5."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.incidents import failing_streak, severity_of, transition
from bot.store.records import Run


def run(status: str, n: int = 1) -> Run:
    now = datetime.now(UTC)
    return Run(f"r{n}", "acme/x", n, "label", "maintainer", status, None, None, False, now, now)


def test_the_streak_counts_failures_since_the_last_success_skipping_cancelled_and_running() -> None:
    newest_first = [
        run("running"), run("failed"), run("cancelled"), run("failed"), run("succeeded"),
        run("failed"),
    ]  # fmt: skip
    assert [r.status for r in failing_streak(newest_first)] == ["failed", "failed"]


@pytest.mark.parametrize(
    ("failures", "severity"),
    [(0, None), (2, None), (3, "degraded"), (4, "degraded"), (5, "critical"), (9, "critical")],
)
def test_severity_follows_the_seeds_thresholds(failures: int, severity: str | None) -> None:
    assert severity_of(failures) == severity


def test_only_opening_escalating_and_resolving_are_news() -> None:
    assert transition(None, "degraded").change == "opened"
    assert transition("degraded", "critical").change == "escalated"
    assert transition("critical", None).change == "resolved"
    assert not transition("degraded", "degraded").notify
    assert not transition("critical", "critical").notify
    assert not transition(None, None).notify
    held = transition("critical", "degraded")  # never a silent de-escalation
    assert held.severity == "critical" and not held.notify
