"""Queue job entry points: module-level functions taking plain data, so RQ can import them.

A worker builds its `Wiring` once from the environment (or is given one by the demo and the
tests with `use_wiring`), then every job rebuilds its `Event` from the queued payload.
"""

from __future__ import annotations

import threading
from typing import Any

from bot.errors import CancelledError, ConfigError, IssuebotError, LockConflictError, UsageError
from bot.events.event import Event
from bot.events.handlers import Outcome
from bot.events.process import process_event
from bot.events.reconcile import reconcile_repo
from bot.events.wiring import PipelineRunner, Wiring, wiring_from_settings
from bot.issuespec.approval import live_approval
from bot.observability import get_logger, log_context
from bot.queue import make_queue
from bot.settings import load_settings

log = get_logger("issuebot.jobs")


class _Installed:
    """The process's wiring (one per worker process), guarded for threaded workers."""

    lock = threading.Lock()
    wiring: Wiring | None = None


def use_wiring(wiring: Wiring | None) -> None:
    """Install the wiring jobs in this process use (None: build it from the environment)."""
    with _Installed.lock:
        _Installed.wiring = wiring


def current_wiring() -> Wiring:
    """The installed wiring, built from the environment on first use in a worker."""
    with _Installed.lock:
        if _Installed.wiring is None:
            settings = load_settings()
            # On an RQ worker runs go back to Redis as their own jobs; else they run here.
            queue = make_queue(settings) if settings.queue_url else None
            _Installed.wiring = wiring_from_settings(settings, queue=queue)
        return _Installed.wiring


PROCESS_WEBHOOK = "bot.events.jobs:process_webhook"
RECONCILE = "bot.events.jobs:reconcile_job"


def process_webhook(payload: dict[str, Any]) -> str:
    """The job the webhook server enqueues (`Event.job_payload`): route and handle it."""
    event = Event.from_job_payload(payload)
    wiring = current_wiring()
    outcome: Outcome = process_event(
        event,
        repo_for=wiring.repo_for,
        services=wiring.services,
        dedupe=wiring.dedupe,
        locks=wiring.locks,
    )
    return outcome.result


def run_implement(payload: dict[str, Any]) -> str:
    """The run job: `{"repo", "issue", "actor"?, "trigger"?, "approval_id"?}`, or `"run_id"`.

    The one entry point for runs on every queue: the handlers, the reconciler and worker
    recovery all enqueue it. A run that another worker already holds, or that was cancelled
    while queued, ends quietly: the running one does the work.
    """
    try:
        repo, issue = str(payload["repo"]), int(payload["issue"])
    except (KeyError, TypeError, ValueError) as exc:
        raise UsageError(f"bad implement job payload: {exc!r}") from exc
    runner = current_wiring().services.runner
    if not isinstance(runner, PipelineRunner):
        raise ConfigError("this process's wiring has no run pipeline")
    run_id = payload.get("run_id")
    with log_context(repo=repo, issue=issue, run_id=run_id):
        approval_id = payload.get("approval_id")
        live = live_approval(runner.store, repo, issue) if approval_id is not None else None
        if approval_id is not None and (live is None or live.id != int(approval_id)):
            # Revoked (the body was edited) or superseded since the job was queued.
            log.info("implement_skipped", reason=f"approval {approval_id} no longer stands")
            return "skipped"
        try:
            if run_id:
                result = runner.resume_now(repo, str(run_id))
            else:
                actor = payload.get("actor")
                trigger = str(payload.get("trigger") or "queue")
                result = runner.run_now(repo, issue, str(actor) if actor else None, trigger)
        except (LockConflictError, CancelledError) as exc:
            log.info("implement_skipped", reason=exc.message)
            return "skipped"
        except IssuebotError as exc:  # recorded on the run and on the issue already
            log.warning("implement_failed", kind=exc.kind, error=exc.message)
            raise
    return result.status


def evaluate_merge_job(payload: dict[str, Any]) -> str:
    """The coalesced merge-gate job: `{"repo", "pr", "head_sha"}`, one per burst of checks."""
    try:
        repo, pr = str(payload["repo"]), int(payload["pr"])
    except (KeyError, TypeError, ValueError) as exc:
        raise UsageError(f"bad evaluate job payload: {exc!r}") from exc
    head = payload.get("head_sha")
    runner = current_wiring().services.runner
    if not isinstance(runner, PipelineRunner):
        raise ConfigError("this process's wiring has no run pipeline")
    with log_context(repo=repo, pr=pr):
        return str(runner.evaluate_now(repo, pr, str(head) if head else None))


def reconcile_job(payload: dict[str, Any]) -> int:
    """The periodic job (`{"repo": "owner/name"}`): restart what the webhooks missed."""
    repo = str(payload["repo"])
    wiring = current_wiring()
    if wiring.runs is None:
        return 0
    actions = reconcile_repo(
        wiring.repo_for(repo),
        runs=wiring.runs,
        services=wiring.services,
        dedupe=wiring.dedupe,
        stuck_after_seconds=wiring.stuck_after_seconds,
    )
    return len(actions)
