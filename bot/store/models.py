"""SQLAlchemy models of the run store; the Alembic migrations create exactly these tables."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# The partial-unique index predicate: at most one queued/running run per (repo, issue).
ACTIVE_PREDICATE = "status IN ('queued', 'running')"


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are always aware UTC in Python, whatever the backend stores."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Metadata shared by the store's tables."""


class RunRow(Base):
    """A run of the pipeline for one issue."""

    __tablename__ = "runs"
    __table_args__ = (
        CheckConstraint(
            "status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')",
            name="ck_runs_status",
        ),
        Index("ix_runs_repo_issue", "repo", "issue"),
        Index("ix_runs_created_at", "created_at"),
        Index(
            "uq_runs_one_active",
            "repo",
            "issue",
            unique=True,
            sqlite_where=text(ACTIVE_PREDICATE),
            postgresql_where=text(ACTIVE_PREDICATE),
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    repo: Mapped[str] = mapped_column(String(200))
    issue: Mapped[int] = mapped_column(Integer)
    trigger: Mapped[str] = mapped_column(String(50))
    actor: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20))
    error_kind: Mapped[str | None] = mapped_column(String(50))
    error_message: Mapped[str | None] = mapped_column(Text)
    retryable: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StepRow(Base):
    """One attempt of one named step of a run."""

    __tablename__ = "steps"
    __table_args__ = (UniqueConstraint("run_id", "name", "attempt", name="uq_steps_attempt"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(String(36), ForeignKey("runs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(50))
    attempt: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(20))
    output: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class DeliveryRow(Base):
    """A webhook delivery; the primary key is what makes redeliveries harmless."""

    __tablename__ = "deliveries"

    delivery_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    event: Mapped[str] = mapped_column(String(100))
    semantic_key: Mapped[str | None] = mapped_column(String(300))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(30))


class SemanticKeyRow(Base):
    """A claimed semantic key (repo, issue, intent, head state) until it expires."""

    __tablename__ = "semantic_keys"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    delivery_id: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditRow(Base):
    """An audited decision: who, where, what, with its inputs as JSON."""

    __tablename__ = "audit"
    __table_args__ = (
        Index("ix_audit_run_id", "run_id"),
        Index("ix_audit_repo_issue", "repo", "issue"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ts: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(100))
    actor: Mapped[str | None] = mapped_column(String(100))
    repo: Mapped[str | None] = mapped_column(String(200))
    issue: Mapped[int | None] = mapped_column(Integer)
    run_id: Mapped[str | None] = mapped_column(String(36))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class LockRow(Base):
    """A lease on a key; the row outlives releases so the fencing token only grows."""

    __tablename__ = "locks"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    owner: Mapped[str | None] = mapped_column(String(200))
    token: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
