"""Leases per (repo, issue) and per repo, in Redis or in the SQL store, with fencing tokens.

A lease has a TTL so a worker that dies (``kill -9``) stops holding it once the TTL passes;
long steps call ``extend()`` between steps. The fencing token grows with every acquisition
of a key, so a writer can tell a stale holder (smaller token) from the current one.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Protocol
from uuid import uuid4

import redis
from redis.exceptions import LockError, LockNotOwnedError

from bot.errors import LockConflictError

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


class _RedisLease:
    def __init__(self, lock: redis.lock.Lock, key: str, owner: str, token: int, ttl: float):
        self._lock, self.key, self.owner, self.token, self._ttl = lock, key, owner, token, ttl

    def extend(self, ttl_seconds: float | None = None) -> None:
        try:
            self._lock.extend(ttl_seconds or self._ttl, replace_ttl=True)
        except LockError as exc:
            raise LockLostError(f"lease on {self.key} (token {self.token}) was lost") from exc

    def release(self) -> None:
        # Expired, maybe taken by another holder: nothing of ours left to free.
        with suppress(LockNotOwnedError, LockError):
            self._lock.release()


class RedisLockManager:
    """redis-py's Lock (SET NX PX + owner check in Lua) plus an INCR fencing counter."""

    def __init__(self, redis_url: str, *, prefix: str = "issuebot:lock:") -> None:
        self._redis = redis.Redis.from_url(redis_url)
        self.prefix = prefix

    def acquire(self, key: str, ttl_seconds: float, *, owner: str) -> Lease | None:
        """The lease, or None; the token is taken after the lock so later holders get more."""
        lock = self._redis.lock(self.prefix + key, timeout=ttl_seconds, thread_local=False)
        if not lock.acquire(blocking=False, token=f"{owner}|{uuid4().hex}"):
            return None
        fence = self.prefix + key + ":fence"
        with self._redis.pipeline() as pipe:  # one round trip; idle keys vanish after a month
            pipe.incr(fence)
            pipe.expire(fence, FENCE_TTL_SECONDS)
            token = int(pipe.execute()[0])
        return _RedisLease(lock, key, owner, token, ttl_seconds)

    def holder(self, key: str) -> str | None:
        """Who holds ``key`` now, or None (for `runs show` and tests)."""
        value = self._redis.get(self.prefix + key)
        return None if value is None else value.decode().split("|", 1)[0]

    def close(self) -> None:
        """Close the connection pool."""
        self._redis.close()


class _SqlLease:
    def __init__(self, store: RunStore, key: str, owner: str, token: int, ttl: float):
        self._store, self.key, self.owner, self.token, self._ttl = store, key, owner, token, ttl

    def extend(self, ttl_seconds: float | None = None) -> None:
        if not self._store.extend_lease(self.key, self.owner, self.token, ttl_seconds or self._ttl):
            raise LockLostError(f"lease on {self.key} (token {self.token}) was lost")

    def release(self) -> None:
        self._store.release_lease(self.key, self.owner, self.token)


class SqlLockManager:
    """Leases in the run store's ``locks`` table: the embedded default, no Redis needed."""

    def __init__(self, store: RunStore) -> None:
        self._store = store

    def acquire(self, key: str, ttl_seconds: float, *, owner: str) -> Lease | None:
        """The lease, or None while an unexpired holder has it."""
        token = self._store.try_lease(key, owner, ttl_seconds)
        return None if token is None else _SqlLease(self._store, key, owner, token, ttl_seconds)

    def holder(self, key: str) -> str | None:
        """Who holds ``key`` now, or None."""
        held = [o for k, o, _ in self._store.held_leases(key) if k == key]
        return held[0] if held else None


def make_lock_manager(settings: Settings, store: RunStore) -> LockManager:
    """Redis leases when QUEUE_URL names Redis (shared by every host), else the SQL store."""
    url = settings.queue_url or ""
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisLockManager(url)
    return SqlLockManager(store)
