"""The durable run store: runs, steps, deliveries, audit and SQL leases (SQLite or PostgreSQL)."""

from bot.store.records import (
    ACTIVE_STATUSES,
    CANCELLED,
    FAILED,
    QUEUED,
    RUN_STATUSES,
    RUNNING,
    SUCCEEDED,
    ActiveRunExistsError,
    AuditEntry,
    Delivery,
    Run,
    StepRecord,
    StoreUnavailableError,
)
from bot.store.repository import DEFAULT_DATABASE_URL, RunStore

__all__ = [
    "ACTIVE_STATUSES",
    "CANCELLED",
    "DEFAULT_DATABASE_URL",
    "FAILED",
    "QUEUED",
    "RUNNING",
    "RUN_STATUSES",
    "SUCCEEDED",
    "ActiveRunExistsError",
    "AuditEntry",
    "Delivery",
    "Run",
    "RunStore",
    "StepRecord",
    "StoreUnavailableError",
]
