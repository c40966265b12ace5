"""Accepting an approval event: re-read the state it claims, then pin what was approved.

A queued webhook can be stale (the label went back, the comment was deleted) or a replay
(the same signed delivery under a new id, after the dedupe window): either is logged and
does nothing. A fresh approval is recorded with the body the approver saw; if the issue's
body is already different, the approval is revoked on the spot and `needs-review` goes back.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import RepoConfig
from bot.events.router import Intent
from bot.github.protocol import GitHubRepo
from bot.issuespec.approval import (
    ApprovalLog,
    ApprovalRecord,
    accept,
    approvals_of,
    by_source,
    live_approval,
    revoke,
)
from bot.observability import get_logger

log = get_logger("issuebot.events")


@dataclass(frozen=True)
class Acceptance:
    """An approval the run may build (``record``), or why the event asks for nothing now."""

    record: ApprovalRecord | None
    reason: str = ""
    revoked: bool = False  # accepted, then revoked at once: the body had already changed


def revert_label(repo: GitHubRepo, number: int, via_label: str | None, config: RepoConfig) -> None:
    """Undo a refused label approval: `needs-review` back on, or `approved` off."""
    labels = config.labels
    if via_label == f"unlabeled:{labels.needs_review}":
        repo.add_labels(number, [labels.needs_review])
    elif via_label == f"labeled:{labels.approved}":
        repo.remove_label(number, labels.approved)


def stale_reason(intent: Intent, number: int, repo: GitHubRepo, config: RepoConfig) -> str | None:
    """Why the state this event claims is no longer true (None: it still holds)."""
    issue = repo.get_issue(number)
    labels = config.labels
    if issue.state != "open":
        return f"#{number} is {issue.state} now"
    if intent.via_label == f"unlabeled:{labels.needs_review}" and labels.needs_review in (
        issue.labels
    ):
        return f"#{number} carries {labels.needs_review!r} again"
    if intent.via_label == f"labeled:{labels.approved}" and labels.approved not in issue.labels:
        return f"#{number} no longer carries {labels.approved!r}"
    if intent.comment_id is not None and not any(
        c.id == intent.comment_id for c in repo.list_comments(intent.number or number)
    ):
        return f"the command comment {intent.comment_id} no longer exists"
    return None


def source_of(intent: Intent) -> str:
    """What approved, uniquely: the comment, or the label change at its update time."""
    if intent.comment_id is not None:
        return f"comment:{intent.comment_id}"
    return f"{intent.via_label}@{intent.seen_updated_at}#{intent.actor}"


def accept_event(
    intent: Intent, number: int, repo: GitHubRepo, config: RepoConfig, book: ApprovalLog
) -> Acceptance:
    """Check the event still holds, record the approval, revoke it if the body moved on."""
    stale = stale_reason(intent, number, repo, config)
    if stale is not None:
        log.info("approval_stale", issue=number, intent=intent.kind, reason=stale)
        return Acceptance(None, f"stale {intent.kind}: {stale}")
    name = repo.full_name
    if intent.on_pull:  # a command on the bot's PR: the issue's recorded approval, or nothing
        live = live_approval(book, name, number)
        if live is None:
            return Acceptance(None, f"#{number} has no approval on record; /implement on it")
        return Acceptance(live)
    source = source_of(intent)
    seen = by_source(approvals_of(book, name, number), source)
    if seen is not None:  # the same event again, e.g. replayed after the dedupe window
        log.info("approval_replayed", issue=number, approval_id=seen.id, source=source)
        return Acceptance(None, f"already accepted as approval {seen.id}")
    record = accept(
        book,
        name,
        number,
        actor=intent.actor or "",
        trigger=intent.kind,
        source=source,
        body=intent.seen_body or "",
        title=intent.seen_title or "",
        updated_at=intent.seen_updated_at,
    )
    current = repo.get_issue(number)
    if current.body != record.body:
        revoked = revoke(repo, book, record, config.labels, current_labels=current.labels)
        return Acceptance(revoked, "the issue was edited after the approval", revoked=True)
    return Acceptance(record)
