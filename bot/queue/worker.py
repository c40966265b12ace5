"""Start an RQ worker for our queue: the process `issuebot worker` runs, any number at once."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence

import redis
from rq import Queue, Worker
from rq.serializers import JSONSerializer

from bot.observability import configure_logging, get_logger
from bot.queue.rq_queue import DEFAULT_QUEUE_NAME

# Imported once in the worker so each forked work horse inherits them instead of paying the
# import (about a second for the pipeline) on every job.
DEFAULT_PRELOAD = ("bot.store", "bot.locks", "bot.pipeline.jobs", "bot.events.jobs")


def preload(modules: Sequence[str]) -> None:
    """Import the job modules now; a module that fails is logged, its jobs will say why."""
    log = get_logger("issuebot.queue")
    for module in modules:
        try:
            importlib.import_module(module)
        except Exception as exc:  # an optional area missing must not stop the worker
            log.warning("preload_failed", module=module, error=f"{type(exc).__name__}: {exc}")


def run_worker(
    redis_url: str,
    *,
    queue_name: str = DEFAULT_QUEUE_NAME,
    burst: bool = False,
    preload_modules: Sequence[str] = DEFAULT_PRELOAD,
) -> bool:
    """Work jobs until stopped (or, with ``burst``, until the queue is empty)."""
    preload(preload_modules)
    connection = redis.Redis.from_url(redis_url)
    queue = Queue(queue_name, connection=connection, serializer=JSONSerializer)
    # A forking Worker: one child per job isolates generated tests and makes timeouts kill.
    worker = Worker([queue], connection=connection, serializer=JSONSerializer)
    # The scheduler is what moves jobs waiting for an `rq.Retry` interval back into the queue.
    return bool(worker.work(burst=burst, with_scheduler=True, logging_level="INFO"))


def main(argv: list[str] | None = None) -> None:
    """``python -m bot.queue.worker REDIS_URL [--queue NAME] [--burst] [--preload MODULE]``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("redis_url")
    parser.add_argument("--queue", default=DEFAULT_QUEUE_NAME)
    parser.add_argument("--burst", action="store_true")
    parser.add_argument("--preload", action="append", default=[], help="extra job module")
    args = parser.parse_args(argv)
    configure_logging()
    modules = (*DEFAULT_PRELOAD, *args.preload)
    run_worker(args.redis_url, queue_name=args.queue, burst=args.burst, preload_modules=modules)


if __name__ == "__main__":
    main()
