"""When a repository's runs are an incident, and how bad: pure functions over recorded runs.

Severity follows seed 000's rule: `degraded` after 3 consecutive failed runs, `critical` after
5; the first success resolves it. Notifications go out on transitions only, so a repeated
evaluation of the same streak (a redelivered event, a second worker) sends nothing new.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bot.store import CANCELLED, FAILED, SUCCEEDED
from bot.store.records import Run

DEGRADED_AFTER = 3
CRITICAL_AFTER = 5

Severity = Literal["degraded", "critical"]
Change = Literal["opened", "escalated", "resolved"]
_RANK: dict[Severity | None, int] = {None: 0, "degraded": 1, "critical": 2}


def failing_streak(runs_newest_first: Sequence[Run]) -> list[Run]:
    """The failed runs since the last success (unfinished and cancelled runs are passed over)."""
    streak: list[Run] = []
    for run in runs_newest_first:
        if run.status == SUCCEEDED:
            break
        if run.status == FAILED:
            streak.append(run)
        elif run.status != CANCELLED and not run.active:
            break  # an unknown status ends the streak rather than inventing one
    return streak


def severity_of(failures: int) -> Severity | None:
    """`critical` from 5 consecutive failures, `degraded` from 3, else no incident."""
    if failures >= CRITICAL_AFTER:
        return "critical"
    if failures >= DEGRADED_AFTER:
        return "degraded"
    return None


@dataclass(frozen=True)
class Transition:
    """What changed between the incident on record and the streak now."""

    change: Change | None
    severity: Severity | None
    previous: Severity | None

    @property
    def notify(self) -> bool:
        """Only an opened, escalated or resolved incident is news."""
        return self.change is not None


def transition(previous: Severity | None, current: Severity | None) -> Transition:
    """Opened (none → some), escalated (degraded → critical), resolved (some → none).

    A streak that shrinks without ending (not possible with consecutive counts, but a pruned
    store could show it) keeps the recorded severity: incidents never de-escalate silently.
    """
    if current is None:
        change: Change | None = "resolved" if previous is not None else None
        return Transition(change, None, previous)
    if previous is None:
        return Transition("opened", current, previous)
    if _RANK[current] > _RANK[previous]:
        return Transition("escalated", current, previous)
    return Transition(None, previous, previous)
