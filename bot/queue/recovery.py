"""Re-enqueue runs the store says are active but nobody holds: their worker died.

The run store, not Redis, is the source of truth for runs, and the per-issue lease (renewed
by its holder's heartbeat, see `bot.locks`) says whether anybody is still working on one. An
active run whose lease is free is stranded: its worker was killed with its work horse, or
`serve` died. Every worker checks at start and then every few seconds (`Maintenance`), so a
stranded run is resumed within about one lease TTL plus one interval, without waiting for
the reconciler. Each interruption gets one resume job (its id carries the run's last update
and the lease's fencing token), queued ahead of new runs; the lease decides who executes it,
so any number of workers doing this at once is harmless.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.locks import LeaseView, issue_lock_key
from bot.observability import get_logger

if TYPE_CHECKING:
    from bot.queue import Queue
    from bot.store import RunStore

IMPLEMENT_JOB = "bot.events.jobs:run_implement"
RESUME_TIMEOUT_SECONDS = 1800
log = get_logger("issuebot.queue")


def requeue_active_runs(
    store: RunStore,
    queue: Queue,
    *,
    older_than_seconds: float = 0.0,
    leases: LeaseView | None = None,
    queued: set[str] | None = None,
) -> list[str]:
    """Queue a resume job for every active run untouched for a while and (given ``leases``)
    whose issue lease nobody holds; returns the job ids.

    ``queued`` remembers the ids this process queued already, so a periodic pass does not
    ask the queue (and log) again about a resume job still waiting for a free worker.
    """
    job_ids: list[str] = []
    for run in store.stale_runs(older_than_seconds=older_than_seconds):
        fence = 0
        if leases is not None:
            key = issue_lock_key(run.repo, run.issue)
            if leases.holder(key) is not None:
                continue  # a live worker is on it: its heartbeat keeps the lease
            fence = leases.fence(key)
            current = store.get_run(run.id)
            if current is None or not current.active:
                continue  # it finished (and let go of its lease) while we looked
        stamp = int(run.updated_at.timestamp() * 1000)
        resume_id = f"resume-{run.id}-{stamp}-{fence}"  # one per interruption
        if queued is not None and resume_id in queued:
            continue
        payload = {"repo": run.repo, "issue": run.issue, "run_id": run.id, "trigger": "resume"}
        job_id = queue.enqueue(
            IMPLEMENT_JOB,
            payload,
            job_id=resume_id,
            timeout_seconds=RESUME_TIMEOUT_SECONDS,
            at_front=True,  # it was approved before anything waiting now
        )
        log.info("run_requeued", run_id=run.id, repo=run.repo, issue=run.issue, job_id=job_id)
        job_ids.append(job_id)
        if queued is not None:
            queued.add(resume_id)
    return job_ids


class _ForkGuard:
    """Held while a maintenance pass runs, and taken around ``os.fork``.

    An RQ worker forks a work horse per job; a fork in the middle of a pass could copy a lock
    held by the pass (a connection pool's, a logger's) into the horse, locked forever. With
    this guard a fork waits for the pass (a few queries) and never lands inside one.
    """

    lock = threading.Lock()
    registered = False

    @classmethod
    def install(cls) -> None:
        """Register the fork hooks once per process."""
        if cls.registered or not hasattr(os, "register_at_fork"):
            return
        cls.registered = True
        # Looked up at each fork: a child replaces the lock it inherited locked.
        os.register_at_fork(
            before=cls._before, after_in_parent=cls._after, after_in_child=cls._reset
        )

    @classmethod
    def _before(cls) -> None:
        cls.lock.acquire()

    @classmethod
    def _after(cls) -> None:
        cls.lock.release()

    @classmethod
    def _reset(cls) -> None:
        cls.lock = threading.Lock()  # the child has no maintenance thread of its own


class Maintenance:
    """A daemon thread that runs ``check`` now and every ``every`` seconds until stopped."""

    def __init__(self, check: Callable[[], object], every: float, *, name: str = "recovery"):
        self.check = check
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"issuebot-{name}", daemon=True)
        _ForkGuard.install()

    def start(self) -> Maintenance:
        """One pass now (a burst worker sees its result), then the thread; returns self."""
        self.run_once()
        self._thread.start()
        return self

    def run_once(self) -> None:
        """One pass; a failing pass is logged and the next one tries again."""
        with _ForkGuard.lock:
            try:
                self.check()
            except Exception as exc:  # the store or Redis blinked: the next pass retries
                log.warning("maintenance_failed", error=f"{type(exc).__name__}: {exc}"[:300])

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            self.run_once()

    def stop(self) -> None:
        """Stop after the current pass."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)


def recover_stranded_runs(
    store: RunStore, queue: Queue, leases: LeaseView, *, every: float
) -> Maintenance:
    """Start the periodic check that resumes runs whose lease holder died."""
    queued: set[str] = set()
    return Maintenance(
        lambda: requeue_active_runs(store, queue, leases=leases, queued=queued), every
    ).start()


def wait_until_free(
    leases: LeaseView, key: str, *, within: float, poll: float = 0.25
) -> str | None:
    """Wait up to ``within`` seconds (one lease TTL) for ``key`` to be free.

    None once it is: its holder is provably dead (its heartbeat stopped), or it finished.
    Otherwise the holder that kept renewing: it is alive, leave it alone.
    """
    deadline = time.monotonic() + within
    while (holder := leases.holder(key)) is not None and time.monotonic() < deadline:
        time.sleep(poll)
    return holder
