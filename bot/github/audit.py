"""Approval records and the audit log: who allowed a destructive GitHub call, and that it ran.

The policy layer (merge gates, maintainer commands) produces an ``Approval``; the GitHub layer
refuses destructive calls without a matching one and writes every attempt to an ``AuditSink``.
The SQL run store implements the same ``AuditSink`` Protocol.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, runtime_checkable


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Approval:
    """A decision that one destructive operation on one subject may run.

    ``subject`` is the issue/PR number (as text) or the branch name the operation acts on, so an
    approval to merge PR 12 cannot be replayed to delete a branch or merge PR 13.
    """

    operation: str
    repo: str
    subject: str
    actor: str
    reason: str
    decided_at: datetime = field(default_factory=_now)

    @classmethod
    def merge(cls, repo: str, number: int, *, actor: str, reason: str) -> Approval:
        """Approval to merge pull request ``number``."""
        return cls("merge_pull", repo, str(number), actor, reason)

    @classmethod
    def delete_branch(cls, repo: str, branch: str, *, actor: str, reason: str) -> Approval:
        """Approval to delete ``branch``."""
        return cls("delete_branch", repo, branch, actor, reason)

    @classmethod
    def close_issue(cls, repo: str, number: int, *, actor: str, reason: str) -> Approval:
        """Approval to close issue ``number``."""
        return cls("close_issue", repo, str(number), actor, reason)

    def covers(self, operation: str, repo: str, subject: str) -> bool:
        """Whether this approval allows exactly that operation on that subject."""
        return (
            self.operation == operation
            and self.repo.lower() == repo.lower()
            and self.subject == subject
        )

    def as_dict(self) -> dict[str, object]:
        """The approval as JSON-ready data for the audit record."""
        return {
            "operation": self.operation,
            "repo": self.repo,
            "subject": self.subject,
            "actor": self.actor,
            "reason": self.reason,
            "decided_at": self.decided_at.isoformat(),
        }


@runtime_checkable
class AuditSink(Protocol):
    """Where audit events go; implementations must not drop events silently."""

    def record(self, event: dict[str, object]) -> None:
        """Persist one audit event."""
        ...


class MemoryAuditSink:
    """Keeps events in a list: for tests, the CLI demo and single-shot Action runs."""

    def __init__(self) -> None:
        self.events: list[dict[str, object]] = []
        self._lock = threading.Lock()

    def record(self, event: dict[str, object]) -> None:
        """Append a copy of the event."""
        with self._lock:
            self.events.append(dict(event))


class JsonlAuditSink:
    """Appends one JSON object per line to a file: greppable, append-only, no database needed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def record(self, event: dict[str, object]) -> None:
        """Append the event as one line and flush it to disk before returning."""
        line = json.dumps(event, sort_keys=True, default=str, ensure_ascii=True)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")
                fh.flush()

    def read(self) -> list[Mapping[str, object]]:
        """Every event recorded so far, oldest first."""
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]
