"""Fetch everything ``decide`` needs for one PR through ``GitHubRepo`` and git (reads only)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.config import RepoConfig
from bot.errors import GitHubError, NotFoundError
from bot.gates.diff import PullDiff, read_pull_diff
from bot.gates.heads import RunReader, attested_by_app, foreign_commits, last_pushed_sha
from bot.gates.holds import closing_issue, hold_by_comment, read_holds
from bot.gates.migration_ops import is_revision_file
from bot.gates.produced import ungenerated
from bot.gates.risk import CheckResult, GateInputs
from bot.gates.spec_change import SpecChange, classify_spec_change
from bot.github.models import PullRequest
from bot.github.protocol import GitHubRepo

__all__ = ["GateContext", "closing_issue", "gather", "hold_by_comment", "read_holds"]

DiffReader = Callable[[GitHubRepo, PullRequest], PullDiff]

_RUN_ID = re.compile(r"<sub>run `([A-Za-z0-9-]{8,64})`")


@dataclass(frozen=True)
class GateContext:
    """Facts the executor needs beyond the decision: which issue the PR closes, its files."""

    pull: PullRequest
    issue_number: int | None
    diff: PullDiff | None
    run_id: str | None = None


def git_diff_reader(repo: GitHubRepo, pull: PullRequest) -> PullDiff:
    """The default: real git against the repository's clone URL."""
    return read_pull_diff(repo.clone_url(), pull.base_ref, pull.head_ref, pull.head_sha)


def run_id_of(pull: PullRequest, bot_login: str) -> str | None:
    """The pipeline run that opened a bot PR (its body's footer), to file the audit under it."""
    if pull.author != bot_login:
        return None
    match = _RUN_ID.search(pull.body or "")
    return match.group(1) if match else None


def _approved(repo: GitHubRepo, number: int | None, config: RepoConfig) -> bool:
    if number is None:
        return False
    try:
        issue = repo.get_issue(number)
    except NotFoundError:
        return False
    labels = set(issue.labels)
    return (
        issue.state == "open"
        and config.labels.entity_request in labels
        and config.labels.needs_review not in labels
        and config.labels.spec_invalid not in labels
    )


def _checks(repo: GitHubRepo, sha: str) -> tuple[CheckResult, ...]:
    runs = sorted(repo.list_check_runs(sha), key=lambda r: r.id)
    results = [
        CheckResult(
            name=r.name,
            sha=r.head_sha,
            status=r.status,  # type: ignore[arg-type]
            conclusion=r.conclusion,
            url=r.html_url,
            origin=r.app_slug,
        )
        for r in runs
    ]
    combined = repo.combined_status(sha)
    for status in combined.statuses:
        done = status.state != "pending"
        conclusion = "success" if status.state == "success" else status.state
        results.append(
            CheckResult(
                status.context,
                combined.sha or sha,
                "completed" if done else "pending",
                conclusion if done else None,
                status.target_url,
                source="status",
                origin=status.creator,
            )
        )
    return tuple(results)


def _required_checks(repo: GitHubRepo, branch: str) -> tuple[tuple[str, ...], str | None]:
    """Branch protection's required checks, or () and why they could not be read."""
    try:
        return repo.required_checks(branch), None
    except GitHubError as exc:
        if exc.status != 403:  # reading protection needs admin (App: administration: read)
            raise
        return (), f"branch protection of {branch} is not readable by the bot"


def gather(
    repo: GitHubRepo,
    pull: PullRequest,
    config: RepoConfig,
    *,
    bot_login: str,
    read_diff: DiffReader = git_diff_reader,
    runs: RunReader | None = None,
) -> tuple[GateInputs, GateContext]:
    """Read the PR's facts; nothing is written. ``runs`` is where the bot's pushes are recorded."""
    issue_number = closing_issue(pull.body)
    is_bot = pull.author == bot_login
    diff = read_diff(repo, pull) if is_bot and pull.state == "open" else None
    spec_change = SpecChange("unchanged")
    head_spec = repo.read_file(config.paths.spec, ref=pull.head_sha) if diff else None
    if diff is not None and any(
        f.path == config.paths.spec or is_revision_file(f.path) for f in diff.files
    ):
        spec_change = classify_spec_change(
            repo.read_file(config.paths.spec, ref=diff.merge_base),
            head_spec,
            dict(diff.revisions),
            tuple(f.path for f in diff.files if f.status == "added"),
        )
    checks = _checks(repo, pull.head_sha) if is_bot else ()
    pushed = last_pushed_sha(runs, repo.full_name, pull.head_ref) if is_bot else None
    own = [(c.name, c.sha, c.origin) for c in checks if c.source == "check_run"]
    if pushed is None and is_bot and attested_by_app(own, pull.head_sha, bot_login):
        pushed = pull.head_sha  # no run store here: the App's own check run witnesses the push
    foreign = foreign_commits(diff.commits, pushed) if diff and pushed != pull.head_sha else ()
    present = [f.path for f in diff.files if f.status != "removed"] if diff else []
    holds = read_holds(repo, pull, config, bot_login=bot_login)
    labels = frozenset(pull.labels)
    required, protection_note = _required_checks(repo, pull.base_ref) if is_bot else ((), None)
    inputs = GateInputs(
        pr_number=pull.number,
        author=pull.author,
        bot_login=bot_login,
        head_sha=pull.head_sha,
        labels=labels,
        approved_request=is_bot and _approved(repo, issue_number, config),
        files=diff.files if diff else (),
        spec_change=spec_change,
        checks=checks,
        required_checks=required,
        protection_note=protection_note,
        mergeable=pull.mergeable,
        up_to_date=diff.up_to_date if diff else None,
        hold_label=config.labels.hold if holds.label_on else None,
        hold_comment=holds.comment_by,
        is_open=pull.state == "open" and not pull.merged,
        draft=pull.draft,
        paths=config.paths,
        hold_label_on=holds.label_on,
        hold_comment_on=holds.comment_on,
        pushed_sha=pushed,
        head_repo=pull.head_repo,
        base_repo=pull.base_repo or repo.full_name,
        foreign_commits=tuple(c.describe() for c in foreign),
        ungenerated=ungenerated(present, head_spec, config) if diff else (),
    )
    return inputs, GateContext(pull, issue_number, diff, run_id_of(pull, bot_login))
