"""One tracking issue per repository while runs keep failing: edited in place, closed on success.

Called after every finished run. The severity on record lives in the tracking issue itself (a
hidden marker), so any worker on any host reads the same state; the caller serialises calls
per repository (the repository lock), so two workers finishing together open one issue.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import structlog

from bot.config import RepoConfig
from bot.errors import IssuebotError
from bot.github.audit import Approval
from bot.github.models import Issue
from bot.github.protocol import GitHubRepo
from bot.incidents.notify import Notifier, Target
from bot.incidents.policy import (
    CRITICAL_AFTER,
    Severity,
    Transition,
    failing_streak,
    severity_of,
    transition,
)
from bot.store import RunStore
from bot.store.records import Run
from bot.templating import render_markdown

log = structlog.get_logger(__name__)

INCIDENT_MARKER = "issuebot:incident"
_RECORDED = re.compile(r"<!-- issuebot:incident severity=(degraded|critical) -->")
_ADVICE = {
    "tests-failed": "The repository's tests fail with the generated code: see the diagnosis "
    "comment on the request, fix the default branch, then `/retry`.",
    "github-unavailable": "GitHub answered 5xx or rate limits: check githubstatus.com and the "
    "App's rate-limit headroom; `/retry` when it recovers.",
    "config": "The repository's `.github/issuebot.yml` or the bot's settings are invalid: fix "
    "what the run's comment names.",
    "git": "Pushing or cloning failed: check branch protection and the App's contents permission.",
    "timeout": "A step ran past its limit: look for a hanging test or raise "
    "`tests.timeout_seconds`.",
}
_DEFAULT_ADVICE = "Read the run's comment on its issue; `issuebot runs show RUN_ID` has every step."
LABEL_COLOR = "b60205"


@dataclass(frozen=True)
class IncidentState:
    """The open tracking issue (if any) and the severity it records."""

    issue: Issue | None
    severity: Severity | None


class IncidentTracker:
    """Opens, escalates and resolves a repository's incident after each finished run."""

    def __init__(
        self,
        gh: GitHubRepo,
        store: RunStore,
        config: RepoConfig,
        *,
        bot_login: str,
        notifier: Notifier,
        targets: Sequence[Target],
    ) -> None:
        self.gh = gh
        self.store = store
        self.config = config
        self.bot_login = bot_login
        self.notifier = notifier
        self.targets = list(targets)

    def update(self) -> Transition:
        """Bring the tracking issue and the notifications in line with the runs on record."""
        runs = self.store.list_runs(repo=self.gh.full_name, limit=CRITICAL_AFTER * 4)
        streak = failing_streak(runs)
        state = self.recorded()
        change = transition(state.severity, severity_of(len(streak)))
        if change.severity is not None:
            issue = self._write(state.issue, change, streak)
            self._notify(change, streak, issue)
        elif state.issue is not None and change.change == "resolved":
            self._resolve(state.issue, runs[0] if runs else None)
            self._notify(change, streak, state.issue)
        return change

    def recorded(self) -> IncidentState:
        """The bot's own open incident issue; issues anyone else opened are ignored."""
        label = self.config.labels.incident
        for issue in self.gh.list_open_issues(label=label):
            if issue.author != self.bot_login:
                continue
            found = _RECORDED.search(issue.body or "")
            if found:
                return IncidentState(issue, found.group(1))  # type: ignore[arg-type]
        return IncidentState(None, None)

    # -- writing -------------------------------------------------------------------------------
    def _write(self, issue: Issue | None, change: Transition, streak: list[Run]) -> Issue:
        title = f"issuebot incident ({change.severity}): {len(streak)} runs failed in a row"
        body = render_markdown(
            "incident", "issue.md.j2",
            severity=change.severity, repo=self.gh.full_name, runs=streak[:20],
            total=len(streak), advice=_advice(streak), marker=INCIDENT_MARKER,
        )  # fmt: skip
        if issue is None:
            label = self.config.labels.incident
            self.gh.ensure_label(label, LABEL_COLOR, "issuebot: runs keep failing here")
            created = self.gh.create_issue(title, body, labels=[label])
            log.warning("incident_opened", repo=self.gh.full_name, severity=change.severity)
            return created
        if issue.body != body or issue.title != title:
            return self.gh.edit_issue(issue.number, title=title, body=body)
        return issue

    def _resolve(self, issue: Issue, latest: Run | None) -> None:
        summary = render_markdown(
            "incident", "resolved.md.j2",
            run_id=latest.id if latest else "", issue=latest.issue if latest else None,
        )  # fmt: skip
        self.gh.upsert_comment(issue.number, "issuebot:incident-resolved", summary)
        approval = Approval.close_issue(
            self.gh.full_name, issue.number, actor=self.bot_login, reason="a run succeeded"
        )
        self.gh.close_issue(issue.number, approval=approval, reason="completed")
        log.info("incident_resolved", repo=self.gh.full_name, issue=issue.number)

    def _notify(self, change: Transition, streak: list[Run], issue: Issue) -> None:
        if not change.notify or not self.config.notify.incidents:
            return
        event = change.change if change.change == "resolved" else change.severity
        assert event is not None
        title = f"[issuebot] {self.gh.full_name}: incident {change.change}" + (
            f" ({change.severity})" if change.severity else ""
        )
        body = render_markdown(
            "incident", "notification.txt.j2",
            change=change.change, severity=change.severity, repo=self.gh.full_name,
            total=len(streak), url=issue.html_url,
            kinds=sorted({run.error_kind or "unknown" for run in streak}),
        )  # fmt: skip
        try:
            self.notifier.send(event, title, body, self.targets)
        except Exception as exc:  # a broken notification channel never fails a run
            log.warning("notify_crashed", error=type(exc).__name__)


def _advice(streak: list[Run]) -> list[str]:
    kinds = []
    for run in streak:
        kind = run.error_kind or "unknown"
        if kind not in kinds:
            kinds.append(kind)
    return [f"`{kind}`: {_ADVICE.get(kind, _DEFAULT_ADVICE)}" for kind in kinds]


def update_quietly(tracker: IncidentTracker) -> None:
    """After a run: GitHub being down must not turn a finished run into a crashed one."""
    try:
        tracker.update()
    except IssuebotError as exc:
        log.warning("incident_update_failed", kind=exc.kind, error=exc.message)
