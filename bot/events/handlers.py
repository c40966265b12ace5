"""Apply an `Intent` to a repository: permission first, then one side effect per intent.

Every effect goes through the `GitHubRepo` Protocol or a small `Runner`/`Validator`/
`Previewer` Protocol, so the same code serves the webhook worker and the Action, and tests
drive it against the emulator with the real GitHub layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from bot.config import RepoConfig
from bot.errors import IssuebotError, LockConflictError
from bot.events import messages
from bot.events.approvals import accept_event, revert_label
from bot.events.router import BOT_BRANCH, Intent
from bot.gates.heads import is_bot_pull
from bot.gates.holds import lift_holds
from bot.gates.report import MERGED_MARKER
from bot.github.approvers import check_approver
from bot.github.audit import Approval
from bot.github.protocol import GitHubRepo
from bot.issuespec.approval import ApprovalLog, ApprovalRecord, revoke_if_edited
from bot.issuespec.review import REVIEW_MARKER
from bot.observability import get_logger

log = get_logger("issuebot.events")

# Intents whose work is a recorded pipeline run (it reports its own failures).
RUNS = frozenset({"implement", "retry"})
# Intents about the request issue: commented on the bot's PR, they mean the PR's issue.
ISSUE_WORK = frozenset({"implement", "retry", "cancel", "status", "preview"})
Result = Literal["done", "refused", "ignored", "failed", "duplicate", "config-error"]


class Runner(Protocol):
    """The run pipeline as the event handlers need it (G's Orchestrator behind an adapter)."""

    def implement(
        self, repo: str, issue: int, actor: str, *, approval_id: int | None = None
    ) -> object:
        """Start (or join) the run that builds the approval ``approval_id`` of ``issue``."""
        ...

    def retry(self, repo: str, issue: int, actor: str, *, approval_id: int | None = None) -> object:
        """Rerun the last failed run of the issue (building approval ``approval_id``)."""
        ...

    def cancel(self, repo: str, issue: int, actor: str) -> object:
        """Stop a queued or running run, cleaning up its branch if no PR exists."""
        ...

    def status(self, repo: str, issue: int) -> str:
        """Plain text describing the issue's latest run (quoted as code when posted)."""
        ...

    def evaluate_merge(self, repo: str, pr: int, head_sha: str | None) -> object:
        """Re-run the merge gate of a bot PR after its checks changed."""
        ...


class Validator(Protocol):
    """Re-parse and validate an entity request after it was opened or edited (issue-spec)."""

    def __call__(
        self,
        repo: GitHubRepo,
        issue_number: int,
        config: RepoConfig,
        *,
        withdrawn: ApprovalRecord | None = None,
    ) -> object: ...


class Previewer(Protocol):
    """Markdown showing what approval would produce, computed without touching git."""

    def __call__(self, repo: GitHubRepo, issue_number: int, config: RepoConfig) -> str: ...


@dataclass(frozen=True)
class Services:
    """What the handlers act through besides the repository itself."""

    runner: Runner
    validate: Validator
    preview: Previewer
    bot_login: str
    approvals: ApprovalLog | None = None  # where approvals are pinned (the run store)


@dataclass(frozen=True)
class Outcome:
    """What handling an intent came to, for logs, metrics and the Action's exit line."""

    intent: Intent
    result: Result
    detail: str = ""


def check_permission(repo: GitHubRepo, intent: Intent, config: RepoConfig) -> Outcome | None:
    """None when the actor may trigger this; else one refusal comment per issue per user."""
    actor = intent.actor or ""
    check = check_approver(repo, actor, config.approval)
    if check.allowed:
        return None
    if intent.number is not None:
        teams = () if not check.has_permission else check.teams
        body = messages.refusal_text(actor, check.permission, check.required, teams)
        repo.upsert_comment(intent.number, f"refusal-{actor.lower()}", body)
        revert_label(repo, intent.number, intent.via_label, config)
    return Outcome(intent, "refused", check.reason())


def handle(intent: Intent, repo: GitHubRepo, config: RepoConfig, services: Services) -> Outcome:
    """Execute one intent; known failures become a comment on the issue, not a crash."""
    if intent.kind == "ignore" or intent.number is None:
        return Outcome(intent, "ignored", intent.reason)
    if intent.needs_permission:
        refused = check_permission(repo, intent, config)
        if refused is not None:
            return refused
        if intent.comment_id is not None:
            _acknowledge(repo, intent.comment_id)
    number = intent.number
    if intent.on_pull and intent.kind in ISSUE_WORK:  # `/retry` on the bot's PR means its issue
        issue = _issue_of_pull(repo, number)
        if issue is None:
            text = f"#{number} is not a pull request opened by the bot"
            body = messages.failure_text(intent.kind, text, "comment on the request issue")
            repo.upsert_comment(number, f"error-{intent.kind}", body)
            return Outcome(intent, "failed", text)
        number = issue
    try:
        if intent.kind in RUNS:
            return _start_run(intent, number, repo, config, services)
        return Outcome(intent, "done", _apply(intent, number, repo, config, services))
    except LockConflictError as exc:
        repo.upsert_comment(number, "busy", messages.report_text(intent.kind, exc.message))
        return Outcome(intent, "done", exc.message)
    except IssuebotError as exc:
        if exc.retryable:
            raise
        if intent.kind not in RUNS:  # a run reports its own failure in its summary comment
            body = messages.failure_text(intent.kind, exc.message, exc.hint)
            repo.upsert_comment(number, f"error-{intent.kind}", body)
        return Outcome(intent, "failed", exc.one_line())


def _issue_of_pull(repo: GitHubRepo, number: int) -> int | None:
    """The request issue behind a bot PR, read from its `feat/issue-<n>-...` branch."""
    match = BOT_BRANCH.match(repo.get_pull(number).head_ref)
    return int(match.group(1)) if match else None


def _acknowledge(repo: GitHubRepo, comment_id: int) -> None:
    """👀 on the command: seen, working on it. Never worth failing the command over."""
    try:
        repo.add_reaction("eyes", comment_id=comment_id)
    except IssuebotError as exc:
        log.warning("reaction_failed", comment_id=comment_id, error=exc.one_line())


def _apply(
    intent: Intent, number: int, repo: GitHubRepo, config: RepoConfig, services: Services
) -> str:
    name, actor, runner = repo.full_name, intent.actor or "", services.runner
    match intent.kind:
        case "help":
            repo.upsert_comment(number, "help", messages.help_text(config, intent.unknown_command))
        case "status":
            text = messages.report_text("/status", runner.status(name, number))
            repo.upsert_comment(number, "status", text)
        case "preview":
            repo.upsert_comment(number, "preview", services.preview(repo, number, config))
        case "cancel":
            runner.cancel(name, number, actor)
        case "hold":
            repo.add_labels(number, [config.labels.hold])
            repo.upsert_comment(number, "hold", messages.hold_text(True, config.labels.hold))
        case "unhold":  # lifted on the request and all its bot PRs; their gate decides now
            pulls = lift_holds(repo, number, config, bot_login=services.bot_login)
            repo.upsert_comment(number, "hold", messages.hold_text(False, config.labels.hold))
            for pull in pulls:
                runner.evaluate_merge(name, pull.number, pull.head_sha)
        case "request-validated":
            book = services.approvals
            withdrawn = revoke_if_edited(repo, book, number, config.labels) if book else None
            services.validate(repo, number, config, withdrawn=withdrawn)
        case "pr-merged":
            return _finish_merged(intent, number, repo, services.bot_login)
        case "checks-completed":
            for pr in intent.pr_numbers or _prs_of_branch(repo, intent.branch):
                runner.evaluate_merge(name, pr, intent.head_sha)
    return intent.kind


def _start_run(
    intent: Intent, number: int, repo: GitHubRepo, config: RepoConfig, services: Services
) -> Outcome:
    """Pin the approval (unless the event is stale or replayed), then start its run."""
    name, actor, runner = repo.full_name, intent.actor or "", services.runner
    approval_id = intent.approval_id
    book = services.approvals
    if book is not None and intent.source == "event":
        accepted = accept_event(intent, number, repo, config, book)
        if accepted.revoked and accepted.record is not None:
            services.validate(repo, number, config, withdrawn=accepted.record)
        if accepted.record is None or accepted.revoked:
            return Outcome(intent, "ignored", accepted.reason)
        approval_id = accepted.record.id
        if repo.find_comment(number, REVIEW_MARKER) is not None:  # no "withdrawn" note left
            services.validate(repo, number, config)
    if intent.kind == "retry":
        runner.retry(name, number, actor, approval_id=approval_id)
    else:
        runner.implement(name, number, actor, approval_id=approval_id)
    detail = f"{intent.kind} of approval {approval_id}" if approval_id else intent.kind
    return Outcome(intent, "done", detail)


def _prs_of_branch(repo: GitHubRepo, branch: str | None) -> tuple[int, ...]:
    pull = repo.find_pull(branch, state="open") if branch else None
    return (pull.number,) if pull else ()


def _finish_merged(intent: Intent, issue: int, repo: GitHubRepo, bot_login: str) -> str:
    """Final note on the issue, then delete the bot's branch under an explicit approval."""
    branch, pr = intent.branch or "", intent.pr_numbers[0]
    pull = repo.get_pull(pr)  # GitHub's word, not the payload's: a fork's branch can share our name
    if not is_bot_pull(pull, repo.full_name, bot_login) or pull.head_ref != branch:
        return f"merged #{pr} is not the bot's own pull request: no cleanup, no report"
    approval = Approval.delete_branch(
        repo.full_name,
        branch,
        actor=intent.actor or "issuebot",
        reason=f"pull request #{pr} from bot branch {branch} was merged",
    )
    deleted = repo.delete_branch(branch, approval=approval)
    # The merge gate writes this note when the bot merged; a human merge gets ours. Never both.
    if repo.find_comment(issue, MERGED_MARKER) is None:
        repo.upsert_comment(issue, MERGED_MARKER, messages.merged_text(pr, branch, deleted))
    return f"merged #{pr}, branch {'deleted' if deleted else 'already gone'}"
