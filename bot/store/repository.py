"""RunStore: the one API over runs, steps, deliveries and audit, each call its own transaction.

Every method opens a short transaction and commits before returning, so a dropped
connection loses at most the call in flight (reported as ``StoreUnavailableError``) and
never leaves half of a call recorded. Uniqueness is enforced by the database: deliveries by
primary key, semantic keys by primary key, one active run per issue by a partial unique index.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid4

from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from bot.errors import IssuebotError, NotFoundError
from bot.observability import RUN_FAILURES, RUNS_TOTAL, STEP_DURATION
from bot.store import engine as engine_mod
from bot.store.base import now_utc as _now
from bot.store.base import reason
from bot.store.journal import Journal
from bot.store.leases import LeaseTable
from bot.store.models import RunRow, StepRow
from bot.store.records import (
    ACTIVE_STATUSES,
    QUEUED,
    RUN_STATUSES,
    STEP_OUTCOMES,
    ActiveRunExistsError,
    Run,
    StepRecord,
    StoreUnavailableError,
)
from bot.store.retention import Retention

DEFAULT_DATABASE_URL = "sqlite:///.issuebot/issuebot.db"


def _run(row: RunRow) -> Run:
    return Run(
        id=row.id, repo=row.repo, issue=row.issue, trigger=row.trigger, actor=row.actor,
        status=row.status, error_kind=row.error_kind, error_message=row.error_message,
        retryable=row.retryable, created_at=row.created_at, updated_at=row.updated_at,
    )  # fmt: skip


def _step(row: StepRow) -> StepRecord:
    return StepRecord(
        run_id=row.run_id, name=row.name, attempt=row.attempt, started_at=row.started_at,
        finished_at=row.finished_at, outcome=row.outcome, output=dict(row.output or {}),
    )  # fmt: skip


class RunStore(Journal, LeaseTable, Retention):
    """The durable record of runs, steps, deliveries and audit (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine, *, semantic_window: timedelta = timedelta(hours=24)):
        super().__init__(engine, semantic_window=semantic_window)

    @classmethod
    def open(
        cls, database_url: str = DEFAULT_DATABASE_URL, *, semantic_window_seconds: float = 86400
    ) -> RunStore:
        """Connect, run this store's Alembic migrations to head, and return the store."""
        engine = engine_mod.make_engine(database_url)
        try:
            engine_mod.upgrade(engine)
        except DBAPIError as exc:
            engine.dispose()
            raise StoreUnavailableError(f"cannot open the run store: {reason(exc)}") from exc
        return cls(engine, semantic_window=timedelta(seconds=semantic_window_seconds))

    # runs ---------------------------------------------------------------------------------
    def create_run(self, repo: str, issue: int, *, trigger: str, actor: str) -> Run:
        """Create a queued run; ``ActiveRunExistsError`` (``.existing``) if the issue has one."""
        for _ in range(5):
            now = _now()
            row = RunRow(
                id=str(uuid4()), repo=repo, issue=issue, trigger=trigger, actor=actor,
                status=QUEUED, error_kind=None, error_message=None, retryable=False,
                created_at=now, updated_at=now,
            )  # fmt: skip
            try:
                with self.transaction() as session:
                    session.add(row)
                return _run(row)
            except IntegrityError:
                existing = self.active_run(repo, issue)
                if existing is not None:
                    raise ActiveRunExistsError(existing) from None
                # The active run finished between our insert and our read: try again.
        raise StoreUnavailableError(f"could not create a run for {repo}#{issue}: contention")

    def get_run(self, run_id: str) -> Run | None:
        """The run with this id, or None."""
        row = self._read(lambda s: s.get(RunRow, run_id))
        return None if row is None else _run(row)

    def active_run(self, repo: str, issue: int) -> Run | None:
        """The queued or running run of this issue, if any."""
        query = select(RunRow).where(
            RunRow.repo == repo, RunRow.issue == issue, RunRow.status.in_(ACTIVE_STATUSES)
        )
        row = self._read(lambda s: s.scalars(query).first())
        return None if row is None else _run(row)

    def list_runs(
        self,
        *,
        repo: str | None = None,
        issue: int | None = None,
        status: str | None = None,
        limit: int = 50,
    ) -> list[Run]:
        """Newest runs first, optionally filtered."""
        query = select(RunRow).order_by(RunRow.created_at.desc(), RunRow.id).limit(limit)
        if repo is not None:
            query = query.where(RunRow.repo == repo)
        if issue is not None:
            query = query.where(RunRow.issue == issue)
        if status is not None:
            query = query.where(RunRow.status == status)
        return [_run(r) for r in self._read(lambda s: s.scalars(query).all())]

    def stale_runs(self, *, older_than_seconds: float) -> list[Run]:
        """Active runs not touched for a while: candidates for the reconciler to requeue."""
        cutoff = _now() - timedelta(seconds=older_than_seconds)
        query = select(RunRow).where(RunRow.status.in_(ACTIVE_STATUSES), RunRow.updated_at < cutoff)
        return [_run(r) for r in self._read(lambda s: s.scalars(query).all())]

    def set_status(self, run_id: str, status: str, *, error: IssuebotError | None = None) -> None:
        """Move a run to ``status``, recording ``error``'s kind, message and retryability."""
        if status not in RUN_STATUSES:
            raise ValueError(f"unknown run status {status!r}")
        values: dict[str, Any] = {
            "status": status,
            "updated_at": _now(),
            "error_kind": error.kind if error else None,
            "error_message": error.message if error else None,
            "retryable": error.retryable if error else False,
        }
        try:
            with self.transaction() as session:
                result = session.execute(update(RunRow).where(RunRow.id == run_id).values(values))
                if result.rowcount == 0:  # type: ignore[attr-defined]
                    raise NotFoundError(f"no run {run_id}")
        except IntegrityError:
            run = self.get_run(run_id)
            existing = self.active_run(run.repo, run.issue) if run else None
            if existing is None:
                raise
            raise ActiveRunExistsError(existing) from None
        if status not in ACTIVE_STATUSES:
            RUNS_TOTAL.labels(outcome=status).inc()
            if error is not None:
                RUN_FAILURES.labels(kind=error.kind).inc()

    # steps --------------------------------------------------------------------------------
    def start_step(self, run_id: str, name: str) -> None:
        """Open a new attempt of step ``name`` (attempt numbers count up from 1)."""
        for _ in range(5):
            try:
                with self.transaction() as session:
                    run = session.get(RunRow, run_id)
                    if run is None:
                        raise NotFoundError(f"no run {run_id}")
                    last = session.scalar(
                        select(func.max(StepRow.attempt)).where(
                            StepRow.run_id == run_id, StepRow.name == name
                        )
                    )
                    now = _now()
                    run.updated_at = now
                    session.add(
                        StepRow(run_id=run_id, name=name, attempt=(last or 0) + 1, started_at=now)
                    )
                return
            except IntegrityError:
                continue  # another worker opened the same attempt number first
        raise StoreUnavailableError(f"could not start step {name} of run {run_id}: contention")

    def finish_step(self, run_id: str, name: str, *, outcome: str, output: dict[str, Any]) -> None:
        """Close the open attempt of ``name`` (or record a finished one, e.g. a skip)."""
        if outcome not in STEP_OUTCOMES:
            raise ValueError(f"unknown step outcome {outcome!r}")
        now = _now()
        with self.transaction() as session:
            run = session.get(RunRow, run_id)
            if run is None:
                raise NotFoundError(f"no run {run_id}")
            run.updated_at = now
            row = session.scalars(
                select(StepRow)
                .where(StepRow.run_id == run_id, StepRow.name == name)
                .order_by(StepRow.attempt.desc())
                .limit(1)
            ).first()
            if row is None or row.finished_at is not None:
                attempt = 1 if row is None else row.attempt + 1
                row = StepRow(run_id=run_id, name=name, attempt=attempt, started_at=now)
                session.add(row)
            row.finished_at, row.outcome, row.output = now, outcome, output
            started = row.started_at
        STEP_DURATION.labels(step=name).observe((now - started).total_seconds())

    def steps(self, run_id: str) -> list[StepRecord]:
        """Every attempt of every step of the run, in the order they started."""
        query = select(StepRow).where(StepRow.run_id == run_id).order_by(StepRow.id)
        return [_step(r) for r in self._read(lambda s: s.scalars(query).all())]
