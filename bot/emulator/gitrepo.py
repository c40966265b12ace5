"""Plumbing on the bare repositories: the real git behind PRs, merges and branch endpoints.

Only git plumbing is used (no working tree): ``merge-tree --write-tree``, ``commit-tree``
and ``update-ref`` do exactly what GitHub's merge button does to a bare repository.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

EMPTY_SHA = "0" * 40


class GitFailure(Exception):
    """A git command failed; the message is git's own stderr first line."""


@dataclass(frozen=True)
class CommitInfo:
    """What the REST API shows about a commit."""

    sha: str
    tree: str
    parents: list[str]
    author_name: str
    author_email: str
    author_date: str
    committer_name: str
    committer_email: str
    committer_date: str
    message: str


def _env(name: str = "GitHub", email: str = "noreply@github.com") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_AUTHOR_NAME=name,
        GIT_AUTHOR_EMAIL=email,
        GIT_COMMITTER_NAME="GitHub",
        GIT_COMMITTER_EMAIL="noreply@github.com",
        GIT_CONFIG_NOSYSTEM="1",
        HOME=tempfile.gettempdir(),
    )
    return env


def git(
    git_dir: Path,
    *args: str,
    input_: bytes | None = None,
    check: bool = True,
    env: dict[str, str] | None = None,
) -> str:
    """Run ``git --git-dir=... args`` and return stdout (stripped)."""
    proc = subprocess.run(
        ["git", f"--git-dir={git_dir}", *args],
        input=input_,
        capture_output=True,
        env=env or _env(),
        check=False,
    )
    if check and proc.returncode != 0:
        err = proc.stderr.decode(errors="replace").strip().splitlines()
        raise GitFailure(err[0] if err else f"git {args[0]} exited {proc.returncode}")
    return proc.stdout.decode(errors="replace").strip()


def init_bare(git_dir: Path, default_branch: str) -> None:
    """Create an empty bare repository whose HEAD names ``default_branch``."""
    git_dir.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["git", "init", "--bare", "-q", f"--initial-branch={default_branch}", str(git_dir)],
        check=True,
        env=_env(),
        capture_output=True,
    )
    with (git_dir / "config").open("a") as config:  # one write instead of two `git config`
        config.write("[http]\n\treceivepack = true\n[uploadpack]\n\tallowAnySHA1InWant = true\n")


def commit_files(
    git_dir: Path, branch: str, files: dict[str, bytes], message: str, parent: str | None = None
) -> str:
    """Write ``files`` as one commit on ``branch`` (a full tree, not a diff); return its sha.

    One ``git fast-import`` process writes every blob, the tree and the commit.
    """
    when = f"{int(datetime.now(UTC).timestamp())} +0000"
    stream = bytearray()
    encoded = message.encode()
    stream += f"commit refs/heads/{branch}\nmark :1\n".encode()
    stream += f"author GitHub <noreply@github.com> {when}\n".encode()
    stream += f"committer GitHub <noreply@github.com> {when}\n".encode()
    stream += f"data {len(encoded)}\n".encode() + encoded + b"\n"
    if parent:
        stream += f"from {parent}\n".encode()
    stream += b"deleteall\n"
    for path, content in sorted(files.items()):
        stream += f"M 100644 inline {quote_path(path)}\ndata {len(content)}\n".encode()
        stream += content + b"\n"
    stream += b"\n"
    git(git_dir, "fast-import", "--quiet", "--force", input_=bytes(stream))
    return git(git_dir, "rev-parse", f"refs/heads/{branch}")


def quote_path(path: str) -> str:
    """A path as fast-import reads it (C-style quoted when it has special characters)."""
    if any(c in path for c in '"\\\n') or path.startswith('"'):
        escaped = path.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'
    return path


def read_dir(source: Path) -> dict[str, bytes]:
    """Every file under ``source`` (skipping .git) keyed by its POSIX relative path."""
    files: dict[str, bytes] = {}
    for path in sorted(source.rglob("*")):
        rel = path.relative_to(source)
        if path.is_file() and ".git" not in rel.parts:
            files[rel.as_posix()] = path.read_bytes()
    return files


