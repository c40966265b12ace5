"""The Redis-backed queue, built on RQ 3: any number of `issuebot worker` processes on any host.

Workers are RQ's forking ``Worker``: each job runs in a fresh child ("work horse"), so the
generated tests a job runs cannot leak state into the next job, and a job past its
``job_timeout`` is killed by the horse's alarm and recorded in the failed job registry with a
clear message. Payloads use RQ's JSON serializer, never pickle.

Durability: RQ keeps queued jobs as Redis lists and hashes, so they survive a Redis restart
only if Redis persists them (AOF ``appendonly yes`` + ``appendfsync everysec|always``, or RDB
snapshots between restarts). The Redis of this machine runs with ``--appendonly no`` and no
``save`` points, i.e. nothing survives its restart; the run store is then the source of truth
and the reconciler re-enqueues runs still ``queued`` (job id = run id, so never twice).
A worker killed mid-job leaves the job in the started registry; RQ's maintenance moves it
to failed (``AbandonedJobError``) or re-queues it if it has retries left.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import redis
from redis.exceptions import RedisError
from rq import Queue as RqNativeQueue
from rq import Retry
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from bot.errors import RetryableError
from bot.observability import QUEUE_DEPTH
from bot.queue.jobs import JobState, job_key, json_payload, timeout_message

DEFAULT_QUEUE_NAME = "issuebot"
EXECUTE = "bot.queue.jobs.execute"
_STATES = {
    JobStatus.QUEUED: "queued",
    JobStatus.DEFERRED: "queued",
    JobStatus.SCHEDULED: "queued",
    JobStatus.STARTED: "started",
    JobStatus.FINISHED: "finished",
    JobStatus.FAILED: "failed",
    JobStatus.STOPPED: "failed",
    JobStatus.CANCELED: "failed",
}


class QueueUnavailableError(RetryableError):
    """Redis could not be reached; the job was not queued."""

    kind = "queue-unavailable"


class RqQueue:
    """Jobs in Redis via RQ; ``job_id`` de-dupes, ``retries`` uses ``rq.Retry``."""

    def __init__(
        self,
        redis_url: str,
        *,
        name: str = DEFAULT_QUEUE_NAME,
        retry_intervals: Sequence[int] = (10, 60, 300),
        result_ttl: int = 86400,
        failure_ttl: int = 7 * 86400,
    ) -> None:
        self.redis = redis.Redis.from_url(redis_url)
        self.name = name
        self.queue = RqNativeQueue(name, connection=self.redis, serializer=JSONSerializer)
        self._intervals = list(retry_intervals)
        self._result_ttl, self._failure_ttl = result_ttl, failure_ttl

    def enqueue(
        self,
        func_path: str,
        payload: dict[str, Any],
        *,
        job_id: str | None = None,
        timeout_seconds: int = 900,
        retries: int = 0,
    ) -> str:
        """Queue ``func_path(payload)``; a job id that RQ still knows is not queued again."""
        key = job_key(job_id) if job_id else None
        try:
            job = self.queue.enqueue_call(
                EXECUTE,
                args=(func_path, json_payload(payload)),
                kwargs={"job_id": key},
                timeout=timeout_seconds,
                job_id=key,
                unique=key is not None,
                retry=Retry(max=retries, interval=self._intervals) if retries else None,
                result_ttl=self._result_ttl,
                failure_ttl=self._failure_ttl,
                description=func_path,
            )
        except DuplicateJobError:
            return str(key)
        except RedisError as exc:
            raise QueueUnavailableError(f"cannot queue {func_path}: {exc}") from exc
        QUEUE_DEPTH.set(self.queue.count)
        return str(job.id)

    def depth(self) -> int:
        """Jobs waiting in Redis for a worker."""
        try:
            count = int(self.queue.count)
        except RedisError as exc:
            raise QueueUnavailableError(f"cannot read queue depth: {exc}") from exc
        QUEUE_DEPTH.set(count)
        return count

    def ping(self) -> None:
        """Raise ``QueueUnavailableError`` unless Redis answers (for /readyz)."""
        try:
            self.redis.ping()
        except RedisError as exc:
            raise QueueUnavailableError(f"queue unavailable: {exc}") from exc

    def status(self, job_id: str) -> JobState | None:
        """The job's state; a timeout reads as one clear line, other failures as their last line."""
        key = job_key(job_id)
        try:
            job = Job.fetch(key, connection=self.redis, serializer=JSONSerializer)
        except NoSuchJobError:
            return None
        state = _STATES.get(job.get_status(), "queued")
        if state == "finished":
            return JobState(key, state, result=job.return_value())
        if state != "failed":
            return JobState(key, state)
        latest = job.latest_result()
        text = (latest.exc_string or "") if latest is not None else ""
        if "JobTimeoutException" in text:
            return JobState(key, state, error=timeout_message(key, job.timeout or 0))
        lines = [ln for ln in text.strip().splitlines() if ln.strip()]
        return JobState(key, state, error=lines[-1] if lines else "failed")

    def failed_job_ids(self) -> list[str]:
        """Ids in RQ's failed job registry (for operators and the fault suite)."""
        return list(self.queue.failed_job_registry.get_job_ids())

    def close(self) -> None:
        """Close the Redis connection pool."""
        self.redis.close()
