"""Start an RQ worker for our queues: the process `issuebot worker` runs, any number at once.

Each worker takes jobs from the fast lane (``NAME-fast``: webhook handling, commands, gate
evaluations) before the run lane (``NAME``), and keeps ``FAST_SLOTS`` extra processes that
take only fast jobs, so commands never wait behind a run even when every worker is busy
running one (and one slow gate evaluation does not hold up a command).
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import importlib
import os
import signal
import subprocess
import sys
from collections.abc import Sequence

import redis
from rq import Queue, Worker
from rq.serializers import JSONSerializer

from bot import interrupt
from bot.observability import configure_logging, get_logger
from bot.queue.rq_queue import DEFAULT_QUEUE_NAME, fast_queue_name

# Imported once in the worker so each forked work horse inherits them instead of paying the
# import (about a second for the pipeline) on every job.
DEFAULT_PRELOAD = ("bot.store", "bot.locks", "bot.pipeline", "bot.events.jobs")
# RQ marks a job whose horse died as abandoned once its execution heartbeat (this + 60 s) is
# overdue, at its next registry maintenance; the run itself is resumed sooner by recovery.
JOB_MONITORING_INTERVAL = 10
RQ_MAINTENANCE_INTERVAL = 60
_PR_SET_PDEATHSIG = 1
FAST_SLOTS = 2


class StoppingWorker(Worker):
    """RQ's forking worker, but SIGINT/SIGTERM stop it within 2 s (``bot.interrupt``).

    RQ's own handlers wait for the running job (a warm shutdown, minutes for a run); here the
    horse and its sandboxed tests are killed instead and the run is left to its lease, which
    expires and lets any worker's recovery resume it from its last recorded step.
    """

    def _install_signal_handlers(self) -> None:
        signal.signal(signal.SIGINT, interrupt.handle_signal)
        signal.signal(signal.SIGTERM, interrupt.handle_signal)


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
    fast_only: bool = False,
    fast_slots: int = FAST_SLOTS,
) -> bool:
    """Work jobs until stopped (or, with ``burst``, until the queues are empty).

    ``fast_slots`` companion processes take only fast jobs (not in burst mode); ``fast_only``
    is such a companion. SIGINT/SIGTERM stop it, its companions and the horses' sandboxed
    tests within 2 s, and remove its private temp dir (``bot.interrupt``).
    """
    with interrupt.exit_on_signals(temp_prefix="issuebot-worker-"):
        return _work(
            redis_url,
            queue_name=queue_name,
            burst=burst,
            preload_modules=preload_modules,
            fast_only=fast_only,
            fast_slots=fast_slots,
        )


def _work(
    redis_url: str,
    *,
    queue_name: str,
    burst: bool,
    preload_modules: Sequence[str],
    fast_only: bool,
    fast_slots: int,
) -> bool:
    companions = []
    if not fast_only and not burst:  # started first: they import while this one does
        companions = [
            _start_fast_slot(redis_url, queue_name, preload_modules) for _ in range(fast_slots)
        ]
    preload(preload_modules)
    connection = redis.Redis.from_url(redis_url)
    fast = Queue(fast_queue_name(queue_name), connection=connection, serializer=JSONSerializer)
    runs = Queue(queue_name, connection=connection, serializer=JSONSerializer)
    # A forking Worker: one child per job isolates generated tests and makes timeouts kill.
    worker = StoppingWorker(
        [fast] if fast_only else [fast, runs],  # RQ takes from the first non-empty queue
        connection=connection,
        serializer=JSONSerializer,
        job_monitoring_interval=JOB_MONITORING_INTERVAL,
        maintenance_interval=RQ_MAINTENANCE_INTERVAL,
    )
    try:
        # The scheduler moves jobs waiting for an `rq.Retry` interval or a coalescing window
        # back into their queue.
        return bool(worker.work(burst=burst, with_scheduler=True, logging_level="INFO"))
    finally:
        if not interrupt.stopping():  # after a signal, the exit kills them with their horses
            for companion in companions:
                companion.terminate()  # it stops at once, leaving its job to recovery
            for companion in companions:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    companion.wait(timeout=30)


def _start_fast_slot(
    redis_url: str, queue_name: str, preload_modules: Sequence[str]
) -> subprocess.Popen[bytes]:
    extra = [f"--preload={m}" for m in preload_modules if m not in DEFAULT_PRELOAD]
    command = [sys.executable, "-m", "bot.queue.worker", redis_url, "--queue", queue_name]
    return subprocess.Popen([*command, "--fast-only", f"--parent={os.getpid()}", *extra])


def _die_with_parent(parent: int) -> None:
    """Linux: the kernel sends SIGTERM when the worker that started us dies, even by SIGKILL."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # it died before the prctl took effect
        sys.exit(0)


def main(argv: list[str] | None = None) -> None:
    """``python -m bot.queue.worker REDIS_URL [--queue NAME] [--burst] [--preload MODULE]``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("redis_url")
    parser.add_argument("--queue", default=DEFAULT_QUEUE_NAME)
    parser.add_argument("--burst", action="store_true")
    parser.add_argument("--fast-only", action="store_true", help="take only fast-lane jobs")
    parser.add_argument("--parent", type=int, default=0, help="exit when this process dies")
    parser.add_argument("--preload", action="append", default=[], help="extra job module")
    args = parser.parse_args(argv)
    configure_logging()
    if args.parent:
        _die_with_parent(args.parent)
    modules = (*DEFAULT_PRELOAD, *args.preload)
    run_worker(
        args.redis_url,
        queue_name=args.queue,
        burst=args.burst,
        preload_modules=modules,
        fast_only=args.fast_only,
    )


if __name__ == "__main__":
    main()
