"""Every REST and git request the emulator answered: what tests assert retries and waits on."""

from __future__ import annotations

import threading
from dataclasses import dataclass

MAX_RECORDS = 50_000


@dataclass(frozen=True)
class RequestRecord:
    """One request: method, path (no query), the status answered and when it arrived."""

    method: str
    path: str
    status: int
    at_monotonic: float
    body: bytes | None = None  # the answer's body, only while ``RequestLog.keep_bodies``


class RequestLog:
    """An append-only, bounded list of answered requests, safe across server threads."""

    def __init__(self) -> None:
        self.keep_bodies = False  # conformance tests validate every answer's body
        self._records: list[RequestRecord] = []
        self._lock = threading.Lock()

    def add(self, record: RequestRecord) -> None:
        """Note one answered request (the oldest are dropped past ``MAX_RECORDS``)."""
        with self._lock:
            self._records.append(record)
            if len(self._records) > MAX_RECORDS:
                del self._records[: len(self._records) - MAX_RECORDS]

    def records(self) -> list[RequestRecord]:
        """A copy of every record, oldest first."""
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        """Forget every record."""
        with self._lock:
            self._records.clear()
