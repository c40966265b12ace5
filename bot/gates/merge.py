"""The merge executor: gather, decide, then apply the decision to GitHub, audited and serialised.

The only destructive call the bot makes on its own is the merge here. It runs under the
per-repository merge lease (two bot PRs never race into a conflicting base), re-reads the
head SHA right before merging, and merges with ``sha=`` so a push in between makes GitHub
refuse instead of merging untested code. Every decision goes to the audit sink.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from bot.config import RepoConfig, read_repo_config
from bot.errors import GitHubError, LockConflictError, NotFoundError
from bot.gates import report
from bot.gates.gather import DiffReader, GateContext, gather, git_diff_reader, read_holds
from bot.gates.heads import RunReader
from bot.gates.owners import CODEOWNERS_PATHS, Owners, reviewers
from bot.gates.risk import Decision, GateInputs, RuleResult, decide
from bot.github.audit import Approval, AuditSink
from bot.github.models import PullRequest
from bot.github.protocol import GitHubRepo
from bot.locks import Lease, LockManager, default_owner, repo_lock_key
from bot.observability import observe_gate

LOCK_TTL_SECONDS = 120.0
LOCK_WAIT_SECONDS = 30.0
MERGEABLE_RETRY_DELAYS = (0.5, 1.0, 2.0)  # GitHub computes `mergeable` lazily after a push


@contextmanager
def merge_lease(
    locks: LockManager, repo: str, *, wait: float = LOCK_WAIT_SECONDS
) -> Iterator[Lease]:
    """Hold the repository's merge lease, waiting a bounded time for another merge to finish."""
    key = repo_lock_key(repo)
    deadline = time.monotonic() + wait
    owner = default_owner("gate")
    while (lease := locks.acquire(key, LOCK_TTL_SECONDS, owner=owner)) is None:
        if time.monotonic() >= deadline:
            raise LockConflictError(f"another merge into {repo} is in progress", hint="retry later")
        time.sleep(0.2)
    try:
        yield lease
    finally:
        lease.release()


def _get_pull(repo: GitHubRepo, number: int) -> PullRequest:
    """The PR, re-read briefly while GitHub is still computing its mergeability (null)."""
    pull = repo.get_pull(number)
    for delay in MERGEABLE_RETRY_DELAYS:
        if pull.mergeable is not None or pull.state != "open":
            break
        time.sleep(delay)
        pull = repo.get_pull(number)
    return pull


def load_config(repo: GitHubRepo) -> RepoConfig:
    """The repository's `.github/issuebot.yml` from its default branch (defaults if absent)."""
    return read_repo_config(repo.read_file)


def judge_pull(
    repo: GitHubRepo,
    pr_number: int,
    config: RepoConfig,
    *,
    bot_login: str,
    read_diff: DiffReader = git_diff_reader,
    runs: RunReader | None = None,
) -> tuple[Decision, GateInputs]:
    """Decide without acting (`issuebot gate evaluate`): nothing is written anywhere."""
    pull = _get_pull(repo, pr_number)
    inputs, _ = gather(repo, pull, config, bot_login=bot_login, read_diff=read_diff, runs=runs)
    return decide(inputs, config.risk), inputs


def evaluate_pull(
    repo: GitHubRepo,
    pr_number: int,
    config: RepoConfig,
    *,
    audit: AuditSink,
    locks: LockManager,
    bot_login: str,
    read_diff: DiffReader = git_diff_reader,
    lock_wait: float = LOCK_WAIT_SECONDS,
    runs: RunReader | None = None,
) -> Decision:
    """Decide on one PR and act: merge, ask for review, report red checks, or wait.

    ``runs`` is the run store where the pipeline recorded the commits it pushed; without it
    no head can be shown to be the bot's, so nothing auto-merges.
    """
    pull = repo.get_pull(pr_number)
    if pull.author != bot_login or pull.state != "open":
        inputs, _ = gather(repo, pull, config, bot_login=bot_login, read_diff=read_diff, runs=runs)
        return decide(inputs, config.risk)  # not ours or already done: judge, never act
    with merge_lease(locks, repo.full_name, wait=lock_wait):
        pull = _get_pull(repo, pr_number)  # fresh: another merge may have moved the base
        inputs, ctx = gather(
            repo, pull, config, bot_login=bot_login, read_diff=read_diff, runs=runs
        )
        if not inputs.is_open:
            return decide(inputs, config.risk)
        decision = decide(inputs, config.risk)
        merged_sha: str | None = None
        if decision.outcome == "low-risk":
            decision, inputs, merged_sha = _merge(
                repo, decision, inputs=inputs, ctx=ctx, config=config, bot_login=bot_login
            )
        _apply(repo, decision, inputs=inputs, ctx=ctx, config=config, merged_sha=merged_sha)
        event = _audit_event(
            repo.full_name, decision, inputs=inputs, ctx=ctx, actor=bot_login, merged_sha=merged_sha
        )
        audit.record(event)
        observe_gate(decision.outcome, ((r.rule, r.status) for r in decision.rules))
        return decision


def _stale(decision: Decision, reason: str) -> Decision:
    """The same decision, turned into `wait` because the head moved under us."""
    rules = tuple(
        RuleResult("checks-green", "pending", reason) if r.rule == "checks-green" else r
        for r in decision.rules
    )
    return replace(decision, outcome="wait", rules=rules)


