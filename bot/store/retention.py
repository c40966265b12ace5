"""Retention: the run store keeps what operators and the bot still read, and prunes the rest.

Kept whatever their age: active runs, the latest run of every (repo, issue) (`/status`,
`/retry` and the incident streak read it), approval records (a pinned approval may be retried
months later) and live semantic keys and leases. Everything else older than the cut-off goes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from bot.store.base import StoreBase
from bot.store.base import now_utc as _now
from bot.store.models import AuditRow, DeliveryRow, LockRow, RunRow, SemanticKeyRow, StepRow
from bot.store.records import ACTIVE_STATUSES

KEPT_AUDIT_PREFIXES = ("approval",)


@dataclass(frozen=True)
class PruneReport:
    """How many rows of each kind were deleted."""

    runs: int
    steps: int
    deliveries: int
    audit: int
    semantic_keys: int
    locks: int

    def line(self) -> str:
        """One line for the CLI."""
        return (
            f"pruned {self.runs} runs ({self.steps} steps), {self.deliveries} deliveries, "
            f"{self.audit} audit rows, {self.semantic_keys} expired keys, {self.locks} leases"
        )


class Retention(StoreBase):
    """``prune``: one transaction, so a crash leaves the store as it was."""

    def prune(self, older_than: timedelta, *, now: datetime | None = None) -> PruneReport:
        """Delete finished history older than ``older_than`` (see the module docstring)."""
        now = now or _now()
        cutoff = now - older_than
        latest = (
            select(RunRow.repo, RunRow.issue, func.max(RunRow.created_at).label("newest"))
            .group_by(RunRow.repo, RunRow.issue)
            .subquery()
        )
        with self.transaction() as session:
            old_runs = select(RunRow.id).where(
                RunRow.updated_at < cutoff,
                RunRow.status.not_in(ACTIVE_STATUSES),
                ~select(latest.c.newest)
                .where(
                    latest.c.repo == RunRow.repo,
                    latest.c.issue == RunRow.issue,
                    latest.c.newest == RunRow.created_at,
                )
                .exists(),
            )
            run_ids = list(session.scalars(old_runs))
            steps = runs = 0
            for start in range(0, len(run_ids), 500):  # bounded IN lists
                chunk = run_ids[start : start + 500]
                steps += _count(session.execute(delete(StepRow).where(StepRow.run_id.in_(chunk))))
                runs += _count(session.execute(delete(RunRow).where(RunRow.id.in_(chunk))))
            deliveries = _count(
                session.execute(delete(DeliveryRow).where(DeliveryRow.received_at < cutoff))
            )
            kept = [AuditRow.kind.startswith(prefix) for prefix in KEPT_AUDIT_PREFIXES]
            audit_query = delete(AuditRow).where(AuditRow.ts < cutoff)
            for keep in kept:
                audit_query = audit_query.where(~keep)
            audit = _count(session.execute(audit_query))
            keys = _count(
                session.execute(delete(SemanticKeyRow).where(SemanticKeyRow.expires_at < now))
            )
            locks = _count(session.execute(delete(LockRow).where(LockRow.expires_at < cutoff)))
        return PruneReport(runs, steps, deliveries, audit, keys, locks)


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
