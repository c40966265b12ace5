"""Leases per (repo, issue) and per repo, in Redis or in the SQL store, with fencing tokens.

A lease has a short TTL renewed by a heartbeat thread of its holder (every third of the TTL),
so it lives as long as its holder and ends within one TTL of the holder's death (``kill -9``,
OOM, a host gone). The fencing token grows with every acquisition of a key: a holder whose
renewal failed is told by ``extend()`` (``LockLostError``) before its next step writes.
"""

from __future__ import annotations

import os
import socket
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Protocol
from uuid import uuid4

import redis
from redis.exceptions import LockError, LockNotOwnedError

from bot.errors import LockConflictError
from bot.observability import get_logger

if TYPE_CHECKING:
    from bot.settings import Settings
    from bot.store import RunStore


# A fencing counter idle this long has no holder left to fence against, so it may go.
FENCE_TTL_SECONDS = 30 * 86400


class LockLostError(LockConflictError):
    """Our lease expired and someone else may hold it now: stop before writing anything."""


class Lease(Protocol):
    """A held lock: ``token`` is the fencing token, larger for every later holder."""

    @property
    def key(self) -> str: ...
    @property
    def owner(self) -> str: ...
    @property
    def token(self) -> int: ...

    def extend(self, ttl_seconds: float | None = None) -> None:
        """Restart the TTL (default: the one acquired with); ``LockLostError`` if lost."""

    def release(self) -> None:
        """Give the lease up; harmless if it already expired."""


class LockManager(Protocol):
    """Where leases live."""

    def acquire(self, key: str, ttl_seconds: float, *, owner: str) -> Lease | None:
        """The lease on ``key`` for ``owner``, or None if someone else holds it."""


class LeaseView(Protocol):
    """What recovery reads about a key: who holds it, and how often it was taken."""

    def holder(self, key: str) -> str | None:
        """The live holder of ``key``, or None once it is free (released or expired)."""

    def fence(self, key: str) -> int:
        """The latest fencing token handed out for ``key`` (0 if never taken)."""


def issue_lock_key(repo: str, issue: int) -> str:
    """The key serialising runs of one issue."""
    return f"issue:{repo}#{issue}"


def repo_lock_key(repo: str) -> str:
    """The key serialising merges into one repository."""
    return f"repo:{repo}"


def default_owner(label: str = "") -> str:
    """host:pid[:label], so an operator can see which worker holds a lease."""
    base = f"{socket.gethostname()}:{os.getpid()}"
    return f"{base}:{label}" if label else base


@contextmanager
def hold(manager: LockManager, key: str, ttl_seconds: float, *, owner: str) -> Iterator[Lease]:
    """Hold ``key`` for the block; ``LockConflictError`` at once if it is taken."""
    lease = manager.acquire(key, ttl_seconds, owner=owner)
    if lease is None:
        raise LockConflictError(f"{key} is held by another worker", hint="try again later")
    try:
        yield lease
    finally:
        lease.release()


class _BeatingLease(ABC):
    """A lease that a daemon thread renews until it is released or found lost.

    Subclasses say how to renew (True: still ours; False: lost; raising: try again later)
    and how to free. Without ``beat`` nobody renews it and it lives exactly its TTL.
    """

    def __init__(self, key: str, owner: str, token: int, ttl: float, *, beat: bool) -> None:
        self.key, self.owner, self.token, self._ttl = key, owner, token, ttl
        self._lost = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if beat:
            name = f"lease-{key}"[:60]
            self._thread = threading.Thread(target=self._beat, name=name, daemon=True)
            self._thread.start()

    @abstractmethod
    def _renew(self, ttl: float) -> bool:
        """Extend the lease by ``ttl``: True while it is still ours."""

    @abstractmethod
    def _free(self) -> None:
        """Give the lease up."""

    @property
    def lost(self) -> bool:
        """Whether a renewal found the lease gone (expired, maybe taken by another)."""
        return self._lost

    def _beat(self) -> None:
        log = get_logger("issuebot.locks")
        while not self._stop.wait(max(self._ttl / 3, 0.05)):
            try:
                if not self._renew(self._ttl):
                    self._lost = True
                    log.warning("lease_lost", key=self.key, token=self.token)
                    return
            except Exception as exc:  # Redis or the DB blinked: the next beat tries again
                log.warning("lease_renew_failed", key=self.key, error=type(exc).__name__)

    def extend(self, ttl_seconds: float | None = None) -> None:
        """Renew now; ``LockLostError`` if the lease expired (a later holder may have it)."""
        if self._lost or not self._renew(ttl_seconds or self._ttl):
            self._lost = True
            raise LockLostError(f"lease on {self.key} (token {self.token}) was lost")

    def release(self) -> None:
        """Stop renewing and give the lease up; harmless if it already expired."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._free()


class _RedisLease(_BeatingLease):
    def __init__(
        self, lock: redis.lock.Lock, key: str, owner: str, token: int, ttl: float, *, beat: bool
    ) -> None:
        self._lock = lock
        super().__init__(key, owner, token, ttl, beat=beat)

    def _renew(self, ttl: float) -> bool:
        try:
            self._lock.extend(ttl, replace_ttl=True)
        except LockError:  # LockNotOwnedError included: expired, or a new holder has it
            return False
        return True

    def _free(self) -> None:
        # Expired, maybe taken by another holder: nothing of ours left to free.
        with suppress(LockNotOwnedError, LockError):
            self._lock.release()


def _stored_ttl(requested: float, heartbeat_ttl: float | None) -> float:
    """With a heartbeat the stored TTL is the heartbeat's (if shorter); else the one asked."""
    return requested if heartbeat_ttl is None else min(requested, heartbeat_ttl)


