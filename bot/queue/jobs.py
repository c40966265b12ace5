"""What a queued job is: a function named by import path, called with one JSON payload.

Both queues run jobs through ``execute`` so logging context, metrics and the JSON-only
payload rule are the same in-process and on an RQ worker.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.errors import ConfigError, StepTimeoutError
from bot.observability import get_logger, log_context

JobFunction = Callable[[dict[str, Any]], Any]
_SAFE_ID = re.compile(r"[A-Za-z0-9_-]{1,100}")
# Pipeline runs take minutes; every other job (webhook handling: commands, reviews, merge
# gate evaluations) takes about a second and goes to the fast lane so it never waits for one.
RUN_JOBS = frozenset({"bot.events.jobs:run_implement", "bot.events.jobs.run_implement"})


def lane_of(func_path: str) -> str:
    """``runs`` for a pipeline run, ``fast`` for everything else."""
    return "runs" if func_path in RUN_JOBS else "fast"


@dataclass(frozen=True)
class JobState:
    """Where a job is: queued, started, finished or failed (with a one-line ``error``)."""

    job_id: str
    status: str
    error: str | None = None
    result: Any = None


def job_key(job_id: str) -> str:
    """A job id both backends accept; other ids map to a stable digest, so de-dupe still holds."""
    if _SAFE_ID.fullmatch(job_id):
        return job_id
    return "j-" + hashlib.sha256(job_id.encode()).hexdigest()[:40]


def json_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload as a worker on another host will see it: JSON, nothing pickled."""
    try:
        loaded: dict[str, Any] = json.loads(json.dumps(payload))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"job payload is not JSON: {exc}") from exc
    return loaded


def resolve(func_path: str) -> JobFunction:
    """Import ``package.module.function`` (or ``package.module:function``)."""
    module_name, sep, attr = func_path.partition(":")
    if not sep:
        module_name, _, attr = func_path.rpartition(".")
    try:
        func = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError, ValueError) as exc:
        raise ConfigError(f"no job function {func_path!r}") from exc
    if not callable(func):
        raise ConfigError(f"job function {func_path!r} is not callable")
    return func  # type: ignore[no-any-return]


def timeout_message(job_id: str, timeout_seconds: float) -> str:
    """The one line an operator reads when a job ran too long."""
    return StepTimeoutError(
        f"job {job_id} exceeded its {timeout_seconds:g} s timeout and was stopped",
        hint="it can be retried with /retry",
    ).one_line()


def execute(func_path: str, payload: dict[str, Any], job_id: str | None = None) -> Any:
    """Run one job with its id bound to every log line (the worker-side entry point)."""
    log = get_logger("issuebot.queue")
    context = {k: payload.get(k) for k in ("delivery_id", "run_id", "repo", "issue")}
    with log_context(job_id=job_id, **context):
        log.info("job_started", func=func_path)
        try:
            result = resolve(func_path)(payload)
        except Exception as exc:
            log.warning("job_failed", func=func_path, error=type(exc).__name__)
            raise
        log.info("job_finished", func=func_path)
        return result