def branches(git_dir: Path) -> dict[str, str]:
    """Branch name -> tip sha."""
    out = git(git_dir, "for-each-ref", "--format=%(objectname) %(refname)", "refs/heads/")
    result: dict[str, str] = {}
    for line in out.splitlines():
        sha, ref = line.split(" ", 1)
        result[ref.removeprefix("refs/heads/")] = sha
    return result


def usable_rev(rev: str) -> bool:
    """Whether a client-supplied revision is safe to hand to git (never read as an option)."""
    return bool(rev) and not rev.startswith("-") and all(c.isprintable() for c in rev)


def resolve(git_dir: Path, rev: str) -> str | None:
    """The commit sha ``rev`` names (branch, sha or ref), or None."""
    if not usable_rev(rev):
        return None
    out = git(git_dir, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False)
    return out or None


def commit_info(git_dir: Path, sha: str) -> CommitInfo:
    """Author, committer, parents and message of one commit."""
    fmt = "%H%x00%T%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B"
    out = git(git_dir, "show", "-s", f"--format={fmt}", sha)
    parts = out.split("\x00", 9)
    return CommitInfo(
        sha=parts[0],
        tree=parts[1],
        parents=parts[2].split() if parts[2] else [],
        author_name=parts[3],
        author_email=parts[4],
        author_date=_utc(parts[5]),
        committer_name=parts[6],
        committer_email=parts[7],
        committer_date=_utc(parts[8]),
        message=parts[9].strip(),
    )


def _utc(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def commits_between(git_dir: Path, base: str, head: str) -> list[str]:
    """Shas reachable from ``head`` but not ``base``, oldest first."""
    out = git(git_dir, "rev-list", "--reverse", f"{base}..{head}")
    return out.splitlines()


def merge_base(git_dir: Path, a: str, b: str) -> str | None:
    """The best common ancestor of two commits."""
    return git(git_dir, "merge-base", a, b, check=False) or None


def merge_tree(git_dir: Path, base: str, head: str) -> str | None:
    """The tree of merging ``head`` into ``base``, or None when they conflict."""
    proc = subprocess.run(
        ["git", f"--git-dir={git_dir}", "merge-tree", "--write-tree", base, head],
        capture_output=True,
        env=_env(),
        check=False,
    )
    if proc.returncode != 0:
        return None
    return proc.stdout.decode().splitlines()[0].strip()


def replay_commit(git_dir: Path, onto: str, commit: str) -> str | None:
    """The tree of applying ``commit``'s own change (against its first parent) on ``onto``.

    What a rebase does per commit; None when the change does not apply. A throwaway index
    keeps the bare repository free of a working tree (git 2.39 has no ``merge-tree
    --merge-base``, so the change is applied three-way with ``apply --cached``).
    """
    parent = resolve(git_dir, f"{commit}^")
    if parent is None:
        return None
    patch = subprocess.run(
        ["git", f"--git-dir={git_dir}", "diff", "--binary", "--full-index", parent, commit],
        capture_output=True,
        env=_env(),
        check=True,
    ).stdout
    with tempfile.TemporaryDirectory() as scratch:
        env = _env() | {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
        git(git_dir, "read-tree", onto, env=env)
        if patch:
            applied = subprocess.run(
                ["git", f"--git-dir={git_dir}", "apply", "--cached", "--3way", "-"],
                input=patch,
                capture_output=True,
                env=env,
                check=False,
            )
            if applied.returncode != 0:
                return None
        return git(git_dir, "write-tree", env=env)


def changed_files(git_dir: Path, base: str, head: str) -> list[tuple[str, str]]:
    """(status letter, path) of each file changed between two commits."""
    out = git(git_dir, "diff", "--name-status", "--no-renames", base, head)
    rows = []
    for line in out.splitlines():
        status, path = line.split("\t", 1)
        rows.append((status[0], path))
    return rows


def create_commit(
    git_dir: Path,
    tree: str,
    parents: list[str],
    message: str,
    author: tuple[str, str],
    *,
    author_date: str | None = None,
) -> str:
    """A new commit object (not yet on any branch); a rebase keeps the original author date."""
    args = [arg for p in parents for arg in ("-p", p)]
    env = _env(*author) | ({"GIT_AUTHOR_DATE": author_date} if author_date else {})
    return git(git_dir, "commit-tree", tree, *args, "-m", message, env=env)


def valid_branch_name(name: str) -> bool:
    """Whether git accepts ``name`` as a branch (``git check-ref-format --branch``)."""
    if not usable_rev(name):
        return False
    done = subprocess.run(
        ["git", "check-ref-format", f"refs/heads/{name}"], capture_output=True, check=False
    )
    return done.returncode == 0


def update_ref(git_dir: Path, branch: str, new: str, old: str | None = None) -> None:
    """Move (or create) ``branch`` to ``new``, failing if it no longer points at ``old``."""
    args = ["update-ref", f"refs/heads/{branch}", new]
    if old is not None:
        args.append(old)
    git(git_dir, *args)


def delete_ref(git_dir: Path, branch: str) -> None:
    """Delete ``branch``."""
    git(git_dir, "update-ref", "-d", f"refs/heads/{branch}")


def read_blob(git_dir: Path, rev: str, path: str) -> bytes | None:
    """Content of ``path`` at ``rev``, or None if it is not a file there."""
    if not usable_rev(rev):
        return None
    proc = subprocess.run(
        ["git", f"--git-dir={git_dir}", "cat-file", "blob", f"{rev}:{path}"],
        capture_output=True,
        env=_env(),
        check=False,
    )
    return proc.stdout if proc.returncode == 0 else None


def numstat(git_dir: Path, base: str, head: str) -> dict[str, tuple[int, int]]:
    """Path -> (added lines, deleted lines) between two commits (binary files count 0)."""
    out = git(git_dir, "diff", "--numstat", "--no-renames", base, head)
    stats: dict[str, tuple[int, int]] = {}
    for line in out.splitlines():
        added, deleted, path = line.split("\t", 2)
        stats[path] = (
            int(added) if added.isdigit() else 0,
            int(deleted) if deleted.isdigit() else 0,
        )
    return stats


def file_patch(git_dir: Path, base: str, head: str, path: str) -> str:
    """The unified diff hunks of one file (without the ``diff --git`` header lines)."""
    out = git(git_dir, "diff", "--no-renames", base, head, "--", path)
    lines = out.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("@@")), len(lines))
    return "\n".join(lines[start:])


