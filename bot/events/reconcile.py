"""The reconciler: missed webhooks are the top complaint about bots, so state is re-read.

Every open entity request that is approved but has no run, or whose run has been active past
its timeout, gets its implement (or resume) intent again. The decision is the pure `plan`;
the same semantic keys and run-store checks as the webhook path make repeating it harmless.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.config import RepoConfig
from bot.events.handlers import Outcome, Services, handle
from bot.events.process import SemanticDedupe, load_config
from bot.events.router import Intent, implement_key
from bot.github.models import Issue
from bot.github.protocol import GitHubRepo
from bot.observability import get_logger

log = get_logger("issuebot.reconcile")
ACTIVE = ("queued", "running")


class RunInfo(Protocol):
    """The few facts of a recorded run the reconciler reads."""

    @property
    def id(self) -> str:
        """The run id."""
        ...

    @property
    def status(self) -> str:
        """queued, running, succeeded, failed or cancelled."""
        ...

    @property
    def updated_at(self) -> datetime:
        """When the run last moved (a stuck run stops moving)."""
        ...


class RunLookup(Protocol):
    """The run store's listing (newest first), as `bot.store.RunStore.list_runs` offers it."""

    def list_runs(
        self,
        *,
        repo: str | None = None,
        issue: int | None = None,
        status: str | None = None,
        limit: int = 50,
    ) -> Sequence[RunInfo]:
        """Runs matching the filters, newest first."""
        ...


@dataclass(frozen=True)
class Action:
    """One request the reconciler will (re)start, and why."""

    intent: Intent
    why: str


def is_approved(labels: Sequence[str], config: RepoConfig) -> bool:
    """An entity request without `needs-review` (or with `approved`) and a valid spec."""
    names, wanted = set(labels), config.labels
    if wanted.entity_request not in names or wanted.spec_invalid in names:
        return False
    if wanted.bot_failed in names:  # a failed run waits for `/retry`, not for us
        return False
    return wanted.needs_review not in names or wanted.approved in names


def plan(
    repo: str,
    issues: Sequence[Issue],
    latest_runs: Mapping[int, RunInfo | None],
    config: RepoConfig,
    *,
    now: datetime,
    stuck_after: timedelta,
) -> list[Action]:
    """Pure: which approved requests lack a live run. Same inputs, same actions."""
    actions: list[Action] = []
    for issue in issues:
        if not is_approved(issue.labels, config):
            continue
        run = latest_runs.get(issue.number)
        if run is None:
            key = implement_key(repo, issue.number, issue.labels, "reconcile")
            actions.append(_action("implement", repo, issue.number, key, "approved, no run"))
        elif run.status in ACTIVE and now - run.updated_at > stuck_after:
            key = implement_key(repo, issue.number, issue.labels, f"stuck:{run.id}")
            why = f"run {run.id} {run.status} since {run.updated_at.isoformat()}"
            actions.append(_action("retry", repo, issue.number, key, why))
    return actions


def _action(kind: str, repo: str, number: int, key: str, why: str) -> Action:
    intent = Intent.model_validate(
        {
            "kind": kind,
            "repo": repo,
            "number": number,
            "actor": "issuebot-reconciler",
            "reason": why,
            "dedupe_key": key,
            "source": "reconciler",
        }
    )
    return Action(intent, why)


def reconcile_repo(
    repo: GitHubRepo,
    *,
    runs: RunLookup,
    services: Services,
    dedupe: SemanticDedupe | None = None,
    stuck_after_seconds: float = 3600.0,
    now: datetime | None = None,
) -> list[Outcome]:
    """Scan one repository and handle what was missed; returns what was (re)started."""
    config = load_config(repo)
    issues = repo.list_open_issues(config.labels.entity_request)
    latest = {i.number: _latest(runs, repo.full_name, i.number) for i in issues}
    actions = plan(
        repo.full_name,
        issues,
        latest,
        config,
        now=now or datetime.now(UTC),
        stuck_after=timedelta(seconds=stuck_after_seconds),
    )
    outcomes: list[Outcome] = []
    for action in actions:
        key = action.intent.dedupe_key
        if dedupe is not None and not dedupe.claim(key, f"reconcile-{uuid.uuid4()}"):
            continue
        log.info("reconcile_requeue", repo=repo.full_name, issue=action.intent.number,
                 intent=action.intent.kind, why=action.why)  # fmt: skip
        outcomes.append(handle(action.intent, repo, config, services))
    return outcomes


def _latest(runs: RunLookup, repo: str, issue: int) -> RunInfo | None:
    found = runs.list_runs(repo=repo, issue=issue, limit=1)
    return found[0] if found else None
