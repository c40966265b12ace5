"""Where jobs wait: in-process threads by default, RQ on Redis when QUEUE_URL names Redis."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from bot.errors import ConfigError
from bot.queue.inprocess import InProcessQueue, QueueFullError
from bot.queue.jobs import JobState, job_key
from bot.queue.rq_queue import (
    DEFAULT_QUEUE_NAME,
    QueueUnavailableError,
    RqQueue,
    fast_queue_name,
)

if TYPE_CHECKING:
    from bot.settings import Settings

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


class Queue(Protocol):
    """What the webhook server and reconciler need from a queue."""

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
        """Queue ``func_path(payload)`` (JSON payload); returns the job id actually used.

        Runs go to the run lane, every other job to the fast lane (`jobs.lane_of`) unless
        ``lane`` says; ``at_front`` puts it ahead of what waits in its lane (resumed runs).
        """

    def enqueue_coalesced(
        self, func_path: str, payload: dict[str, Any], *, key: str, delay: float
    ) -> str:
        """Queue it in the fast lane ``delay`` seconds after the last call with this ``key``."""

    def depth(self) -> int:
        """Jobs waiting for a worker."""

    def ping(self) -> None:
        """Raise a retryable error unless the queue is reachable."""

    def status(self, job_id: str) -> JobState | None:
        """The job's state, or None if the queue no longer knows it."""


def make_queue(settings: Settings) -> Queue:
    """``InProcessQueue`` without QUEUE_URL (or ``inprocess://``), ``RqQueue`` for Redis URLs."""
    url = settings.queue_url
    if not url or url.startswith("inprocess://"):
        return InProcessQueue()
    if url.startswith(REDIS_SCHEMES):
        return RqQueue(url, name=settings.queue_name)
    raise ConfigError(
        f"QUEUE_URL {url.split('://', 1)[0]}:// is not supported",
        hint="use redis://host:6379/0, or leave QUEUE_URL unset for the in-process queue",
    )


__all__ = [
    "DEFAULT_QUEUE_NAME",
    "InProcessQueue",
    "JobState",
    "Queue",
    "QueueFullError",
    "QueueUnavailableError",
    "RqQueue",
    "fast_queue_name",
    "job_key",
    "make_queue",
]
