"""Leases per issue and per repo: exclusive, given up by dead holders, fenced, in Redis and SQL."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from bot.errors import LockConflictError
from bot.locks import (
    Lease,
    LockLostError,
    LockManager,
    RedisLockManager,
    SqlLockManager,
    hold,
    issue_lock_key,
    make_lock_manager,
    repo_lock_key,
)
from bot.settings import Settings
from bot.store import RunStore
from tests.bot.store.helpers import pg_schema_url

__all__ = ["pg_schema_url"]

KINDS = [
    pytest.param("redis", marks=pytest.mark.redis),
    "sqlite",
    pytest.param("postgres", marks=pytest.mark.postgres),
]

HOLDER = """
import sys, time
from bot.locks import RedisLockManager, SqlLockManager
from bot.store import RunStore
kind, url, prefix, key = sys.argv[1:5]
if kind == "redis":
    manager = RedisLockManager(url, prefix=prefix)
else:
    manager = SqlLockManager(RunStore.open(url))
lease = manager.acquire(key, 2.0, owner="doomed-worker")
print(lease.token, flush=True)
time.sleep(120)
"""


@pytest.fixture(params=KINDS)
def backend(
    request: pytest.FixtureRequest, tmp_path: Path, redis_url: str
) -> Iterator[tuple[str, str, str]]:
    """(kind, url, key prefix) of a lock backend private to this test."""
    prefix = f"issuebot-test:{uuid.uuid4().hex}:lock:"
    kind = str(request.param)
    if kind == "redis":
        yield kind, redis_url, prefix
        client = redis.Redis.from_url(redis_url)
        keys = list(client.scan_iter(match=prefix + "*"))
        if keys:
            client.delete(*keys)
        client.close()
    elif kind == "sqlite":
        yield kind, f"sqlite:///{tmp_path / 'locks.db'}", prefix
    else:
        yield kind, str(request.getfixturevalue("pg_schema_url")), prefix


@pytest.fixture
def manager(backend: tuple[str, str, str]) -> Iterator[LockManager]:
    kind, url, prefix = backend
    if kind == "redis":
        redis_manager = RedisLockManager(url, prefix=prefix)
        yield redis_manager
        redis_manager.close()
    else:
        store = RunStore.open(url)
        yield SqlLockManager(store)
        store.close()


def test_an_issue_lease_is_exclusive_until_released_and_each_holder_gets_a_larger_token(
    manager: LockManager,
) -> None:
    key = issue_lock_key("acme/shop", 7)
    first = manager.acquire(key, 30, owner="worker-a")
    assert first is not None and first.owner == "worker-a"
    assert manager.acquire(key, 30, owner="worker-b") is None
    assert manager.acquire(repo_lock_key("acme/shop"), 30, owner="worker-b") is not None
    first.release()
    second = manager.acquire(key, 30, owner="worker-b")
    assert second is not None and second.token > first.token
    second.release()
    third = manager.acquire(key, 30, owner="worker-a")
    assert third is not None and third.token > second.token


def test_an_expired_lease_is_lost_by_its_holder_and_cannot_free_the_new_one(
    manager: LockManager,
) -> None:
    key = issue_lock_key("acme/shop", 8)
    stale = manager.acquire(key, 0.2, owner="slow-worker")
    assert stale is not None
    taken = _acquire_eventually(manager, key, owner="fresh-worker")
    assert taken.token > stale.token
    with pytest.raises(LockLostError) as lost:
        stale.extend()
    assert lost.value.retryable
    stale.release()  # a late release by the stale holder must not free the new holder's lease
    assert manager.acquire(key, 30, owner="third-worker") is None
    taken.extend(30)  # the current holder keeps it going
    taken.release()
    assert manager.acquire(key, 30, owner="third-worker") is not None


def test_ten_workers_racing_for_one_issue_get_one_lease(manager: LockManager) -> None:
    leases: list[Lease] = []
    barrier = threading.Barrier(10)

    def race(n: int) -> None:
        barrier.wait()
        lease = manager.acquire(issue_lock_key("acme/race", 1), 30, owner=f"w{n}")
        if lease is not None:
            leases.append(lease)

    threads = [threading.Thread(target=race, args=(n,)) for n in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(leases) == 1


def test_hold_refuses_at_once_with_a_retryable_conflict_and_releases_on_exit(
    manager: LockManager,
) -> None:
    key = repo_lock_key("acme/merge")
    with hold(manager, key, 30, owner="merger-1") as lease:
        with pytest.raises(LockConflictError) as conflict, hold(manager, key, 30, owner="m2"):
            pass
        assert conflict.value.retryable and key in conflict.value.message
        assert lease.token >= 1
    assert manager.acquire(key, 30, owner="merger-2") is not None


def test_a_holder_killed_with_sigkill_stops_holding_once_its_ttl_passes(
    manager: LockManager, backend: tuple[str, str, str], repo_root: Path
) -> None:
    kind, url, prefix = backend
    key = issue_lock_key("acme/shop", 9)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, kind, url, prefix, key],
        stdout=subprocess.PIPE,
        text=True,
        cwd=repo_root,
    )
    try:
        assert holder.stdout is not None
        dead_token = int(holder.stdout.readline())
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        assert manager.acquire(key, 30, owner="survivor") is None  # TTL (2 s) not over yet
        survivor = _acquire_eventually(manager, key, owner="survivor")
        assert survivor.token > dead_token
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()


def _acquire_eventually(manager: LockManager, key: str, *, owner: str) -> Lease:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        lease = manager.acquire(key, 30, owner=owner)
        if lease is not None:
            return lease
        time.sleep(0.05)
    raise AssertionError(f"{key} was never freed")


def test_leases_live_in_redis_when_the_queue_does_and_in_the_store_otherwise(
    tmp_path: Path, redis_url: str
) -> None:
    store = RunStore.open(f"sqlite:///{tmp_path / 'runs.db'}")
    try:
        embedded = make_lock_manager(Settings(queue_url=None), store)
        shared = make_lock_manager(Settings(queue_url=redis_url), store)
        assert isinstance(embedded, SqlLockManager)
        assert isinstance(shared, RedisLockManager)
        shared.close()
    finally:
        store.close()


BEATING_HOLDER = """
import sys, time
from bot.errors import LockConflictError
from bot.locks import RedisLockManager, SqlLockManager
from bot.store import RunStore
kind, url, prefix, key = sys.argv[1:5]
if kind == "redis":
    manager = RedisLockManager(url, prefix=prefix, lease_ttl=1.0)
