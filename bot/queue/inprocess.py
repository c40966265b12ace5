"""The embedded queue: bounded thread pools in the same process, for one-machine setups.

Two lanes: pipeline runs (minutes each) on ``max_workers`` threads, and everything else
(webhook handling: commands, reviews, merge-gate evaluations) on its own ``fast_workers``
threads, so a `/hold` is answered in a second even while every run thread is busy. Gate
evaluations for one PR head are coalesced (`enqueue_coalesced`): a burst of check events
leads to one evaluation, ``delay`` after the last of them.

A Python thread cannot be killed, so a job past its timeout is *reported* failed at once
(``status`` shows the timeout message, the log says ``job_timed_out``) while its thread runs
on; its late result is discarded and it is not retried, so it never runs twice at once.
Nothing survives a restart of the process: the run store plus recovery cover that.
"""

from __future__ import annotations

import itertools
import queue
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from bot import interrupt
from bot.errors import RetryableError
from bot.observability import QUEUE_DEPTH, get_logger
from bot.queue.jobs import JobState, execute, job_key, json_payload, lane_of, timeout_message


class QueueFullError(RetryableError):
    """The embedded queue holds its maximum of waiting jobs; try again shortly."""

    kind = "queue-full"


Task = Callable[[], None]
COALESCED_TIMEOUT = 300


@dataclass(frozen=True)
class _Job:
    """One queued call and where it runs."""

    key: str
    func_path: str
    payload: dict[str, Any]
    timeout: int
    retries: int
    lane: str


class _Lane:
    """Threads taking tasks from one priority queue (front first, then in arrival order)."""

    def __init__(self, name: str, threads: int) -> None:
        self._tasks: queue.PriorityQueue[tuple[int, int, Task | None]] = queue.PriorityQueue()
        self._order = itertools.count()
        self._threads = [
            threading.Thread(target=self._work, name=f"issuebot-{name}-{n}", daemon=True)
            for n in range(threads)
        ]
        for thread in self._threads:
            thread.start()

    def put(self, task: Task, *, front: bool = False) -> None:
        self._tasks.put((0 if front else 1, next(self._order), task))

    def _work(self) -> None:
        while True:
            _, _, task = self._tasks.get()
            if task is None:
                return
            task()

    def close(self, *, wait: bool) -> None:
        if not wait:  # drop what still waits; running tasks finish on their own
            while True:
                try:
                    self._tasks.get_nowait()
                except queue.Empty:
                    break
        for _ in self._threads:
            self._tasks.put((2, next(self._order), None))  # after every waiting task
        if wait:
            for thread in self._threads:
                thread.join()


