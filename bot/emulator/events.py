"""State changes that GitHub announces: one helper per webhook event family."""

from __future__ import annotations

from typing import Any

from bot.emulator.core import Emulator
from bot.emulator.serializers import label_json
from bot.emulator.serializers_issues import comment_json, issue_json
from bot.emulator.serializers_pulls import pull_json
from bot.emulator.state import Comment, Issue, IssueEvent, Label, Repo, now_iso


def issue_event(
    emulator: Emulator, repo: Repo, issue: Issue, action: str, sender: str, **extra: Any
) -> None:
    """``issues.<action>`` for an issue, ``pull_request.<action>`` for a PR."""
    store = emulator.store
    with store.lock:
        if issue.pull is not None:
            fields: dict[str, Any] = {
                "action": action,
                "number": issue.number,
                "pull_request": pull_json(store, repo, issue, webhook=True),
            }
            event = "pull_request"
        else:
            fields = {"action": action, "issue": issue_json(store, repo, issue)}
            event = "issues"
        fields |= extra
    emulator.emit(event, repo, sender, **fields)


def label_event(
    emulator: Emulator, repo: Repo, issue: Issue, action: str, *, label_name: str, sender: str
) -> None:
    """``labeled``/``unlabeled`` carrying the label, also kept in the issue's event log."""
    label = repo.labels.get(label_name)
    with emulator.store.lock:
        issue.events.append(
            IssueEvent(emulator.store.next_id(), action, sender, now_iso(), label_name)
        )
    extra = {"label": label_json(emulator.store, repo, label)} if label is not None else {}
    issue_event(emulator, repo, issue, action, sender, **extra)


def repo_label_event(
    emulator: Emulator,
    repo: Repo,
    label: Label,
    action: str,
    *,
    sender: str,
    changes: dict[str, Any] | None = None,
) -> None:
    """``label.created``/``edited``/``deleted``: a change to the repository's label set."""
    with emulator.store.lock:
        fields: dict[str, Any] = {
            "action": action,
            "label": label_json(emulator.store, repo, label),
        }
    if changes:
        fields["changes"] = changes
    emulator.emit("label", repo, sender, **fields)


def label_changes(before: Label, after: Label) -> dict[str, Any]:
    """The ``changes`` of a ``label.edited``: each changed field's previous (string) value."""
    old = {"name": before.name, "color": before.color, "description": before.description}
    new = {"name": after.name, "color": after.color, "description": after.description}
    return {k: {"from": v} for k, v in old.items() if v != new[k] and isinstance(v, str)}


def label_diff_events(
    emulator: Emulator, repo: Repo, issue: Issue, before: list[str], sender: str
) -> None:
    """One labeled/unlabeled event per label added/removed, as GitHub sends them."""
    for name in before:
        if name not in issue.labels:
            label_event(emulator, repo, issue, "unlabeled", label_name=name, sender=sender)
    for name in issue.labels:
        if name not in before:
            label_event(emulator, repo, issue, "labeled", label_name=name, sender=sender)


def comment_event(
    emulator: Emulator,
    repo: Repo,
    comment: Comment,
    action: str,
    *,
    sender: str,
    changes: dict[str, Any] | None = None,
) -> None:
    """``issue_comment.<action>`` with the comment and its issue."""
    store = emulator.store
    with store.lock:
        issue = repo.issues[comment.issue_number]
        fields: dict[str, Any] = {
            "action": action,
            "issue": issue_json(store, repo, issue),
            "comment": comment_json(store, repo, comment),
        }
        if changes is not None:
            fields["changes"] = changes
    emulator.emit("issue_comment", repo, sender, **fields)
