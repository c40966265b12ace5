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
to failed (``AbandonedJobError``) or re-queues it if it has retries left, once the horse's
heartbeat is overdue (about a minute). The *run* does not wait for that: its lease expires
within ISSUEBOT_LEASE_TTL and every worker's recovery thread resumes it (`bot.queue.recovery`).

Two RQ queues: ``NAME`` for pipeline runs and ``NAME-fast`` for every other job (webhook
handling: commands, reviews, gate evaluations). Every worker takes fast jobs first, and each
`issuebot worker` also keeps slots that take only fast jobs (`bot.queue.worker`), so a
command never waits behind a run.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
from redis.exceptions import RedisError, WatchError
from rq import Queue as RqNativeQueue
from rq import Retry
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from bot.errors import RetryableError
from bot.observability import QUEUE_DEPTH
from bot.queue.jobs import JobState, job_key, json_payload, lane_of, timeout_message

DEFAULT_QUEUE_NAME = "issuebot"
FAST_SUFFIX = "-fast"
COALESCED_TIMEOUT = 300
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
        self.fast = RqNativeQueue(
            fast_queue_name(name), connection=self.redis, serializer=JSONSerializer
        )
        self._intervals = list(retry_intervals)
        self._result_ttl, self._failure_ttl = result_ttl, failure_ttl

    def _lane(self, func_path: str, lane: str | None) -> RqNativeQueue:
        return self.queue if (lane or lane_of(func_path)) == "runs" else self.fast

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
        """Queue ``func_path(payload)`` in its lane; a job id RQ still knows is not queued again."""
        key = job_key(job_id) if job_id else None
        try:
            job = self._lane(func_path, lane).enqueue_call(
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
                at_front=at_front,
            )
        except DuplicateJobError:
            return str(key)
        except RedisError as exc:
            raise QueueUnavailableError(f"cannot queue {func_path}: {exc}") from exc
        QUEUE_DEPTH.set(self.queue.count)
        return str(job.id)

    def enqueue_coalesced(
        self, func_path: str, payload: dict[str, Any], *, key: str, delay: float
    ) -> str:
        """Queue the job ``delay`` seconds after the last call with the same ``key``.

        A Redis key points at the pending job: while it is scheduled its time moves to now +
        ``delay``; while it is queued it will see the newest state anyway; once it started
        (or is gone) the next call schedules a new one. Two racing calls may make two jobs,
        never none. The pending job keeps the payload it was created with: calls with one key
        carry the same payload (the job reads the current state when it runs).
        """
        data = json_payload(payload)
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        pointer = f"issuebot:coalesce:{self.fast.name}:{digest}"
        when = datetime.now(UTC) + timedelta(seconds=delay)
        try:
            for _ in range(5):
                pending = self._still_pending(pointer, when)
                if pending is not None:
                    return pending
                job_id = f"coalesced-{digest}-{uuid.uuid4().hex[:12]}"
                with self.redis.pipeline() as pipe:
                    try:
                        pipe.watch(pointer)
                        if pipe.get(pointer) is not None and self._still_pending(pointer, when):
                            continue
                        pipe.multi()
                        pipe.set(pointer, job_id, ex=3600)
                        pipe.execute()
                    except WatchError:
                        continue  # another call changed the pointer: look again
                job = self.fast.create_job(
                    EXECUTE, args=(func_path, data), kwargs={"job_id": job_id},
                    timeout=COALESCED_TIMEOUT, job_id=job_id, result_ttl=self._result_ttl,
                    failure_ttl=self._failure_ttl, description=func_path,
                )  # fmt: skip
                self.fast.schedule_job(job, when)
                return job_id
        except RedisError as exc:
            raise QueueUnavailableError(f"cannot queue {func_path}: {exc}") from exc
        raise QueueUnavailableError(f"cannot queue {func_path}: too much contention on {key}")

    def _still_pending(self, pointer: str, when: datetime) -> str | None:
        """The pointed job's id if it has not started yet (a scheduled one moves to ``when``)."""
        raw = self.redis.get(pointer)
        if raw is None:
            return None
        job_id = raw.decode()
        try:
            status = Job.fetch(
                job_id, connection=self.redis, serializer=JSONSerializer
            ).get_status()
        except NoSuchJobError:
            return None
        if status == JobStatus.SCHEDULED:
            # XX: only if the scheduler has not just moved it to the queue (then it is queued).
            score = int(when.timestamp())
            self.redis.zadd(self.fast.scheduled_job_registry.key, {job_id: score}, xx=True)
            return job_id
        return job_id if status in {JobStatus.QUEUED, JobStatus.DEFERRED} else None

    def depth(self) -> int:
        """Jobs waiting in Redis for a worker (both lanes)."""
        try:
            count = int(self.queue.count) + int(self.fast.count)
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
        except RedisError as exc:
            raise QueueUnavailableError(f"cannot read job {key}: {exc}") from exc
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
        """Ids in RQ's failed job registries of both lanes (for operators and the fault suite)."""
        return [
            *self.queue.failed_job_registry.get_job_ids(),
            *self.fast.failed_job_registry.get_job_ids(),
        ]

    def close(self) -> None:
        """Close the Redis connection pool."""
        self.redis.close()


def fast_queue_name(name: str) -> str:
    """The fast lane's RQ queue next to the run queue ``name``."""
    return name + FAST_SUFFIX