def _merge(
    repo: GitHubRepo,
    decision: Decision,
    *,
    inputs: GateInputs,
    ctx: GateContext,
    config: RepoConfig,
    bot_login: str,
) -> tuple[Decision, GateInputs, str | None]:
    """Merge at the decided head, unless it moved or a hold arrived while the gate decided."""
    current = repo.get_pull(decision.pr_number)
    if current.head_sha != decision.head_sha or current.state != "open":
        reason = f"head moved to {current.head_sha[:7]}: checks must rerun"
        return _stale(decision, reason), inputs, None
    holds = read_holds(repo, current, config, bot_login=bot_login)  # the last word before merging
    if holds.held:
        inputs = replace(
            inputs,
            hold_label=config.labels.hold if holds.label_on else None,
            hold_label_on=holds.label_on,
            hold_comment=holds.comment_by,
            hold_comment_on=holds.comment_on,
        )
        return decide(inputs, config.risk), inputs, None
    approval = Approval.merge(
        repo.full_name,
        decision.pr_number,
        actor=bot_login,
        reason=f"gate: low-risk on {decision.head_sha}, all {len(decision.rules)} rules passed",
    )
    try:
        sha = repo.merge_pull(
            decision.pr_number,
            sha=decision.head_sha,
            method=config.risk.merge_method,
            approval=approval,
            title=f"{ctx.pull.title} (#{decision.pr_number})",
        )
    except GitHubError as exc:
        if exc.status in (405, 409):  # head moved or not mergeable after all: judge again later
            return _stale(decision, f"GitHub refused the merge: {exc.message}"), inputs, None
        raise
    return decision, inputs, sha


def _apply(
    repo: GitHubRepo,
    decision: Decision,
    *,
    inputs: GateInputs,
    ctx: GateContext,
    config: RepoConfig,
    merged_sha: str | None,
) -> None:
    labels = config.labels
    n = decision.pr_number
    red = bool(decision.failing_checks) and decision.rule("checks-green").status == "fail"
    if merged_sha is not None:
        if repo.find_comment(n, report.DECISION_MARKER) is not None:
            repo.upsert_comment(
                n,
                report.DECISION_MARKER,
                report.merged_comment(decision, merged_sha, config.risk.merge_method),
            )
        if ctx.issue_number is not None:
            repo.upsert_comment(
                ctx.issue_number,
                report.MERGED_MARKER,
                report.issue_final_note(n, merged_sha, decision),
            )
        for stale_label in (labels.needs_human_review, labels.bot_failed):
            if stale_label in inputs.labels:
                repo.remove_label(n, stale_label)
        return
    if red:
        repo.add_labels(n, [labels.bot_failed])
    elif labels.bot_failed in inputs.labels:
        repo.remove_label(n, labels.bot_failed)
    review_note = None
    if decision.outcome == "needs-review":
        repo.add_labels(n, [labels.needs_human_review])
        review_note = _request_review(repo, decision, inputs, config)
    if decision.outcome != "wait" or repo.find_comment(n, report.DECISION_MARKER) is not None:
        body = report.decision_comment(decision, review_note=review_note)
        repo.upsert_comment(n, report.DECISION_MARKER, body)


def _request_review(
    repo: GitHubRepo, decision: Decision, inputs: GateInputs, config: RepoConfig
) -> str:
    """Ask configured reviewers or CODEOWNERS; returns the sentence for the gate comment."""
    codeowners = None
    if not config.risk.reviewers and not config.risk.team_reviewers:
        for path in CODEOWNERS_PATHS:
            codeowners = repo.read_file(path)
            if codeowners is not None:
                break
    chosen = reviewers(
        config.risk.reviewers,
        config.risk.team_reviewers,
        codeowners,
        [f.path for f in inputs.files],
        exclude=inputs.author,
    )
    if not chosen:
        return "No reviewers found: set risk.reviewers in .github/issuebot.yml or add CODEOWNERS."
    try:
        if chosen.users:
            repo.request_reviewers(decision.pr_number, list(chosen.users))
        if chosen.teams:
            repo.request_team_reviewers(decision.pr_number, list(chosen.teams))
    except (GitHubError, NotFoundError) as exc:  # e.g. a reviewer without repo access
        return f"Could not request reviews ({exc.message}); owners: " + _mentions(chosen)
    return "Review requested from " + _mentions(chosen) + "."


def _mentions(owners: Owners) -> str:
    return ", ".join(f"@{name}" for name in (*owners.users, *owners.teams))


def _audit_event(
    repo: str,
    decision: Decision,
    *,
    inputs: GateInputs,
    ctx: GateContext,
    actor: str,
    merged_sha: str | None,
) -> dict[str, object]:
    return {
        "kind": "merge-decision",
        "repo": repo,
        "pr": decision.pr_number,
        "issue": ctx.issue_number,
        "run_id": ctx.run_id,
        "outcome": decision.outcome,
        "head_sha": decision.head_sha,
        "merged": merged_sha is not None,
        "merge_sha": merged_sha,
        "actor": actor,
        "rules": decision.to_dict()["rules"],
        "inputs": inputs.to_dict(),
    }
