"""Faults on demand: the next K calls matching a method and path regex fail or crawl.

Kinds: ``502`` (a bad gateway, the request never reaches GitHub), ``secondary_rate_limit``
(403 + ``Retry-After``), ``rate_limit`` (primary: 403 + ``X-RateLimit-Remaining: 0``),
``already_exists`` (the request IS applied, then answered 422 "already exists", as when a
retried create races its own first attempt), ``502_after_write`` (the request IS applied, then
answered 502, as when GitHub's front end times out on a write that went through) and ``slow``
(answered after ``delay`` seconds).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Literal

FaultKind = Literal[
    "502", "502_after_write", "secondary_rate_limit", "rate_limit", "already_exists", "slow"
]
FAULT_KINDS: tuple[str, ...] = (
    "502",
    "502_after_write",
    "secondary_rate_limit",
    "rate_limit",
    "already_exists",
    "slow",
)


@dataclass
class Fault:
    """One planned fault and how many more calls it applies to."""

    method: str
    path_regex: str
    kind: str
    remaining: int
    delay: float = 0.0

    def matches(self, method: str, path: str) -> bool:
        """Whether a request hits this fault (method ``*`` matches any)."""
        return (self.method in {"*", method.upper()}) and re.search(
            self.path_regex, path
        ) is not None


class FaultInjector:
    """The plan of pending faults, consumed call by call."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self.triggered: list[tuple[str, str, str]] = []

    def add(
        self, method: str, path_regex: str, kind: str, count: int = 1, delay: float = 0.0
    ) -> Fault:
        """Plan ``count`` faults of ``kind`` for matching calls."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {FAULT_KINDS}")
        re.compile(path_regex)
        fault = Fault(method.upper(), path_regex, kind, count, delay)
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        """The fault this call triggers (consuming one use), or None."""
        with self._lock:
            for fault in self._faults:
                if fault.remaining > 0 and fault.matches(method, path):
                    fault.remaining -= 1
                    self.triggered.append((method, path, fault.kind))
                    return fault
            self._faults = [f for f in self._faults if f.remaining > 0]
        return None

    def clear(self) -> None:
        """Drop every pending fault."""
        with self._lock:
            self._faults.clear()

    def pending(self) -> list[Fault]:
        """Faults that still have uses left."""
        with self._lock:
            return [f for f in self._faults if f.remaining > 0]
