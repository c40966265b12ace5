"""Production wiring of the event handlers: settings → store, GitHub access, pipeline, spec.

The neighbours (run pipeline, issue-spec) are imported only when a job first needs them, so
the webhook server and the pure router never pay for, or break on, the heavy parts.
"""

from __future__ import annotations

import importlib
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

from bot.config import RepoConfig
from bot.errors import ConfigError
from bot.events.handlers import Services
from bot.events.process import RepoFactory, SemanticDedupe
from bot.events.reconcile import RunLookup
from bot.github import GitHubRepo, connect_repo
from bot.settings import Settings, load_settings
from bot.store import RunStore


class SemanticLog(Protocol):
    """The store's delivery log, used for semantic keys too (its unique constraint decides)."""

    def record_delivery(self, delivery_id: str, event: str, semantic_key: str | None) -> bool:
        """False when the semantic key was already claimed within the store's window."""
        ...


class StoreDedupe:
    """Semantic de-duplication of handled intents through the run store's delivery table."""

    def __init__(self, store: SemanticLog) -> None:
        self.store = store

    def claim(self, key: str, delivery_id: str) -> bool:
        """Claim ``key`` (namespaced apart from the webhook path's own pre-routing keys)."""
        return self.store.record_delivery(f"intent:{uuid.uuid4()}", "intent", f"intent:{key}")

    def release(self, key: str) -> None:
        """Let a retry through after a retryable failure, when the store supports it."""
        release = getattr(self.store, "release_semantic_key", None)
        if callable(release):
            release(f"intent:{key}")


@dataclass(frozen=True)
class Wiring:
    """Everything a job needs: how to reach a repo, the services, dedupe and the run store."""

    repo_for: RepoFactory
    services: Services
    dedupe: SemanticDedupe | None = None
    runs: RunLookup | None = None
    stuck_after_seconds: float = 3600.0


def _neighbour(module: str, name: str) -> Any:
    """A function of another area, or a clear ConfigError if this install lacks it."""
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"{module}.{name} is not available: {exc}") from exc


class PipelineRunner:
    """`Runner` over the run pipeline's Orchestrator (`bot.pipeline`)."""

    def __init__(self, settings: Settings, store: Any) -> None:
        self.settings = settings
        self.store = store

    def _orchestrator(self, repo: str) -> Any:
        orchestrator = _neighbour("bot.pipeline", "Orchestrator")
        return orchestrator.for_repo(repo, settings=self.settings, store=self.store)

    def implement(self, repo: str, issue: int, actor: str) -> object:
        """Run (or join) the implementation of ``issue``."""
        return self._orchestrator(repo).implement_issue(issue, actor=actor)

    def retry(self, repo: str, issue: int, actor: str) -> object:
        """Rerun the last failed (or stuck) run."""
        return self._orchestrator(repo).retry(issue, actor=actor)

    def cancel(self, repo: str, issue: int, actor: str) -> object:
        """Stop the active run of ``issue``."""
        return self._orchestrator(repo).cancel(issue, actor=actor)

    def status(self, repo: str, issue: int) -> str:
        """Markdown status of the latest run."""
        return str(self._orchestrator(repo).status(issue))

    def evaluate_merge(self, repo: str, pr: int, head_sha: str | None) -> object:
        """Re-run the merge gate for a bot PR whose checks finished."""
        return self._orchestrator(repo).evaluate_merge(pr, head_sha=head_sha)


def validate_request(repo: GitHubRepo, issue_number: int, config: RepoConfig) -> object:
    """Re-validate an edited entity request (issue-spec's `on_issue_changed`)."""
    return _neighbour("bot.issuespec", "on_issue_changed")(repo, issue_number, config)


def preview_request(repo: GitHubRepo, issue_number: int, config: RepoConfig) -> str:
    """What approval would produce, as Markdown (issue-spec's `render_preview`)."""
    return str(_neighbour("bot.issuespec", "render_preview")(repo, issue_number, config))


def wiring_from_settings(settings: Settings | None = None) -> Wiring:
    """Everything a worker or `handle-event` needs, from the environment."""
    settings = settings or load_settings()
    settings.require_github_auth()
    store = RunStore.open(settings.database_url)

    def repo_for(full_name: str) -> GitHubRepo:
        return connect_repo(settings, full_name, store)

    services = Services(
        runner=PipelineRunner(settings, store),
        validate=validate_request,
        preview=preview_request,
        bot_login=settings.bot_login,
    )
    return Wiring(repo_for=repo_for, services=services, dedupe=StoreDedupe(store), runs=store)
