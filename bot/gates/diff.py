"""The PR's changed files and its relation to base, read from real git (fetch, never checkout).

The GitHub layer has no "list PR files" call, and git answers the same question exactly:
``git diff merge-base..head`` is what GitHub shows, and "up to date" means the base head is
an ancestor of the PR head. A bare temporary repository keeps this cheap and side-effect free.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bot.errors import GitError, RetryableError
from bot.gates.heads import Commit
from bot.gates.migration_ops import is_revision_file
from bot.gates.risk import ChangedFile, FileStatus

MAX_REVISIONS = 2000

_STATUS: dict[str, FileStatus] = {
    "A": "added",
    "M": "modified",
    "D": "removed",
    "R": "renamed",
    "C": "copied",
    "T": "changed",
}


@dataclass(frozen=True)
class PullDiff:
    """What git says about base..head."""

    head_sha: str
    base_sha: str
    merge_base: str
    files: tuple[ChangedFile, ...]
    commits: tuple[Commit, ...] = ()  # merge-base..head, oldest first
    revisions: tuple[tuple[str, str], ...] = ()  # migration revision files at head: (path, text)

    @property
    def up_to_date(self) -> bool:
        """The PR already contains the base branch's head."""
        return self.merge_base == self.base_sha


def _git(repo: Path, *args: str, redact: str = "") -> str:
    proc = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=120, check=False
    )
    if proc.returncode != 0:
        detail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        if redact:
            detail = detail.replace(redact, "<clone-url>")
        raise GitError(f"git {args[0]} failed: {detail}")
    return proc.stdout


def parse_diff(name_status: str, numstat: str) -> tuple[ChangedFile, ...]:
    """Join ``--name-status -z`` and ``--numstat -z`` output into changed files (pure)."""
    counts: dict[str, tuple[int, int]] = {}
    parts = numstat.split("\0")
    i = 0
    while i < len(parts) and parts[i]:
        adds, dels, path = parts[i].split("\t", 2)
        if not path:  # a rename: the next two fields are old and new path
            path, i = parts[i + 2], i + 2
        counts[path] = (int(adds) if adds != "-" else 0, int(dels) if dels != "-" else 0)
        i += 1
    files: list[ChangedFile] = []
    fields = name_status.split("\0")
    i = 0
    while i < len(fields) and fields[i]:
        code = fields[i][0]
        if code in "RC":
            old, new, i = fields[i + 1], fields[i + 2], i + 3
        else:
            old, new, i = None, fields[i + 1], i + 2
        added, deleted = counts.get(new, (0, 0))
        files.append(ChangedFile(new, _STATUS.get(code, "changed"), added, deleted, old))
    return tuple(files)


def parse_log(log: str) -> tuple[Commit, ...]:
    """Commits from ``git log --format=%H%x1f%P%x1f%an <%ae>%x1e`` output (pure)."""
    commits = []
    for record in log.split("\x1e"):
        fields = record.strip("\n").split("\x1f")
        if len(fields) == 3 and fields[0]:
            commits.append(Commit(fields[0], tuple(fields[1].split()), fields[2]))
    return tuple(commits)


def read_pull_diff(clone_url: str, base_ref: str, head_ref: str, head_sha: str) -> PullDiff:
    """Fetch base and head into a throwaway bare repo and diff them like GitHub does."""
    with tempfile.TemporaryDirectory(prefix="issuebot-gate-") as tmp:
        repo = Path(tmp)
        _git(repo, "init", "-q", "--bare")
        _git(
            repo,
            "fetch",
            "-q",
            "--no-tags",
            clone_url,
            f"+refs/heads/{base_ref}:refs/gate/base",
            f"+refs/heads/{head_ref}:refs/gate/head",
            redact=clone_url,
        )
        fetched = _git(repo, "rev-parse", "refs/gate/head").strip()
        if fetched != head_sha:
            raise RetryableError(
                f"branch {head_ref} moved to {fetched[:7]} while the gate read {head_sha[:7]}"
            )
        base_sha = _git(repo, "rev-parse", "refs/gate/base").strip()
        merge_base = _git(repo, "merge-base", base_sha, head_sha).strip()
        name_status = _git(repo, "diff", "-z", "-M", "--name-status", merge_base, head_sha)
        numstat = _git(repo, "diff", "-z", "-M", "--numstat", merge_base, head_sha)
        log = _git(
            repo, "log", "--topo-order", "--reverse", "--format=%H%x1f%P%x1f%an <%ae>%x1e",
            f"{merge_base}..{head_sha}",
        )  # fmt: skip
        files = parse_diff(name_status, numstat)
        revisions = (
            _revisions(repo, head_sha) if any(is_revision_file(f.path) for f in files) else ()
        )
        return PullDiff(head_sha, base_sha, merge_base, files, parse_log(log), revisions)


def _revisions(repo: Path, sha: str) -> tuple[tuple[str, str], ...]:
    """Every migration revision file at `sha`, so the gate can count heads (read, never run)."""
    names = _git(repo, "ls-tree", "-r", "-z", "--name-only", sha).split("\0")
    paths = [n for n in names if is_revision_file(n)][:MAX_REVISIONS]
    return tuple((path, _git(repo, "show", f"{sha}:{path}")) for path in paths)
