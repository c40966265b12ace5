"""What happens when branches move (git push, merge, ref API): push and synchronize events."""

from __future__ import annotations

from typing import Any

from bot.emulator import gitrepo
from bot.emulator.core import Emulator
from bot.emulator.events import issue_event
from bot.emulator.state import Repo, now_iso

ZERO = gitrepo.EMPTY_SHA


def _commit_payload(emulator: Emulator, repo: Repo, sha: str) -> dict[str, Any]:
    info = gitrepo.commit_info(repo.git_dir, sha)
    parent = info.parents[0] if info.parents else None
    changes = gitrepo.changed_files(repo.git_dir, parent or _empty_tree(repo), sha)
    return {
        "id": sha,
        "tree_id": info.tree,
        "distinct": True,
        "message": info.message,
        "timestamp": info.committer_date,
        "url": f"{emulator.store.base_url}/{repo.full_name}/commit/{sha}",
        "author": {"name": info.author_name, "email": info.author_email},
        "committer": {"name": info.committer_name, "email": info.committer_email},
        "added": [p for s, p in changes if s == "A"],
        "removed": [p for s, p in changes if s == "D"],
        "modified": [p for s, p in changes if s not in {"A", "D"}],
    }


def _empty_tree(repo: Repo) -> str:
    return gitrepo.git(repo.git_dir, "hash-object", "-t", "tree", "-w", "--stdin", input_=b"")


def ref_changes(before: dict[str, str], after: dict[str, str]) -> list[tuple[str, str, str]]:
    """(branch, old sha, new sha) for every branch created, moved or deleted."""
    names = sorted(set(before) | set(after))
    return [
        (n, before.get(n, ZERO), after.get(n, ZERO)) for n in names if before.get(n) != after.get(n)
    ]


def announce_push(
    emulator: Emulator, repo: Repo, branch: str, old: str, new: str, *, pusher: str
) -> None:
    """Send ``push`` for one ref update, then ``synchronize`` for open PRs on that branch."""
    store = emulator.store
    git_dir = repo.git_dir
    deleted, created = new == ZERO, old == ZERO
    if deleted:
        shas: list[str] = []
    elif created:
        base = gitrepo.resolve(git_dir, f"refs/heads/{repo.default_branch}")
        shas = gitrepo.commits_between(git_dir, base, new) if base and base != new else [new]
    else:
        shas = gitrepo.commits_between(git_dir, old, new)
    forced = not created and not deleted and gitrepo.merge_base(git_dir, old, new) != old
    commits = [_commit_payload(emulator, repo, s) for s in shas[-20:]]
    head = None if deleted else _commit_payload(emulator, repo, new)
    user = store.user(pusher)
    with store.lock:
        repo.pushed_at = now_iso()
    emulator.emit(
        "push",
        repo,
        pusher,
        ref=f"refs/heads/{branch}",
        before=old,
        after=new,
        created=created,
        deleted=deleted,
        forced=forced,
        base_ref=None,
        compare=f"{store.base_url}/{repo.full_name}/compare/{old[:12]}...{new[:12]}",
        commits=commits,
        head_commit=head,
        pusher={"name": pusher, "email": (user.email if user and user.email else None)},
    )
    if created or deleted:
        kind = "create" if created else "delete"
        extra = {"master_branch": repo.default_branch, "description": repo.description}
        emulator.emit(
            kind,
            repo,
            pusher,
            ref=branch,
            ref_type="branch",
            pusher_type="user",
            **(extra if created else {}),
        )
    if deleted:
        _close_orphaned_pulls(emulator, repo, branch, pusher)
        return
    with store.lock:
        pulls = [
            i
            for i in repo.issues.values()
            if i.pull is not None
            and i.state == "open"
            and i.pull.head_ref == branch
            and i.pull.head_repo is None
        ]
        for issue in pulls:
            assert issue.pull is not None
            before_sha = issue.pull.head_sha
            issue.pull.head_sha = new
            issue.updated_at = now_iso()
            issue_event(emulator, repo, issue, "synchronize", pusher, before=before_sha, after=new)
    if emulator.actions is not None:
        emulator.actions.on_push(repo, branch, new)
        for issue in pulls:
            emulator.actions.on_pull_request(repo, issue, "synchronize")


def _close_orphaned_pulls(emulator: Emulator, repo: Repo, branch: str, sender: str) -> None:
    """GitHub closes open PRs whose head branch was deleted."""
    with emulator.store.lock:
        for issue in repo.issues.values():
            pull = issue.pull
            same = pull is not None and pull.head_repo is None and pull.head_ref == branch
            if pull is not None and issue.state == "open" and same:
                stamp = now_iso()
                issue.state, issue.closed_at, issue.updated_at = "closed", stamp, stamp
                issue_event(emulator, repo, issue, "closed", sender)
