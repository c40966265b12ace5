"""Fetch everything ``decide`` needs for one PR through ``GitHubRepo`` and git (reads only)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.config import RepoConfig
from bot.errors import GitHubError, NotFoundError
from bot.gates.diff import PullDiff, read_pull_diff
from bot.gates.migration_ops import is_revision_file
from bot.gates.risk import CheckResult, GateInputs
from bot.gates.spec_change import SpecChange, classify_spec_change
from bot.github.models import Comment, PullRequest
from bot.github.protocol import GitHubRepo

DiffReader = Callable[[GitHubRepo, PullRequest], PullDiff]

_CLOSES = re.compile(r"(?im)\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s+#(\d+)\b")
_RUN_ID = re.compile(r"<sub>run `([A-Za-z0-9-]{8,64})`")
_HOLD = re.compile(r"(?m)^[ \t]*/(hold|unhold)(?:[ \t]+(cancel))?[ \t]*$")


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


def closing_issue(body: str) -> int | None:
    """The first issue a PR body closes with GitHub's keywords (`Closes #12`)."""
    match = _CLOSES.search(body or "")
    return int(match.group(1)) if match else None


def run_id_of(pull: PullRequest, bot_login: str) -> str | None:
    """The pipeline run that opened a bot PR (its body's footer), to file the audit under it."""
    if pull.author != bot_login:
        return None
    match = _RUN_ID.search(pull.body or "")
    return match.group(1) if match else None


def hold_by_comment(comments: tuple[Comment, ...], bot_login: str) -> str | None:
    """Prow's /hold: the last `/hold` or `/unhold` line decides; returns who holds, if anyone."""
    holder: str | None = None
    for comment in comments:
        if comment.author == bot_login:
            continue
        for command, cancel in _HOLD.findall(comment.body or ""):
            holder = comment.author if command == "hold" and not cancel else None
    return holder


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
        CheckResult(r.name, r.head_sha, r.status, r.conclusion, r.html_url)  # type: ignore[arg-type]
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
) -> tuple[GateInputs, GateContext]:
    """Read the PR's facts; nothing is written."""
    issue_number = closing_issue(pull.body)
    is_bot = pull.author == bot_login
    diff = read_diff(repo, pull) if is_bot and pull.state == "open" else None
    spec_change = SpecChange("unchanged")
    if diff is not None and any(
        f.path == config.paths.spec or is_revision_file(f.path) for f in diff.files
    ):
        spec_change = classify_spec_change(
            repo.read_file(config.paths.spec, ref=diff.merge_base),
            repo.read_file(config.paths.spec, ref=pull.head_sha),
            dict(diff.revisions),
            tuple(f.path for f in diff.files if f.status == "added"),
        )
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
        checks=_checks(repo, pull.head_sha) if is_bot else (),
        required_checks=required,
        protection_note=protection_note,
        mergeable=pull.mergeable,
        up_to_date=diff.up_to_date if diff else None,
        hold_label=config.labels.hold if config.labels.hold in labels else None,
        hold_comment=hold_by_comment(repo.list_comments(pull.number), bot_login),
        is_open=pull.state == "open" and not pull.merged,
        draft=pull.draft,
        paths=config.paths,
    )
    return inputs, GateContext(pull, issue_number, diff, run_id_of(pull, bot_login))
