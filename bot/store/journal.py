"""Deliveries and the audit log: append-mostly records whose uniqueness the database enforces."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import IntegrityError

from bot.store.base import StoreBase
from bot.store.base import now_utc as _now
from bot.store.models import AuditRow, DeliveryRow, SemanticKeyRow
from bot.store.records import AuditEntry, Delivery


class Journal(StoreBase):
    """Delivery de-duplication and the audit trail."""

    def __init__(self, engine: Engine, *, semantic_window: timedelta) -> None:
        super().__init__(engine)
        self.semantic_window = semantic_window

    # deliveries ---------------------------------------------------------------------------
    def record_delivery(self, delivery_id: str, event: str, semantic_key: str | None) -> bool:
        """Record a delivery; False when its id, or its semantic key within the window, was seen."""
        now = _now()
        try:
            with self.transaction() as session:
                session.add(
                    DeliveryRow(
                        delivery_id=delivery_id, event=event, semantic_key=semantic_key,
                        received_at=now, outcome="accepted",
                    )
                )  # fmt: skip
                session.flush()
                if semantic_key is None:
                    return True
                try:
                    with session.begin_nested():
                        session.execute(
                            delete(SemanticKeyRow).where(
                                SemanticKeyRow.key == semantic_key, SemanticKeyRow.expires_at < now
                            )
                        )
                        session.add(
                            SemanticKeyRow(
                                key=semantic_key, delivery_id=delivery_id,
                                expires_at=now + self.semantic_window,
                            )
                        )  # fmt: skip
                        session.flush()
                except IntegrityError:
                    session.execute(
                        update(DeliveryRow)
                        .where(DeliveryRow.delivery_id == delivery_id)
                        .values(outcome="duplicate")
                    )
                    return False
                return True
        except IntegrityError:
            return False

    def forget_delivery(self, delivery_id: str) -> None:
        """Undo ``record_delivery`` (e.g. the enqueue failed), so GitHub's redelivery gets in."""
        with self.transaction() as session:
            session.execute(delete(SemanticKeyRow).where(SemanticKeyRow.delivery_id == delivery_id))
            session.execute(delete(DeliveryRow).where(DeliveryRow.delivery_id == delivery_id))

    def release_semantic_key(self, semantic_key: str) -> None:
        """Forget a claimed semantic key early, so a retry after a retryable failure gets in."""
        with self.transaction() as session:
            session.execute(delete(SemanticKeyRow).where(SemanticKeyRow.key == semantic_key))

    def set_delivery_outcome(self, delivery_id: str, outcome: str) -> None:
        """Note what became of a delivery (queued, ignored, failed) for operators."""
        with self.transaction() as session:
            session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.delivery_id == delivery_id)
                .values(outcome=outcome)
            )

    def get_delivery(self, delivery_id: str) -> Delivery | None:
        """The recorded delivery, or None."""
        row = self._read(lambda s: s.get(DeliveryRow, delivery_id))
        if row is None:
            return None
        return Delivery(row.delivery_id, row.event, row.semantic_key, row.received_at, row.outcome)

    # audit --------------------------------------------------------------------------------
    def audit(
        self,
        kind: str,
        *,
        actor: str | None,
        repo: str | None,
        issue: int | None = None,
        run_id: str | None = None,
        data: dict[str, Any],
    ) -> None:
        """Append one audit entry (merge decisions, refusals, failures)."""
        with self.transaction() as session:
            session.add(
                AuditRow(
                    ts=_now(), kind=kind, actor=actor, repo=repo, issue=issue,
                    run_id=run_id, data=data,
                )
            )  # fmt: skip

    def record(self, event: dict[str, Any]) -> None:
        """AuditSink adapter: kind, actor, repo, issue and run_id keys; the rest is data."""
        rest = dict(event)
        issue = rest.pop("issue", None)
        self.audit(
            str(rest.pop("kind", "event")),
            actor=_opt_str(rest.pop("actor", None)),
            repo=_opt_str(rest.pop("repo", None)),
            issue=int(issue) if issue is not None else None,
            run_id=_opt_str(rest.pop("run_id", None)),
            data=rest,
        )

    def audit_entries(
        self,
        *,
        run_id: str | None = None,
        repo: str | None = None,
        issue: int | None = None,
        limit: int = 100,
    ) -> list[AuditEntry]:
        """Audit entries, oldest first, filtered by run or by issue."""
        query = select(AuditRow).order_by(AuditRow.id).limit(limit)
        if run_id is not None:
            query = query.where(AuditRow.run_id == run_id)
        if repo is not None:
            query = query.where(AuditRow.repo == repo)
        if issue is not None:
            query = query.where(AuditRow.issue == issue)
        rows = self._read(lambda s: s.scalars(query).all())
        return [
            AuditEntry(r.id, r.ts, r.kind, r.actor, r.repo, r.issue, r.run_id, dict(r.data))
            for r in rows
        ]


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)