else:
    manager = SqlLockManager(RunStore.open(url), lease_ttl=1.0)
lease = manager.acquire(key, 600, owner="beating-worker")
print(lease.token, flush=True)
while True:  # a run between steps: each step starts by checking it still holds the lease
    time.sleep(0.1)
    try:
        lease.extend()
    except LockConflictError:
        print("lost", flush=True)
        break
"""


@pytest.fixture
def beating(backend: tuple[str, str, str]) -> Iterator[RedisLockManager | SqlLockManager]:
    """A lock manager whose leases live 1 s unless their holder's heartbeat renews them."""
    kind, url, prefix = backend
    if kind == "redis":
        redis_manager = RedisLockManager(url, prefix=prefix, lease_ttl=1.0)
        yield redis_manager
        redis_manager.close()
    else:
        store = RunStore.open(url)
        yield SqlLockManager(store, lease_ttl=1.0)
        store.close()


def test_a_live_holder_keeps_its_short_lease_for_as_long_as_it_runs(
    beating: RedisLockManager | SqlLockManager,
) -> None:
    key = issue_lock_key("acme/shop", 10)
    lease = beating.acquire(key, 600, owner="long-run")
    assert lease is not None
    time.sleep(3.5)  # three and a half TTLs: only the heartbeat keeps it
    assert beating.acquire(key, 600, owner="intruder") is None
    assert beating.holder(key) == "long-run"
    lease.extend()  # still ours
    lease.release()
    assert beating.holder(key) is None
    assert beating.fence(key) == lease.token


def _spawn(
    script: str, backend: tuple[str, str, str], key: str, cwd: Path
) -> subprocess.Popen[str]:
    kind, url, prefix = backend
    return subprocess.Popen(
        [sys.executable, "-c", script, kind, url, prefix, key],
        stdout=subprocess.PIPE,
        text=True,
        cwd=cwd,
    )


def test_a_dead_holders_lease_is_free_within_one_short_ttl_although_it_asked_for_ten_minutes(
    beating: RedisLockManager | SqlLockManager, backend: tuple[str, str, str], repo_root: Path
) -> None:
    key = issue_lock_key("acme/shop", 11)
    holder = _spawn(BEATING_HOLDER, backend, key, repo_root)
    try:
        assert holder.stdout is not None
        dead_token = int(holder.stdout.readline())
        time.sleep(2.5)  # alive past its TTL: the heartbeat renews it
        assert beating.acquire(key, 30, owner="survivor") is None
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        killed = time.monotonic()
        survivor = _acquire_eventually(beating, key, owner="survivor")
        assert time.monotonic() - killed < 2.0  # one TTL (1 s) and some polling
        assert survivor.token > dead_token
        survivor.release()
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()


def test_a_frozen_holder_that_wakes_after_losing_its_lease_is_fenced_off(
    beating: RedisLockManager | SqlLockManager, backend: tuple[str, str, str], repo_root: Path
) -> None:
    key = issue_lock_key("acme/shop", 12)
    holder = _spawn(BEATING_HOLDER, backend, key, repo_root)
    try:
        assert holder.stdout is not None
        frozen_token = int(holder.stdout.readline())
        holder.send_signal(signal.SIGSTOP)  # a long GC pause, a VM migration, a stuck disk
        survivor = _acquire_eventually(beating, key, owner="survivor")
        holder.send_signal(signal.SIGCONT)
        assert holder.wait(timeout=10) == 0
        assert "lost" in holder.stdout.read()  # it stopped before its next write
        assert beating.holder(key) == "survivor" and survivor.token > frozen_token
        survivor.release()
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
