"""Start an RQ worker for our queue: the process `issuebot worker` runs, any number at once."""

from __future__ import annotations

import argparse

import redis
from rq import Queue, Worker
from rq.serializers import JSONSerializer

from bot.observability import configure_logging
from bot.queue.rq_queue import DEFAULT_QUEUE_NAME


def run_worker(
    redis_url: str, *, queue_name: str = DEFAULT_QUEUE_NAME, burst: bool = False
) -> bool:
    """Work jobs until stopped (or, with ``burst``, until the queue is empty)."""
    connection = redis.Redis.from_url(redis_url)
    queue = Queue(queue_name, connection=connection, serializer=JSONSerializer)
    # A forking Worker: one child per job isolates generated tests and makes timeouts kill.
    worker = Worker([queue], connection=connection, serializer=JSONSerializer)
    # The scheduler is what moves jobs waiting for an `rq.Retry` interval back into the queue.
    return bool(worker.work(burst=burst, with_scheduler=True, logging_level="INFO"))


def main(argv: list[str] | None = None) -> None:
    """``python -m bot.queue.worker REDIS_URL [--queue NAME] [--burst]``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("redis_url")
    parser.add_argument("--queue", default=DEFAULT_QUEUE_NAME)
    parser.add_argument("--burst", action="store_true")
    args = parser.parse_args(argv)
    configure_logging()
    run_worker(args.redis_url, queue_name=args.queue, burst=args.burst)


if __name__ == "__main__":
    main()