class RedisLockManager:
    """redis-py's Lock (SET NX PX + owner check in Lua) plus an INCR fencing counter.

    ``lease_ttl`` turns the heartbeat on: leases are stored with at most that TTL and renewed
    while their holder lives (what `make_lock_manager` builds from ISSUEBOT_LEASE_TTL).
    """

    def __init__(
        self, redis_url: str, *, prefix: str = "issuebot:lock:", lease_ttl: float | None = None
    ) -> None:
        self._redis = redis.Redis.from_url(redis_url)
        self.prefix = prefix
        self.lease_ttl = lease_ttl

    def acquire(self, key: str, ttl_seconds: float, *, owner: str) -> Lease | None:
        """The lease, or None; the token is taken after the lock so later holders get more."""
        ttl = _stored_ttl(ttl_seconds, self.lease_ttl)
        lock = self._redis.lock(self.prefix + key, timeout=ttl, thread_local=False)
        if not lock.acquire(blocking=False, token=f"{owner}|{uuid4().hex}"):
            return None
        fence = self.prefix + key + ":fence"
        with self._redis.pipeline() as pipe:  # one round trip; idle keys vanish after a month
            pipe.incr(fence)
            pipe.expire(fence, FENCE_TTL_SECONDS)
            token = int(pipe.execute()[0])
        return _RedisLease(lock, key, owner, token, ttl, beat=self.lease_ttl is not None)

    def holder(self, key: str) -> str | None:
        """Who holds ``key`` now, or None (for `runs show` and tests)."""
        value = self._redis.get(self.prefix + key)
        return None if value is None else value.decode().split("|", 1)[0]

    def fence(self, key: str) -> int:
        """The latest fencing token of ``key`` (0 if never taken, or idle for a month)."""
        value = self._redis.get(self.prefix + key + ":fence")
        return 0 if value is None else int(value)

    def close(self) -> None:
        """Close the connection pool."""
        self._redis.close()


class _SqlLease(_BeatingLease):
    def __init__(
        self, store: RunStore, key: str, owner: str, token: int, ttl: float, *, beat: bool
    ) -> None:
        self._store = store
        super().__init__(key, owner, token, ttl, beat=beat)

    def _renew(self, ttl: float) -> bool:
        return self._store.extend_lease(self.key, self.owner, self.token, ttl)

    def _free(self) -> None:
        self._store.release_lease(self.key, self.owner, self.token)


class SqlLockManager:
    """Leases in the run store's ``locks`` table: the embedded default, no Redis needed."""

    def __init__(self, store: RunStore, *, lease_ttl: float | None = None) -> None:
        self._store = store
        self.lease_ttl = lease_ttl

    def acquire(self, key: str, ttl_seconds: float, *, owner: str) -> Lease | None:
        """The lease, or None while an unexpired holder has it."""
        ttl = _stored_ttl(ttl_seconds, self.lease_ttl)
        token = self._store.try_lease(key, owner, ttl)
        if token is None:
            return None
        return _SqlLease(self._store, key, owner, token, ttl, beat=self.lease_ttl is not None)

    def holder(self, key: str) -> str | None:
        """Who holds ``key`` now, or None."""
        held = [o for k, o, _ in self._store.held_leases(key) if k == key]
        return held[0] if held else None

    def fence(self, key: str) -> int:
        """The latest fencing token of ``key`` (0 if never taken)."""
        return self._store.lease_token(key)


def make_lock_manager(settings: Settings, store: RunStore) -> RedisLockManager | SqlLockManager:
    """Redis leases when QUEUE_URL names Redis (shared by every host), else the SQL store.

    Both renew their leases by heartbeat with ISSUEBOT_LEASE_TTL (30 s by default).
    """
    url = settings.queue_url or ""
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisLockManager(url, lease_ttl=settings.lease_ttl_seconds)
    return SqlLockManager(store, lease_ttl=settings.lease_ttl_seconds)
