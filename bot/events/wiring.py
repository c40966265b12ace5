"""Production wiring of the event handlers: settings → store, GitHub access, pipeline, spec.

Run pipeline, merge gate and issue-spec are the real neighbours; the handlers only see them
through the small `Runner`/`Validator`/`Previewer` Protocols of `bot.events.handlers`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.events.handlers import Services
from bot.events.messages import report_text
from bot.events.process import RepoFactory, SemanticDedupe
from bot.events.reconcile import RunLookup
from bot.gates.merge import evaluate_pull, load_config
from bot.github import GitHubRepo, connect_repo
from bot.github.identity import with_identity
from bot.issuespec import on_issue_changed, preview_issue
from bot.locks import LockManager, make_lock_manager
from bot.pipeline import Orchestrator, RunResult
from bot.queue import Queue
from bot.settings import Settings, load_settings
from bot.store import Delivery, RunStore

# The one run job: it runs with this process's wiring, so the demo and
# tests need no environment variables; RQ workers build the same wiring from the environment.
IMPLEMENT_JOB = "bot.events.jobs:run_implement"
RUN_TIMEOUT_SECONDS = 1800
EVALUATE_JOB = "bot.events.jobs:evaluate_merge_job"


class SemanticLog(Protocol):
    """The store's delivery log, used for semantic keys too (its unique constraint decides)."""

    def record_delivery(self, delivery_id: str, event: str, semantic_key: str | None) -> bool:
        """False when the id, or the semantic key within the store's window, was seen."""
        ...

    def get_delivery(self, delivery_id: str) -> Delivery | None:
        """The recorded delivery, or None."""
        ...


class StoreDedupe:
    """Semantic de-duplication of handled intents through the run store's delivery table."""

    def __init__(self, store: SemanticLog) -> None:
        self.store = store

    def claim(self, key: str, delivery_id: str) -> bool:
        """Whether ``delivery_id`` holds ``key``: first come, or the same delivery retried.

        Keys are namespaced apart from the webhook path's own pre-routing keys. A retried
        job of the same delivery finds its own row and goes on; any other delivery with the
        same key finds its row marked duplicate by the store.
        """
        row_id, semantic = f"intent:{delivery_id}"[:100], f"intent:{key}"
        if self.store.record_delivery(row_id, "intent", semantic):
            return True
        mine = self.store.get_delivery(row_id)
        return mine is not None and mine.semantic_key == semantic and mine.outcome == "accepted"


@dataclass(frozen=True)
class Wiring:
    """Everything a job needs: how to reach a repo, the services, dedupe and the run store."""

    repo_for: RepoFactory
    services: Services
    dedupe: SemanticDedupe | None = None
    runs: RunLookup | None = None
    locks: LockManager | None = None
    stuck_after_seconds: float = 3600.0


class PipelineRunner:
    """`Runner` over the run pipeline's Orchestrator and the merge gate.

    With a queue (webhook mode) implement and retry become `run_implement` jobs, so the event
    job returns at once and `/cancel` can be handled while a run is going; without one
    (Action mode) they run here, synchronously.
    """

    def __init__(
        self,
        settings: Settings,
        store: RunStore,
        repo_for: RepoFactory,
        queue: Queue | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.repo_for = repo_for
        self.queue = queue

    def _orchestrator(self, repo: str) -> Orchestrator:
        return Orchestrator(
            repo=repo, github=self.repo_for(repo), store=self.store, settings=self.settings
        )

    def run_now(self, repo: str, issue: int, actor: str | None, trigger: str) -> RunResult:
        """One run, here and now (the queue's `run_implement` job, or Action mode)."""
        orchestrator = self._orchestrator(repo)
        if trigger == "retry":
            return orchestrator.retry(issue, actor=actor)
        return orchestrator.implement_issue(issue, actor=actor, trigger=trigger)

    def resume_now(self, repo: str, run_id: str) -> RunResult:
        """Continue an interrupted run (worker recovery), skipping steps that still hold."""
        return self._orchestrator(repo).resume(run_id)

    def _start(
        self, repo: str, issue: int, actor: str, trigger: str, approval_id: int | None
    ) -> object:
        if self.queue is None:
            return self.run_now(repo, issue, actor, trigger)
        payload: dict[str, object] = {
            "repo": repo, "issue": issue, "actor": actor, "trigger": trigger,
        }  # fmt: skip
        if approval_id is not None:  # the job re-checks that this approval still stands
            payload["approval_id"] = approval_id
        return self.queue.enqueue(IMPLEMENT_JOB, payload, timeout_seconds=RUN_TIMEOUT_SECONDS)

    def implement(
        self, repo: str, issue: int, actor: str, *, approval_id: int | None = None
    ) -> object:
        """Run (or join) the implementation of ``issue``'s approval ``approval_id``."""
        return self._start(repo, issue, actor, "implement", approval_id)

    def retry(self, repo: str, issue: int, actor: str, *, approval_id: int | None = None) -> object:
        """A fresh run after a failure (or a stuck run found by the reconciler)."""
        return self._start(repo, issue, actor, "retry", approval_id)

    def cancel(self, repo: str, issue: int, actor: str) -> object:
        """Stop the active run of ``issue``; its worker stops after the current step."""
        message = self._orchestrator(repo).cancel(issue, actor=actor)
        self.repo_for(repo).upsert_comment(issue, "cancel", report_text("/cancel", message))
        return message

    def status(self, repo: str, issue: int) -> str:
        """The latest run in one line (plain text; the handler quotes it)."""
        return self._orchestrator(repo).status(issue)

    def evaluate_merge(self, repo: str, pr: int, head_sha: str | None) -> object:
        """Re-run the merge gate for a bot PR whose checks finished.

        With a queue, check events on one head are coalesced: one evaluation, in the fast
        lane, ``gate_debounce_seconds`` after the last of them.
        """
        delay = self.settings.gate_debounce_seconds
        if self.queue is None or delay <= 0:
            return self.evaluate_now(repo, pr, head_sha)
        payload = {"repo": repo, "pr": pr, "head_sha": head_sha}
        key = f"gate:{repo}#{pr}@{head_sha or '-'}"
        return self.queue.enqueue_coalesced(EVALUATE_JOB, payload, key=key, delay=delay)

    def evaluate_now(self, repo: str, pr: int, head_sha: str | None) -> object:
        """The merge gate's evaluation of ``pr``, here and now (the coalesced job)."""
        github = self.repo_for(repo)
        return evaluate_pull(
            github,
            pr,
            load_config(github),
            audit=self.store,
            locks=make_lock_manager(self.settings, self.store),
            bot_login=self.settings.bot_login,
            runs=self.store,
        )


def wiring_from_settings(
    settings: Settings | None = None, *, store: RunStore | None = None, queue: Queue | None = None
) -> Wiring:
    """Everything a worker or `handle-event` needs; a queue makes runs asynchronous."""
    settings = settings or load_settings()
    settings.require_github_auth()
    settings = with_identity(settings)  # App slug / token owner, once per process
    run_store = store or RunStore.open(settings.database_url)

    def repo_for(full_name: str) -> GitHubRepo:
        """The repository as the bot's configured identity, audited into the run store."""
        return connect_repo(settings, full_name, run_store)

    services = Services(
        runner=PipelineRunner(settings, run_store, repo_for, queue),
        validate=on_issue_changed,
        preview=preview_issue,
        bot_login=settings.bot_login,
        approvals=run_store,
    )
    return Wiring(
        repo_for=repo_for,
        services=services,
        dedupe=StoreDedupe(run_store),
        runs=run_store,
        locks=make_lock_manager(settings, run_store),
    )
