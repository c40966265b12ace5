"""Worker start-up recovery: resume the runs a dead worker left active.

The run job itself is `bot.events.jobs:run_implement`, which uses the process's wiring.
"""

from __future__ import annotations

from bot.errors import IssuebotError, LockConflictError
from bot.observability import get_logger
from bot.pipeline.orchestrator import Orchestrator
from bot.settings import Settings, load_settings
from bot.store import ACTIVE_STATUSES, RunStore

log = get_logger("issuebot.jobs")


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
