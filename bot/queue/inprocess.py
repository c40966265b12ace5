"""The embedded queue: a bounded thread pool in the same process, for one-machine setups.

A Python thread cannot be killed, so a job past its timeout is *reported* failed at once
(``status`` shows the timeout message, the log says ``job_timed_out``) while its thread runs
on; its late result is discarded and it is not retried, so it never runs twice at once.
Nothing survives a restart of the process: the run store plus the reconciler cover that.
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot.errors import RetryableError
from bot.observability import QUEUE_DEPTH, get_logger
from bot.queue.jobs import JobState, execute, job_key, json_payload, timeout_message


class QueueFullError(RetryableError):
    """The embedded queue holds its maximum of waiting jobs; try again shortly."""

    kind = "queue-full"


class InProcessQueue:
    """Jobs run on ``max_workers`` threads; at most ``max_pending`` may wait."""

    def __init__(self, *, max_workers: int = 2, max_pending: int = 1000) -> None:
        self._pool = ThreadPoolExecutor(max_workers, thread_name_prefix="issuebot-job")
        self._max_pending = max_pending
        self._lock = threading.Lock()
        self._done = threading.Condition(self._lock)
        self._jobs: dict[str, JobState] = {}
        self._log = get_logger("issuebot.queue")

    def enqueue(
        self,
        func_path: str,
        payload: dict[str, Any],
        *,
        job_id: str | None = None,
        timeout_seconds: int = 900,
        retries: int = 0,
    ) -> str:
        """Queue ``func_path(payload)``; a job id already known is not queued again."""
        data = json_payload(payload)
        with self._lock:
            key = job_key(job_id) if job_id else uuid.uuid4().hex
            if key in self._jobs:
                return key
            if self._count("queued") >= self._max_pending:
                raise QueueFullError(f"{self._max_pending} jobs are already waiting")
            self._jobs[key] = JobState(key, "queued")
            QUEUE_DEPTH.set(self._count("queued"))
        self._pool.submit(self._run, key, func_path, data, timeout_seconds, retries)
        return key

    def _run(
        self, key: str, func_path: str, payload: dict[str, Any], timeout: int, retries: int
    ) -> None:
        self._set(key, JobState(key, "started"))
        timer = threading.Timer(timeout, self._time_out, args=(key, timeout))
        timer.daemon = True
        timer.start()
        try:
            result = execute(func_path, payload, key)
            state = JobState(key, "finished", result=result)
        except Exception as exc:
            state = JobState(key, "failed", error=f"{type(exc).__name__}: {exc}")
        finally:
            timer.cancel()
        with self._lock:
            if self._jobs[key].status != "started":
                return  # timed out meanwhile: the late outcome is discarded
        if state.status == "failed" and retries > 0:
            self._log.info("job_retried", job_id=key, retries_left=retries - 1)
            self._set(key, JobState(key, "queued"))
            self._pool.submit(self._run, key, func_path, payload, timeout, retries - 1)
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
        """Jobs waiting for a thread."""
        with self._lock:
            return self._count("queued")

    def ping(self) -> None:
        """Always reachable: it lives in this process."""

    def status(self, job_id: str) -> JobState | None:
        """The job's current state, or None for an unknown id."""
        with self._lock:
            return self._jobs.get(job_key(job_id))

    def wait(self, timeout: float) -> bool:
        """Block until no job is queued or started; False if ``timeout`` passed first."""
        with self._done:
            return self._done.wait_for(
                lambda: self._count("queued") + self._count("started") == 0, timeout
            )

    def close(self, *, wait: bool = True) -> None:
        """Stop taking jobs; optionally wait for running ones."""
        self._pool.shutdown(wait=wait, cancel_futures=not wait)
