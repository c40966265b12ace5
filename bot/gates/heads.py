"""Whose commits a bot PR carries: the SHA the bot's run pushed, and everything else on top.

The run store is the witness: the pipeline's `push` step records the commit it pushed (or
found already there) in its output. Author strings prove nothing (anyone can commit as
`issuebot[bot]`), so the gate compares SHAs and names every other commit with its author.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.github.models import PullRequest
from bot.store.records import Run, StepRecord

_ISSUE_OF_BRANCH = re.compile(r"^feat/issue-([0-9]+)-")
RUNS_LOOKED_AT = 20
BOT_CHECK_NAME = "issuebot / tests"  # the check run the pipeline puts on each commit it pushes
SHARED_APPS = frozenset({"github-actions"})  # any workflow of the repository reports as these


class RunReader(Protocol):
    """The two run-store reads the lookup needs (``RunStore`` has them)."""

    def list_runs(
        self,
        *,
        repo: str | None = None,
        issue: int | None = None,
        status: str | None = None,
        limit: int = 50,
    ) -> list[Run]:
        """Newest runs first."""
        ...

    def steps(self, run_id: str) -> list[StepRecord]:
        """A run's step records, oldest first."""
        ...


@dataclass(frozen=True)
class Commit:
    """One commit of a PR branch: who wrote it and what it sits on."""

    sha: str
    parents: tuple[str, ...]
    author: str

    def describe(self) -> str:
        """`abc1234 by Name <email>` for the decision comment."""
        return f"{self.sha[:7]} by {self.author}"


def pushed_shas(runs: RunReader, repo: str, branch: str) -> list[str]:
    """Every commit the bot's runs recorded pushing to ``branch``, the newest run first."""
    match = _ISSUE_OF_BRANCH.match(branch)
    if match is None:
        return []
    found: list[str] = []
    for run in runs.list_runs(repo=repo, issue=int(match.group(1)), limit=RUNS_LOOKED_AT):
        for step in reversed(runs.steps(run.id)):
            out = step.output or {}
            ok = step.name == "push" and step.outcome in {"ok", "skipped"}
            if ok and out.get("branch") == branch and isinstance(out.get("sha"), str):
                found.append(out["sha"])
                break
    return found


def last_pushed_sha(runs: RunReader | None, repo: str, branch: str) -> str | None:
    """The commit the newest run that pushed to ``branch`` left there, or None."""
    shas = pushed_shas(runs, repo, branch) if runs is not None else []
    return shas[0] if shas else None


def foreign_commits(commits: Sequence[Commit], pushed: str | None) -> tuple[Commit, ...]:
    """The commits of ``commits`` (base..head) that are not ``pushed`` or its ancestors."""
    by_sha = {c.sha: c for c in commits}
    ours: set[str] = set()
    todo = [pushed] if pushed in by_sha else []
    while todo:
        sha = todo.pop()
        if sha in ours or sha not in by_sha:
            continue
        ours.add(sha)
        todo.extend(by_sha[sha].parents)
    return tuple(c for c in commits if c.sha not in ours)


def is_bot_pull(pull: PullRequest, repo: str, bot_login: str) -> bool:
    """Opened by the bot from a branch of ``repo`` itself (a fork's same-named branch is not)."""
    head_repo = pull.head_repo or repo
    return pull.author == bot_login and head_repo.lower() == repo.lower()


def app_slug(bot_login: str) -> str | None:
    """The GitHub App a `<slug>[bot]` login acts for, unless every workflow shares that app."""
    if not bot_login.endswith("[bot]"):
        return None
    slug = bot_login.removesuffix("[bot]")
    return None if slug in SHARED_APPS else slug


def attested_by_app(
    check_runs: Sequence[tuple[str, str, str | None]], head_sha: str, bot_login: str
) -> bool:
    """Whether the bot's own App put its check on ``head_sha`` (name, sha, app of each run).

    Only the App itself can create a check run under its name, and the pipeline creates one
    only on a commit it pushed: with no run store to ask (one workflow run per event in
    Action mode), that check is GitHub's own record of which head the bot pushed.
    """
    slug = app_slug(bot_login)
    return slug is not None and any(
        name == BOT_CHECK_NAME and sha == head_sha and app == slug for name, sha, app in check_runs
    )
