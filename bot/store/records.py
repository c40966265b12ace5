"""Plain frozen records the store hands out, so callers never hold live ORM objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from bot.errors import LockConflictError, RetryableError

QUEUED: Final = "queued"
RUNNING: Final = "running"
SUCCEEDED: Final = "succeeded"
FAILED: Final = "failed"
CANCELLED: Final = "cancelled"
RUN_STATUSES: Final = (QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED)
ACTIVE_STATUSES: Final = (QUEUED, RUNNING)
STEP_OUTCOMES: Final = ("ok", "failed", "skipped")


@dataclass(frozen=True)
class Run:
    """One attempt to turn an issue into a PR; at most one is active per (repo, issue)."""

    id: str
    repo: str
    issue: int
    trigger: str
    actor: str
    status: str
    error_kind: str | None
    error_message: str | None
    retryable: bool
    created_at: datetime
    updated_at: datetime

    @property
    def active(self) -> bool:
        """Queued or running: the slot for its issue is taken."""
        return self.status in ACTIVE_STATUSES


@dataclass(frozen=True)
class StepRecord:
    """One attempt of one named step; ``finished_at`` is None while running or if interrupted."""

    run_id: str
    name: str
    attempt: int
    started_at: datetime
    finished_at: datetime | None
    outcome: str | None
    output: dict[str, Any] = field(default_factory=dict)

    @property
    def duration_seconds(self) -> float | None:
        """Wall time of a finished attempt, for `runs show` and the step histogram."""
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


@dataclass(frozen=True)
class Delivery:
    """A webhook delivery as first recorded; ``outcome`` is updated by the server."""

    delivery_id: str
    event: str
    semantic_key: str | None
    received_at: datetime
    outcome: str


@dataclass(frozen=True)
class AuditEntry:
    """One audited decision or failure (merges, permission refusals, run errors)."""

    id: int
    ts: datetime
    kind: str
    actor: str | None
    repo: str | None
    issue: int | None
    run_id: str | None
    data: dict[str, Any]


class StoreUnavailableError(RetryableError):
    """The database could not be reached or dropped the connection; nothing was half-written."""

    exit_code = 45
    kind = "store-unavailable"


class ActiveRunExistsError(LockConflictError):
    """The issue already has a queued or running run; ``existing`` is that run."""

    def __init__(self, existing: Run) -> None:
        super().__init__(
            f"{existing.repo}#{existing.issue} already has run {existing.id} ({existing.status})",
            hint=f"see `issuebot runs show {existing.id}`",
        )
        self.existing = existing
