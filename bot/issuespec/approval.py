"""Approvals pinned to content: the approved body is recorded, and any edit revokes it.

An approval is an audit row (`approval.accepted`) holding the body the approver saw, its
spec hash and the issue's `updated_at`; an `approval.revoked` row names the approval it ends.
The run builds the recorded body; every later check compares the issue's body with it, so an
edit made 0.0 s after the approval is caught whichever webhook is handled first.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from bot.config import Labels
from bot.errors import NotApprovedError
from bot.github.models import Issue
from bot.github.protocol import GitHubRepo
from bot.issuespec.change_request import is_change_request
from bot.issuespec.parse import parse_issue_body
from bot.observability import get_logger
from bot.store.records import AuditEntry, Run

ACCEPTED = "approval.accepted"
REVOKED = "approval.revoked"
EDITED = "the issue body was edited after the approval"
log = get_logger("issuebot.approval")


class ApprovalLog(Protocol):
    """The run store's audit trail, as `bot.store.RunStore` offers it."""

    def audit(
        self,
        kind: str,
        *,
        actor: str | None,
        repo: str | None,
        issue: int | None = None,
        run_id: str | None = None,
        data: dict[str, Any],
    ) -> None:
        """Append one audit entry."""
        ...

    def audit_entries(
        self,
        *,
        run_id: str | None = None,
        repo: str | None = None,
        issue: int | None = None,
        limit: int = 100,
    ) -> list[AuditEntry]:
        """Audit entries, oldest first."""
        ...


@dataclass(frozen=True)
class ApprovalRecord:
    """One accepted approval: who, through what, and exactly which body."""

    id: int
    repo: str
    issue: int
    actor: str
    trigger: str
    source: str  # what approved: a label event, a comment id, an issue-event id
    body: str
    title: str
    updated_at: str | None
    spec_hash: str | None
    revoked: str | None = None  # why it was revoked, if it was

    @property
    def live(self) -> bool:
        """Not revoked."""
        return self.revoked is None


