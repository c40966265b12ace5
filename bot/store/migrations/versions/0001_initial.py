"""Initial run store: runs, steps, deliveries, semantic keys, audit, locks.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.models import ACTIVE_PREDICATE, UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create every table of the store."""
    op.create_table(
        "runs",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("repo", sa.String(200), nullable=False),
        sa.Column("issue", sa.Integer, nullable=False),
        sa.Column("trigger", sa.String(50), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("error_kind", sa.String(50), nullable=True),
        sa.Column("error_message", sa.Text, nullable=True),
        sa.Column("retryable", sa.Boolean, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')",
            name="ck_runs_status",
        ),
    )
    op.create_index("ix_runs_repo_issue", "runs", ["repo", "issue"])
    op.create_index("ix_runs_created_at", "runs", ["created_at"])
    op.create_index(
        "uq_runs_one_active",
        "runs",
        ["repo", "issue"],
        unique=True,
        sqlite_where=sa.text(ACTIVE_PREDICATE),
        postgresql_where=sa.text(ACTIVE_PREDICATE),
    )
    op.create_table(
        "steps",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "run_id", sa.String(36), sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("finished_at", UTCDateTime, nullable=True),
        sa.Column("outcome", sa.String(20), nullable=True),
        sa.Column("output", sa.JSON, nullable=True),
        sa.UniqueConstraint("run_id", "name", "attempt", name="uq_steps_attempt"),
    )
    op.create_table(
        "deliveries",
        sa.Column("delivery_id", sa.String(100), primary_key=True),
        sa.Column("event", sa.String(100), nullable=False),
        sa.Column("semantic_key", sa.String(300), nullable=True),
        sa.Column("received_at", UTCDateTime, nullable=False),
        sa.Column("outcome", sa.String(30), nullable=False),
    )
    op.create_table(
        "semantic_keys",
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("delivery_id", sa.String(100), nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ts", UTCDateTime, nullable=False),
        sa.Column("kind", sa.String(100), nullable=False),
        sa.Column("actor", sa.String(100), nullable=True),
        sa.Column("repo", sa.String(200), nullable=True),
        sa.Column("issue", sa.Integer, nullable=True),
        sa.Column("run_id", sa.String(36), nullable=True),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_index("ix_audit_run_id", "audit", ["run_id"])
    op.create_index("ix_audit_repo_issue", "audit", ["repo", "issue"])
    op.create_table(
        "locks",
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("owner", sa.String(200), nullable=True),
        sa.Column("token", sa.Integer, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    """Drop every table of the store (data is lost)."""
    for table in ("locks", "audit", "semantic_keys", "deliveries", "steps", "runs"):
        op.drop_table(table)