def tree_entries(git_dir: Path, rev: str, path: str) -> list[tuple[str, str, str]] | None:
    """(type, sha, name) of each entry of directory ``path`` at ``rev``; None if not a tree."""
    if not usable_rev(rev):
        return None
    spec = f"{rev}:{path}" if path else f"{rev}^{{tree}}"
    kind = git(git_dir, "cat-file", "-t", spec, check=False)
    if kind != "tree":
        return None
    rows = []
    for line in git(git_dir, "ls-tree", spec).splitlines():
        meta, name = line.split("\t", 1)
        _mode, type_, sha = meta.split()
        rows.append((type_, sha, name))
    return rows


def tree_listing(
    git_dir: Path, rev: str, *, recursive: bool
) -> tuple[str, list[tuple[str, str, str, int | None, str]]] | None:
    """The tree of ``rev`` (a tree or commit sha, or a branch) and its (mode, type, sha, size,
    path) entries, every level when ``recursive``; None if ``rev`` names no tree."""
    if not usable_rev(rev):
        return None
    tree = git(git_dir, "rev-parse", "--verify", "--quiet", f"{rev}^{{tree}}", check=False)
    if not tree:
        return None
    args = ["ls-tree", "-l", *(["-r", "-t"] if recursive else []), tree]
    rows: list[tuple[str, str, str, int | None, str]] = []
    for line in git(git_dir, *args).splitlines():
        meta, path = line.split("\t", 1)
        mode, type_, sha, size = meta.split()
        rows.append((mode, type_, sha, int(size) if size.isdigit() else None, path))
    return tree, rows


def blob_sha(git_dir: Path, rev: str, path: str) -> str | None:
    """The blob sha of ``path`` at ``rev``."""
    if not usable_rev(rev):
        return None
    return git(git_dir, "rev-parse", "--verify", "--quiet", f"{rev}:{path}", check=False) or None