def spec_hash(definition: dict[str, Any]) -> str:
    """A stable fingerprint of an entity definition (the run's and the approval's)."""
    text = json.dumps(definition, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def body_spec_hash(body: str) -> str | None:
    """The spec hash of the entity a body defines (None when it defines no valid entity)."""
    parsed = parse_issue_body(body)
    if is_change_request(parsed.definition) and parsed.definition is not None:
        return spec_hash(parsed.definition)  # a change is resolved against the spec at run time
    if parsed.entity is None or parsed.problems:
        return None
    return spec_hash(parsed.entity.model_dump(mode="json", exclude_defaults=True))


def approvals_of(book: ApprovalLog, repo: str, issue: int) -> list[ApprovalRecord]:
    """Every approval of the issue, oldest first, each marked if it was revoked."""
    entries = book.audit_entries(repo=repo, issue=issue, limit=100_000)
    revoked = {
        int(e.data["approval_id"]): str(e.data.get("reason") or "revoked")
        for e in entries
        if e.kind == REVOKED and "approval_id" in e.data
    }
    return [_record(e, revoked.get(e.id)) for e in entries if e.kind == ACCEPTED]


def _record(entry: AuditEntry, revoked: str | None) -> ApprovalRecord:
    data = entry.data
    return ApprovalRecord(
        id=entry.id,
        repo=entry.repo or "",
        issue=entry.issue or 0,
        actor=entry.actor or "",
        trigger=str(data.get("trigger") or ""),
        source=str(data.get("source") or ""),
        body=str(data.get("body") or ""),
        title=str(data.get("title") or ""),
        updated_at=data.get("updated_at"),
        spec_hash=data.get("spec_hash"),
        revoked=revoked,
    )


def latest_approval(book: ApprovalLog, repo: str, issue: int) -> ApprovalRecord | None:
    """The newest approval of the issue, revoked or not."""
    found = approvals_of(book, repo, issue)
    return found[-1] if found else None


def live_approval(book: ApprovalLog, repo: str, issue: int) -> ApprovalRecord | None:
    """The approval a run may build: the newest one, if nothing revoked it."""
    latest = latest_approval(book, repo, issue)
    return latest if latest is not None and latest.live else None


def by_source(records: Sequence[ApprovalRecord], source: str) -> ApprovalRecord | None:
    """The approval an event already became (a replayed event finds its first record)."""
    return next((r for r in records if r.source == source), None)


def accept(
    book: ApprovalLog,
    repo: str,
    issue: int,
    *,
    actor: str,
    trigger: str,
    source: str,
    body: str,
    title: str,
    updated_at: str | None,
) -> ApprovalRecord:
    """Record what was approved (the body the approver saw) and return the record."""
    data = {
        "trigger": trigger,
        "source": source,
        "body": body,
        "title": title,
        "updated_at": updated_at,
        "spec_hash": body_spec_hash(body),
        "body_sha256": hashlib.sha256(body.encode()).hexdigest(),
    }
    book.audit(ACCEPTED, actor=actor, repo=repo, issue=issue, data=data)
    record = by_source(list(reversed(approvals_of(book, repo, issue))), source)
    assert record is not None, "the approval just written is readable"
    log.info("approval_accepted", repo=repo, issue=issue, approval_id=record.id, actor=actor,
             trigger=trigger, spec_hash=record.spec_hash)  # fmt: skip
    return record


def revoke(
    gh: GitHubRepo,
    book: ApprovalLog,
    record: ApprovalRecord,
    labels: Labels,
    *,
    reason: str = EDITED,
    current_labels: Sequence[str] | None = None,
) -> ApprovalRecord:
    """End an approval: audit it, put `needs-review` back and take `approved` off."""
    if record.live:
        data = {"approval_id": record.id, "reason": reason}
        book.audit(REVOKED, actor=None, repo=record.repo, issue=record.issue, data=data)
        log.info("approval_revoked", repo=record.repo, issue=record.issue,
                 approval_id=record.id, reason=reason)  # fmt: skip
    have = set(current_labels) if current_labels is not None else None
    if have is None or labels.needs_review not in have:
        gh.add_labels(record.issue, [labels.needs_review])
    if have is None or labels.approved in have:
        gh.remove_label(record.issue, labels.approved)
    return replace(record, revoked=record.revoked or reason)


def revoke_if_edited(
    gh: GitHubRepo, book: ApprovalLog, number: int, labels: Labels
) -> ApprovalRecord | None:
    """After an edit: revoke the live approval if the body is no longer the approved one.

    Returns the newest approval when it stands revoked (now or earlier), so the review
    comment can say a new approval is needed; None when nothing was ever approved or the
    approval still holds.
    """
    latest = latest_approval(book, gh.full_name, number)
    if latest is None:
        return None
    if not latest.live:
        return latest
    issue = gh.get_issue(number)
    if (issue.body or "") == latest.body:
        return None
    return revoke(gh, book, latest, labels, current_labels=issue.labels)


def _withdrawn(record: ApprovalRecord) -> NotApprovedError:
    return NotApprovedError(
        f"the approval of #{record.issue} by {record.actor} was withdrawn: "
        f"{record.revoked or EDITED}; nothing was pushed",
        hint="review the current text and approve it again (remove needs-review or /implement)",
    )


def pinned_approval(
    gh: GitHubRepo, book: ApprovalLog, issue: Issue, labels: Labels, run: Run
) -> ApprovalRecord:
    """The approval a run builds: the live one, or (a direct run with none) the current body.

    A live approval whose body differs from the issue's is revoked here, so a run never
    builds an edited request even when the edit's webhook has not been handled yet.
    """
    records = approvals_of(book, gh.full_name, issue.number)
    latest = records[-1] if records else None
    if latest is None or not latest.live:  # `issuebot implement` or the Action, checked above
        source = f"run:{run.id}"
        return by_source(records, source) or accept(
            book, gh.full_name, issue.number, actor=run.actor, trigger=run.trigger,
            source=source, body=issue.body, title=issue.title, updated_at=issue.updated_at,
        )  # fmt: skip
    if issue.body != latest.body:
        raise _withdrawn(revoke(gh, book, latest, labels, current_labels=issue.labels))
    return latest


def require_still_approved(
    gh: GitHubRepo, book: ApprovalLog, number: int, approval_id: int, labels: Labels
) -> None:
    """Before anything leaves the workspace: the run's approval stands and the body is as approved.

    A newer approval of the same body does not stop the run (its own job joins this one).
    """
    mine = next((r for r in approvals_of(book, gh.full_name, number) if r.id == approval_id), None)
    if mine is None:
        raise NotApprovedError(f"approval {approval_id} of #{number} is not on record")
    if not mine.live:
        raise _withdrawn(mine)
    issue = gh.get_issue(number)
    if issue.body != mine.body:
        raise _withdrawn(revoke(gh, book, mine, labels, current_labels=issue.labels))