class InProcessQueue:
    """Runs on ``max_workers`` threads, other jobs on ``fast_workers``; ``max_pending`` wait."""

    def __init__(
        self, *, max_workers: int = 2, fast_workers: int = 4, max_pending: int = 1000
    ) -> None:
        self._lanes = {"runs": _Lane("job", max_workers), "fast": _Lane("fast", fast_workers)}
        self._max_pending = max_pending
        self._lock = threading.Lock()
        self._done = threading.Condition(self._lock)
        self._jobs: dict[str, JobState] = {}
        self._coalescing: dict[str, threading.Timer] = {}
        self._log = get_logger("issuebot.queue")

    def enqueue(
        self,
        func_path: str,
        payload: dict[str, Any],
        *,
        job_id: str | None = None,
        timeout_seconds: int = 900,
        retries: int = 0,
        at_front: bool = False,
        lane: str | None = None,
    ) -> str:
        """Queue ``func_path(payload)`` in its lane; a job id already known is not queued again."""
        data = json_payload(payload)
        with self._lock:
            key = job_key(job_id) if job_id else uuid.uuid4().hex
            if key in self._jobs:
                return key
            if self._count("queued") >= self._max_pending:
                raise QueueFullError(f"{self._max_pending} jobs are already waiting")
            self._jobs[key] = JobState(key, "queued")
            QUEUE_DEPTH.set(self._count("queued"))
        job = _Job(key, func_path, data, timeout_seconds, retries, lane or lane_of(func_path))
        self._submit(job, front=at_front)
        return key

    def enqueue_coalesced(
        self, func_path: str, payload: dict[str, Any], *, key: str, delay: float
    ) -> str:
        """Queue the job ``delay`` seconds after the last call with the same ``key``."""
        data = json_payload(payload)
        with self._lock:
            pending = self._coalescing.pop(key, None)
            if pending is not None:
                pending.cancel()
            timer = threading.Timer(delay, self._fire, args=(key, func_path, data))
            timer.daemon = True
            self._coalescing[key] = timer
            self._done.notify_all()
        timer.start()
        return key

    def _fire(self, key: str, func_path: str, payload: dict[str, Any]) -> None:
        with self._lock:
            if self._coalescing.get(key) is not threading.current_thread():
                return  # a later call replaced this timer
            del self._coalescing[key]
            job = uuid.uuid4().hex
            self._jobs[job] = JobState(job, "queued")
        self._submit(_Job(job, func_path, payload, COALESCED_TIMEOUT, 0, "fast"), front=False)

    def _submit(self, job: _Job, *, front: bool) -> None:
        self._lanes[job.lane].put(lambda: self._run(job), front=front)

    def _run(self, job: _Job) -> None:
        key = job.key
        self._set(key, JobState(key, "started"))
        timer = threading.Timer(job.timeout, self._time_out, args=(key, job.timeout))
        timer.daemon = True
        timer.start()
        try:
            result = execute(job.func_path, job.payload, key)
            state = JobState(key, "finished", result=result)
        except Exception as exc:
            state = JobState(key, "failed", error=f"{type(exc).__name__}: {exc}")
        finally:
            timer.cancel()
        with self._lock:
            if self._jobs[key].status != "started":
                return  # timed out meanwhile: the late outcome is discarded
        if state.status == "failed" and job.retries > 0:
            self._log.info("job_retried", job_id=key, retries_left=job.retries - 1)
            self._set(key, JobState(key, "queued"))
            self._submit(replace(job, retries=job.retries - 1), front=False)
            return
        self._set(key, state)

    def _time_out(self, key: str, timeout: int) -> None:
        with self._lock:
            if self._jobs[key].status != "started":
                return
        self._log.error("job_timed_out", job_id=key, timeout_seconds=timeout)
        self._set(key, JobState(key, "failed", error=timeout_message(key, timeout)))

    def _set(self, key: str, state: JobState) -> None:
        with self._lock:
            self._jobs[key] = state
            QUEUE_DEPTH.set(self._count("queued"))
            self._done.notify_all()

    def _count(self, status: str) -> int:
        return sum(1 for s in self._jobs.values() if s.status == status)

    def depth(self) -> int:
        """Jobs waiting for a thread (coalesced jobs waiting out their window included)."""
        with self._lock:
            return self._count("queued") + len(self._coalescing)

    def ping(self) -> None:
        """Always reachable: it lives in this process."""

    def status(self, job_id: str) -> JobState | None:
        """The job's current state, or None for an unknown id."""
        with self._lock:
            return self._jobs.get(job_key(job_id))

    def wait(self, timeout: float) -> bool:
        """Block until no job is queued, coalescing or started; False if ``timeout`` passed."""
        with self._done:
            return self._done.wait_for(
                lambda: self._count("queued") + self._count("started") + len(self._coalescing) == 0,
                timeout,
            )

    def close(self, *, wait: bool = True) -> None:
        """Stop taking jobs; optionally wait for running ones (never once a signal said stop:
        their runs are left to their leases and recovery, see `bot.interrupt`)."""
        wait = wait and not interrupt.stopping()
        with self._lock:
            timers = list(self._coalescing.values())
            self._coalescing.clear()
        for timer in timers:
            timer.cancel()
        for lane in self._lanes.values():
            lane.close(wait=wait)
