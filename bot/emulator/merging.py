"""Pull-request git logic: mergeability, required checks, merge/squash commits, `Closes #N`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bot.emulator import gitrepo
from bot.emulator.state import Issue, PullInfo, Repo, Store

CLOSING = re.compile(
    r"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\b\s*:?\s+([\w.-]+/[\w.-]+)?#(\d+)\b",
    re.IGNORECASE,
)
GOOD_CONCLUSIONS = {"success", "neutral", "skipped"}


@dataclass(frozen=True)
class PullStats:
    """Numbers and merge status GitHub computes for an open pull request."""

    commits: int
    additions: int
    deletions: int
    changed_files: int
    mergeable: bool | None
    mergeable_state: str


def closing_issue_numbers(text: str | None, full_name: str = "") -> list[int]:
    """Issues a PR body closes: close/fix/resolve (any tense) + ``#N`` or ``owner/repo#N``."""
    if not text:
        return []
    seen: list[int] = []
    for match in CLOSING.finditer(text):
        other = match.group(1)
        if other and other.lower() != full_name.lower():
            continue  # another repository's issue: not ours to close
        number = int(match.group(2))
        if number not in seen:
            seen.append(number)
    return seen


def check_state(store: Store, repo: Repo, sha: str, context: str) -> str:
    """``success``, ``failure`` or ``pending`` for one required context on ``sha``."""
    runs = [r for r in repo.check_runs.values() if r.head_sha == sha and r.name == context]
    statuses = [s for s in repo.statuses if s.sha == sha and s.context == context]
    if runs:
        latest = max(runs, key=lambda r: r.id)
        if latest.status != "completed":
            return "pending"
        return "success" if latest.conclusion in GOOD_CONCLUSIONS else "failure"
    if statuses:
        state = max(statuses, key=lambda s: s.id).state
        return {"success": "success", "pending": "pending"}.get(state, "failure")
    return "pending"


def unmet_required_checks(store: Store, repo: Repo, branch: str, sha: str) -> list[tuple[str, str]]:
    """(context, state) of each required check of ``branch`` not yet green on ``sha``."""
    contexts = repo.protection.get(branch, [])
    states = [(c, check_state(store, repo, sha, c)) for c in contexts]
    return [(c, s) for c, s in states if s != "success"]


def any_failing(store: Store, repo: Repo, sha: str) -> bool:
    """Whether any check or status on ``sha`` failed (GitHub's ``unstable``)."""
    names = {r.name for r in repo.check_runs.values() if r.head_sha == sha}
    names |= {s.context for s in repo.statuses if s.sha == sha}
    return any(check_state(store, repo, sha, n) == "failure" for n in names)


def refresh_head(repo: Repo, issue: Issue) -> None:
    """Follow the head branch of an open PR (git may have moved it behind our back)."""
    pull = issue.pull
    if pull is None or issue.state != "open" or pull.head_repo is not None:
        return  # a fork's head is fixed at pull/N/head: our branch of that name is not it
    tip = gitrepo.resolve(repo.git_dir, f"refs/heads/{pull.head_ref}")
    if tip is not None:
        pull.head_sha = tip


def pull_stats(store: Store, repo: Repo, issue: Issue, *, compute: bool = False) -> PullStats:
    """Diff numbers and merge status of a PR, from the real branches.

    GitHub computes mergeability in a background job that a read of the PR starts: after a
    push to head or base, ``mergeable`` is null (``unknown``) until a ``compute`` read has
    started that job, and that read itself still answers null; the next one has the value.
    """
    refresh_head(repo, issue)
    pull = issue.pull
    assert pull is not None
    git_dir = repo.git_dir
    base_tip = gitrepo.resolve(git_dir, f"refs/heads/{pull.base_ref}") or pull.base_sha
    head = pull.head_sha
    base = gitrepo.merge_base(git_dir, base_tip, head) or base_tip
    numstat = gitrepo.git(git_dir, "diff", "--numstat", base, head, check=False)
    additions = deletions = files = 0
    for line in numstat.splitlines():
        added, deleted, _ = line.split("\t", 2)
        additions += int(added) if added.isdigit() else 0
        deletions += int(deleted) if deleted.isdigit() else 0
        files += 1
    commits = len(gitrepo.commits_between(git_dir, base_tip, head))
    if issue.state != "open" or pull.merged:
        return PullStats(commits, additions, deletions, files, None, "unknown")
    if pull.mergeability_for != (base_tip, head):
        if compute:
            pull.mergeability_for = (base_tip, head)
        return PullStats(commits, additions, deletions, files, None, "unknown")
    clean = gitrepo.merge_tree(git_dir, base_tip, head) is not None
    if not clean:
        state = "dirty"
    elif pull.draft:
        state = "draft"
    elif unmet_required_checks(store, repo, pull.base_ref, head):
        state = "blocked"
    elif any_failing(store, repo, head):
        state = "unstable"
    else:
        state = "clean"
    return PullStats(commits, additions, deletions, files, clean, state)


def merge_pull(
    repo: Repo, issue: Issue, method: str, *, title: str, message: str, author: tuple[str, str]
) -> str:
    """Create the merge or squash commit, or replay the commits (rebase); return the new tip."""
    pull: PullInfo | None = issue.pull
    assert pull is not None
    git_dir = repo.git_dir
    base_tip = gitrepo.resolve(git_dir, f"refs/heads/{pull.base_ref}")
    if base_tip is None:
        raise gitrepo.GitFailure(f"base branch {pull.base_ref} is gone")
    tree = gitrepo.merge_tree(git_dir, base_tip, pull.head_sha)
    if tree is None:
        raise gitrepo.GitFailure("Merge conflict")
    if method == "rebase":
        sha = rebase_commits(git_dir, base_tip, pull.head_sha)
    else:
        parents = [base_tip] if method == "squash" else [base_tip, pull.head_sha]
        full = f"{title}\n\n{message}".strip() + "\n"
        sha = gitrepo.create_commit(git_dir, tree, parents, full, author)
    gitrepo.update_ref(git_dir, pull.base_ref, sha, base_tip)
    return sha


def rebase_commits(git_dir: Path, base_tip: str, head: str) -> str:
    """Replay the PR's own commits on ``base_tip`` as GitHub's "Rebase and merge" does.

    Every commit gets a new sha (GitHub is the committer, the author and date are kept) and
    no merge commit is made; merge commits inside the PR are dropped, their changes already
    being in the commits they merged or in the base.
    """
    tip = base_tip
    start = gitrepo.merge_base(git_dir, base_tip, head) or base_tip
    for commit in gitrepo.commits_between(git_dir, start, head):
        info = gitrepo.commit_info(git_dir, commit)
        if len(info.parents) > 1:
            continue
        tree = gitrepo.replay_commit(git_dir, tip, commit)
        if tree is None:
            raise gitrepo.GitFailure("Merge conflict")
        message = info.message + "\n"
        author = (info.author_name, info.author_email)
        tip = gitrepo.create_commit(
            git_dir, tree, [tip], message, author, author_date=info.author_date
        )
    return tip
