"""Decide what an event asks of the bot: one pure function from `Event` to `Intent`.

No I/O here: the handlers apply an intent through the GitHub Protocol. Loop safety lives
here too: anything a bot triggers (including us) is ignored, except the two observations the
bot must see about its own work (its PR merged, checks finished on its head commit).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict

from bot.config import RepoConfig
from bot.events.commands import first_command
from bot.events.event import CheckTarget, Event

IntentKind = Literal[
    "request-validated",
    "implement",
    "preview",
    "retry",
    "cancel",
    "status",
    "help",
    "hold",
    "unhold",
    "pr-merged",
    "checks-completed",
    "ignore",
]
# Intents a person asks for: each needs the actor's repository permission checked first.
TRIGGERS: frozenset[str] = frozenset(
    {"implement", "preview", "retry", "cancel", "status", "help", "hold", "unhold"}
)
BOT_BRANCH = re.compile(r"^feat/issue-(\d+)(?:-|$)")
CHECK_EVENTS = ("check_suite", "check_run", "workflow_run")
# Action workflows listen to `pull_request_target` (base-repo token); same payload.
PULL_EVENTS = ("pull_request", "pull_request_target")


class Intent(BaseModel):
    """What to do, for whom, and the semantic key that makes doing it twice a no-op."""

    model_config = ConfigDict(frozen=True)

    kind: IntentKind
    repo: str | None = None
    number: int | None = None
    actor: str | None = None
    comment_id: int | None = None
    head_sha: str | None = None
    branch: str | None = None
    pr_numbers: tuple[int, ...] = ()
    unknown_command: str | None = None
    reason: str = ""
    delivery_id: str = ""
    dedupe_key: str = ""
    source: Literal["event", "reconciler"] = "event"
    on_pull: bool = False  # a command commented on a pull request rather than an issue
    # What the approver saw: the issue as the event carried it (None: not an approval event).
    seen_body: str | None = None
    seen_title: str | None = None
    seen_updated_at: str | None = None
    # The label change this approval is ("unlabeled:needs-review"), to re-check and undo.
    via_label: str | None = None
    approval_id: int | None = None  # the reconciler's already-checked approval

    @property
    def needs_permission(self) -> bool:
        """Whether the actor's permission must be checked (the reconciler acts on labels only
        a triage-or-above user could have changed, and has no actor to check)."""
        return self.kind in TRIGGERS and self.source == "event"


def _ignore(event: Event, reason: str) -> Intent:
    return Intent(kind="ignore", repo=event.repo, reason=reason, delivery_id=event.delivery_id)


def _key(repo: str, number: int | None, kind: str, state: str) -> str:
    """`repo#n:intent:head-state`, the state hashed so keys stay short and free of user text."""
    digest = hashlib.sha256(state.encode()).hexdigest()[:24]
    return f"{repo}#{number if number is not None else '-'}:{kind}:{digest}"


def is_bot(login: str, kind: str, bot_login: str) -> bool:
    """A GitHub App, an Actions token, or our own identity."""
    return kind == "Bot" or login.endswith("[bot]") or login == bot_login


def route(event: Event, config: RepoConfig, *, bot_login: str) -> Intent:
    """The single decision every entry point shares."""
    repo, sender = event.repo, event.payload.sender
    if event.name == "ping":
        return _ignore(event, "ping: webhook is configured")
    if repo is None:
        return _ignore(event, f"{event.name} has no repository")
    if sender is None:
        return _ignore(event, f"{event.name} has no sender")
    from_bot = is_bot(sender.login, sender.type, bot_login)
    if event.name in CHECK_EVENTS:
        return _route_checks(event, repo)
    if event.name in PULL_EVENTS:
        return _route_pull_request(event, repo, sender.login)
    if from_bot:
        return _ignore(event, f"sent by the bot {sender.login}")
    if event.name == "issues":
        return _route_issue(event, config, repo, sender.login)
    if event.name == "issue_comment":
        return _route_comment(event, repo)
    return _ignore(event, f"{event.name} events are not handled")


def _route_issue(event: Event, config: RepoConfig, repo: str, actor: str) -> Intent:
    issue, action = event.payload.issue, event.action
    if issue is None:
        return _ignore(event, "issues event without an issue")
    if issue.pull_request is not None:
        return _ignore(event, "issue is a pull request")
    labels = config.labels
    if labels.entity_request not in issue.label_names:
        return _ignore(event, "not an entity request")
    if action in ("opened", "edited"):
        # Keyed by the revision (update time, content and what it changed from), never by the
        # content alone: an A→B→A edit is three reviews, even within one second (GitHub's
        # timestamps have second resolution); only a redelivered or concurrent twin is one.
        changes = json.dumps(event.payload.raw.get("changes"), sort_keys=True, default=str)
        state = f"{action}\n{issue.updated_at}\n{changes}\n{issue.title}\n{issue.body or ''}"
        return Intent(
            kind="request-validated",
            repo=repo,
            number=issue.number,
            actor=actor,
            delivery_id=event.delivery_id,
            dedupe_key=_key(repo, issue.number, "request-validated", state),
        )
    label = event.payload.label.name if event.payload.label else None
    approved = (action == "unlabeled" and label == labels.needs_review) or (
        action == "labeled" and label == labels.approved
    )
    if not approved:
        return _ignore(event, f"issues.{action} of label {label!r} asks for nothing")
    if issue.state != "open":
        return _ignore(event, "approval on a closed issue")
    return Intent(
        kind="implement",
        repo=repo,
        number=issue.number,
        actor=actor,
        delivery_id=event.delivery_id,
        dedupe_key=implement_key(
            repo, issue.number, issue.label_names, issue.updated_at, actor=actor
        ),
        seen_body=issue.body or "",
        seen_title=issue.title,
        seen_updated_at=issue.updated_at,
        via_label=f"{action}:{label}",
    )


def implement_key(
    repo: str, number: int, labels: Iterable[str], updated_at: str | None, *, actor: str = ""
) -> str:
    """The approval's head state: label set, update time and who approved.

    The approver is part of it: a refused approval and a valid one by someone else within the
    same second (GitHub's timestamps have second resolution) are two intents, not one.
    """
    by = f"#{actor}" if actor else ""
    return _key(repo, number, "implement", ",".join(sorted(labels)) + f"@{updated_at}{by}")


def _route_comment(event: Event, repo: str) -> Intent:
    issue, comment = event.payload.issue, event.payload.comment
    if issue is None or comment is None:
        return _ignore(event, "issue_comment event without issue or comment")
    if event.action != "created":
        return _ignore(event, f"comment {event.action}: only new comments carry commands")
    command = first_command(comment.body)
    if command is None:
        return _ignore(event, "comment has no command")
    return Intent(
        kind=command.name,
        repo=repo,
        number=issue.number,
        actor=comment.user.login,
        comment_id=comment.id,
        unknown_command=command.unknown,
        on_pull=issue.pull_request is not None,
        delivery_id=event.delivery_id,
        dedupe_key=_key(repo, issue.number, command.name, f"comment:{comment.id}"),
        seen_body=issue.body or "",
        seen_title=issue.title,
        seen_updated_at=issue.updated_at,
    )


def _route_pull_request(event: Event, repo: str, actor: str) -> Intent:
    pr = event.payload.pull_request
    if pr is None or event.action != "closed":
        return _ignore(event, f"pull_request.{event.action} asks for nothing")
    if not pr.merged:
        return _ignore(event, "pull request closed without merging")
    match = BOT_BRANCH.match(pr.head.ref)
    if match is None:
        return _ignore(event, "merged pull request is not from a bot branch")
    return Intent(
        kind="pr-merged",
        repo=repo,
        number=int(match.group(1)),
        actor=actor,
        head_sha=pr.head.sha,
        branch=pr.head.ref,
        pr_numbers=(pr.number,),
        delivery_id=event.delivery_id,
        dedupe_key=_key(repo, pr.number, "pr-merged", f"merged:{pr.number}"),
    )


def _route_checks(event: Event, repo: str) -> Intent:
    target: CheckTarget | None = getattr(event.payload, event.name)
    if target is None or event.action != "completed":
        return _ignore(event, f"{event.name}.{event.action} asks for nothing")
    prs = tuple(p.number for p in target.pull_requests)
    bot_branch = bool(target.head_branch and BOT_BRANCH.match(target.head_branch))
    if not prs and not bot_branch:
        return _ignore(event, "completed checks belong to no pull request")
    state = f"{event.name}:{target.id}:{target.run_attempt}:{target.head_sha}:{target.conclusion}"
    return Intent(
        kind="checks-completed",
        repo=repo,
        number=prs[0] if prs else None,
        head_sha=target.head_sha,
        branch=target.head_branch,
        pr_numbers=prs,
        reason=f"{event.name} {target.conclusion}",
        delivery_id=event.delivery_id,
        dedupe_key=_key(repo, prs[0] if prs else None, "checks-completed", state),
    )


ISSUE_ACTIONS = frozenset({"opened", "edited", "labeled", "unlabeled"})


def prefilter(event: Event, *, bot_login: str) -> str | None:
    """Why an event can be dropped before reading the repo config (None: it needs routing).

    Only `issues` routing depends on the repo's label names; every other decision is the
    router's own, made here with the default config.
    """
    if event.name != "issues":
        intent = route(event, RepoConfig(), bot_login=bot_login)
        return intent.reason if intent.kind == "ignore" else None
    sender, issue = event.payload.sender, event.payload.issue
    if event.repo is None or sender is None or issue is None:
        return "issues event without repository, sender or issue"
    if is_bot(sender.login, sender.type, bot_login):
        return f"sent by the bot {sender.login}"
    if event.action not in ISSUE_ACTIONS:
        return f"issues.{event.action} asks for nothing"
    if issue.pull_request is not None:
        return "issue is a pull request"
    return None
