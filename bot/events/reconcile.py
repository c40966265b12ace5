"""The reconciler: missed webhooks are the top complaint about bots, so state is re-read.

Every open entity request that is approved but has no run, or whose run has been active past
its timeout, gets its implement (or resume) intent again. The decision is the pure `plan`;
the same semantic keys and run-store checks as the webhook path make repeating it harmless.
It obeys the webhook path's rules: the approver (read from the issue's event log) must pass
the same permission check, and the run builds the recorded approval, never the body alone.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.config import Labels, RepoConfig
from bot.events.handlers import Outcome, Services, check_permission, handle
from bot.events.process import SemanticDedupe, load_config
from bot.events.router import Intent, implement_key
from bot.github.models import Issue, IssueEvent
from bot.github.protocol import GitHubRepo
from bot.issuespec.approval import (
    ApprovalLog,
    accept,
    approvals_of,
    by_source,
    live_approval,
    revoke,
)
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
    by_number = {i.number: i for i in issues}
    outcomes: list[Outcome] = []
    for action in actions:
        intent = action.intent
        if services.approvals is not None and intent.number is not None:
            issue = by_number[intent.number]
            resolved = _approved(
                repo, issue, config, intent, book=services.approvals, services=services
            )
            if resolved is None:
                continue
            intent = resolved
        key = intent.dedupe_key
        if dedupe is not None and not dedupe.claim(key, f"reconcile-{uuid.uuid4()}"):
            continue
        log.info("reconcile_requeue", repo=repo.full_name, issue=intent.number,
                 intent=intent.kind, why=action.why)  # fmt: skip
        outcomes.append(handle(intent, repo, config, services))
    return outcomes


def _approved(
    repo: GitHubRepo,
    issue: Issue,
    config: RepoConfig,
    intent: Intent,
    *,
    book: ApprovalLog,
    services: Services,
) -> Intent | None:
    """The intent with the approval it builds, checked as the webhook path checks it.

    A live recorded approval is used as is (its body still the issue's). Otherwise the
    issue's event log says who removed `needs-review` (or added `approved`); that actor
    must pass the same permission and team check, or the label goes back at once.
    """
    number, labels = issue.number, config.labels
    live = live_approval(book, repo.full_name, number)
    if live is not None:
        if live.body != issue.body:
            withdrawn = revoke(repo, book, live, labels, current_labels=issue.labels)
            services.validate(repo, number, config, withdrawn=withdrawn)
            return None
        return intent.model_copy(update={"approval_id": live.id})
    if intent.kind == "retry":  # a stuck run with no standing approval: nothing to resume
        log.info("reconcile_skipped", issue=number, reason="no approval stands")
        return None
    event = _approving_event(repo.issue_events(number), labels)
    if event is None:
        log.info("reconcile_skipped", issue=number, reason="no approving label event")
        return None
    as_event = intent.model_copy(
        update={"actor": event.actor, "via_label": f"{event.event}:{event.label}"}
    )
    if check_permission(repo, as_event, config) is not None:  # refused, label put back
        log.info("reconcile_refused", issue=number, actor=event.actor)
        return None
    source = f"event:{event.id}"
    if by_source(approvals_of(book, repo.full_name, number), source) is not None:
        return None  # this label change was accepted once and has been revoked since
    record = accept(
        book, repo.full_name, number, actor=event.actor, trigger="reconciler", source=source,
        body=issue.body, title=issue.title, updated_at=issue.updated_at,
    )  # fmt: skip
    return intent.model_copy(update={"approval_id": record.id, "actor": event.actor})


def _approving_event(events: Sequence[IssueEvent], labels: Labels) -> IssueEvent | None:
    """The newest label change that approved the request (removed review, added approved)."""
    approving = {("unlabeled", labels.needs_review), ("labeled", labels.approved)}
    found = [e for e in events if (e.event, e.label) in approving]
    return found[-1] if found else None


def _latest(runs: RunLookup, repo: str, issue: int) -> RunInfo | None:
    found = runs.list_runs(repo=repo, issue=issue, limit=1)
    return found[0] if found else None
