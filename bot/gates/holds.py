"""Holds are about the request: a `hold` label or `/hold` on the issue or any of its bot PRs.

Read by the gate twice (when deciding and right before the merge call, so a hold said while
the gate decided still wins) and lifted by `/unhold` wherever it is said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.config import RepoConfig
from bot.errors import NotFoundError
from bot.events.commands import parse_commands
from bot.gates.heads import is_bot_pull
from bot.github.approvers import check_approver
from bot.github.models import Comment, PullRequest
from bot.github.protocol import GitHubRepo

_CLOSES = re.compile(r"(?im)\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s+#(\d+)\b")
_BRANCH_ISSUE = re.compile(r"^feat/issue-([0-9]+)-")


@dataclass(frozen=True)
class Holds:
    """What holds a request: the hold label and the last `/hold`, each with where it is."""

    label_on: str = ""  # "pull request #5", "issue #3", or both
    comment_by: str | None = None
    comment_on: str = ""

    @property
    def held(self) -> bool:
        """Whether anything holds the PR."""
        return bool(self.label_on or self.comment_by)


def closing_issue(body: str) -> int | None:
    """The first issue a PR body closes with GitHub's keywords (`Closes #12`)."""
    match = _CLOSES.search(body or "")
    return int(match.group(1)) if match else None


def _hold_says(body: str) -> bool | None:
    """True for `/hold`, False for `/unhold` or `/hold cancel` (the last one wins), None if
    the comment says neither; quoted and fenced lines are ignored, as for every command."""
    said: bool | None = None
    for command in parse_commands(body):
        if command.name == "unhold" or (command.name == "hold" and command.args == "cancel"):
            said = False
        elif command.name == "hold" and not command.args.strip():
            said = True
    return said


def hold_by_comment(comments: tuple[Comment, ...], bot_login: str) -> str | None:
    """Prow's /hold: the last `/hold` or `/unhold` line decides; returns who holds, if anyone."""
    holder: str | None = None
    for comment in comments:
        said = None if comment.author == bot_login else _hold_says(comment.body)
        if said is not None:
            holder = comment.author if said else None
    return holder


def request_issues(pull: PullRequest) -> tuple[int, ...]:
    """The request issue(s) a bot PR belongs to: its `Closes #N` and its branch's number."""
    numbers = [closing_issue(pull.body)]
    match = _BRANCH_ISSUE.match(pull.head_ref)
    numbers.append(int(match.group(1)) if match else None)
    return tuple(dict.fromkeys(n for n in numbers if n is not None and n != pull.number))


def read_holds(repo: GitHubRepo, pull: PullRequest, config: RepoConfig, *, bot_login: str) -> Holds:
    """Holds on the PR and on its request issue: a hold on either holds the request.

    Comments from both places are read in the order they were written (GitHub's comment ids
    grow), so the last `/hold` or `/unhold` said anywhere decides.
    """
    hold = config.labels.hold
    places = [(pull.number, f"pull request #{pull.number}", pull.labels)]
    for number in request_issues(pull):
        try:
            issue = repo.get_issue(number)
        except NotFoundError:
            continue
        places.append((number, f"issue #{number}", issue.labels))
    labelled = [where for _, where, labels in places if hold in labels]
    written: list[tuple[int, str, Comment]] = [
        (c.id, where, c) for number, where, _ in places for c in repo.list_comments(number)
    ]
    written.sort(key=lambda item: item[0])
    by: str | None = None
    on = ""
    allowed: dict[str, bool] = {}
    for _, where, comment in written:
        said = None if comment.author == bot_login else _hold_says(comment.body)
        if said is None:
            continue
        if comment.author not in allowed:  # only who may /implement may /hold or /unhold
            allowed[comment.author] = check_approver(repo, comment.author, config.approval).allowed
        if not allowed[comment.author]:
            continue
        if said:
            by, on = comment.author, where
        else:
            by, on = None, ""  # an /unhold (or /hold cancel) lifts the hold wherever said
    return Holds(" and ".join(labelled), by, on)


def request_pulls(
    repo: GitHubRepo, number: int, bot_login: str
) -> tuple[tuple[int, ...], tuple[PullRequest, ...]]:
    """For an issue or a bot PR: the request issue(s) and every open bot PR of the request."""
    try:
        said_on_pull: PullRequest | None = repo.get_pull(number)
    except NotFoundError:
        said_on_pull = None
    issues = request_issues(said_on_pull) if said_on_pull else (number,)
    pulls = [
        p
        for p in repo.list_open_pulls()
        if is_bot_pull(p, repo.full_name, bot_login) and set(request_issues(p)) & set(issues)
    ]
    if said_on_pull is not None and said_on_pull.number not in {p.number for p in pulls}:
        pulls.append(said_on_pull)
    return issues, tuple(pulls)


def lift_holds(
    repo: GitHubRepo, number: int, config: RepoConfig, *, bot_login: str
) -> tuple[PullRequest, ...]:
    """`/unhold` on ``number``: remove the hold label from the request and all its bot PRs.

    Returns the open bot PRs, whose gate should decide again at once.
    """
    issues, pulls = request_pulls(repo, number, bot_login)
    for target in {number, *issues, *(p.number for p in pulls)}:
        repo.remove_label(target, config.labels.hold)
    return tuple(
        p for p in pulls if p.state == "open" and is_bot_pull(p, repo.full_name, bot_login)
    )
