"""Queue entry points: what the in-process queue or an RQ worker executes for a run.

Payloads are plain dicts (JSON-able for Redis); everything else is built from ``Settings``.
A second job for an issue that is already running ends quietly: the running one does the work.
"""

from __future__ import annotations

from typing import Any

from bot.errors import CancelledError, IssuebotError, LockConflictError, UsageError
from bot.observability import get_logger, log_context
from bot.pipeline.orchestrator import Orchestrator
from bot.settings import Settings, load_settings
from bot.store import ACTIVE_STATUSES, RunStore

log = get_logger("issuebot.jobs")


def run_implement(payload: dict[str, Any]) -> None:
    """Implement ``payload["issue"]`` of ``payload["repo"]`` (or resume ``payload["run_id"]``)."""
    try:
        repo = str(payload["repo"])
        issue = int(payload["issue"])
    except (KeyError, TypeError, ValueError) as exc:
        raise UsageError(f"bad implement job payload: {exc!r}") from exc
    trigger = str(payload.get("trigger", "queue"))
    actor = payload.get("actor")
    orchestrator = Orchestrator(repo=repo)
    with log_context(repo=repo, issue=issue):
        try:
            if payload.get("run_id"):
                orchestrator.resume(str(payload["run_id"]))
            elif trigger == "retry":
                orchestrator.retry(issue, actor=actor)
            else:
                orchestrator.implement_issue(issue, actor=actor, trigger=trigger)
        except (LockConflictError, CancelledError) as exc:
            log.info("implement_skipped", reason=exc.message)
        except IssuebotError as exc:  # recorded on the run and the issue already
            log.warning("implement_failed", kind=exc.kind, error=exc.message)
            raise


def resume_interrupted(settings: Settings | None = None) -> list[str]:
    """On worker start: resume every active run whose lease is free; returns their ids."""
    settings = settings or load_settings()
    store = RunStore.open(settings.database_url)
    resumed: list[str] = []
    for status in ACTIVE_STATUSES:
        for run in store.list_runs(status=status, limit=500):
            try:
                Orchestrator(repo=run.repo, store=store, settings=settings).resume(run.id)
                resumed.append(run.id)
            except LockConflictError:
                continue  # a live worker holds it
            except IssuebotError as exc:
                log.warning("resume_failed", run_id=run.id, kind=exc.kind, error=exc.message)
                resumed.append(run.id)
    return resumed
