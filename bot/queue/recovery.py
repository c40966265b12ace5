"""Re-enqueue runs the store says are active: after a worker died, or Redis lost its queue.

The run store, not Redis, is the source of truth for runs. Each interrupted run gets one
resume job per interruption (the job id carries the run's last update time), and the
per-issue lease decides who executes it, so running this from every starting worker at
once is harmless. Approvals that never became a run are the reconciler's part.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.observability import get_logger

if TYPE_CHECKING:
    from bot.queue import Queue
    from bot.store import RunStore

IMPLEMENT_JOB = "bot.events.jobs:run_implement"
RESUME_TIMEOUT_SECONDS = 1800


def requeue_active_runs(
    store: RunStore, queue: Queue, *, older_than_seconds: float = 0.0
) -> list[str]:
    """Queue a resume job for every run active and untouched for ``older_than_seconds``."""
    log = get_logger("issuebot.queue")
    job_ids: list[str] = []
    for run in store.stale_runs(older_than_seconds=older_than_seconds):
        stamp = int(run.updated_at.timestamp() * 1000)
        payload = {"repo": run.repo, "issue": run.issue, "run_id": run.id, "trigger": "resume"}
        job_id = queue.enqueue(
            IMPLEMENT_JOB,
            payload,
            job_id=f"resume-{run.id}-{stamp}",
            timeout_seconds=RESUME_TIMEOUT_SECONDS,
        )
        log.info("run_requeued", run_id=run.id, repo=run.repo, issue=run.issue, job_id=job_id)
        job_ids.append(job_id)
    return job_ids
