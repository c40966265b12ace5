"""What changed: PR files and commits, and ``compare`` between two refs (all from real git)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response

from bot.emulator import gitrepo
from bot.emulator.access import RepoAccess, repo_access
from bot.emulator.merging import refresh_head
from bot.emulator.serializers import repo_api
from bot.emulator.serializers_pulls import commit_json
from bot.emulator.web import Router, not_found, paginated

router = Router()
STATUS = {"A": "added", "D": "removed", "M": "modified", "T": "changed"}


def diff_entries(access: RepoAccess, base: str, head: str) -> list[dict[str, Any]]:
    """GitHub's ``diff-entry`` objects for every file changed from ``base`` to ``head``."""
    git_dir = access.repo.git_dir
    stats = gitrepo.numstat(git_dir, base, head)
    api = repo_api(access.store, access.repo)
    html = f"{access.store.base_url}/{access.repo.full_name}"
    entries = []
    for letter, path in gitrepo.changed_files(git_dir, base, head):
        side = base if letter == "D" else head
        added, deleted = stats.get(path, (0, 0))
        entries.append(
            {
                "sha": gitrepo.blob_sha(git_dir, side, path) or "0" * 40,
                "filename": path,
                "status": STATUS.get(letter, "modified"),
                "additions": added,
                "deletions": deleted,
                "changes": added + deleted,
                "blob_url": f"{html}/blob/{side}/{quote(path)}",
                "raw_url": f"{html}/raw/{side}/{quote(path)}",
                "contents_url": f"{api}/contents/{quote(path)}?ref={side}",
                "patch": gitrepo.file_patch(git_dir, base, head, path),
            }
        )
    return entries


def _pull_range(access: RepoAccess, number: int) -> tuple[str, str]:
    issue = access.repo.issues.get(number)
    if issue is None or issue.pull is None:
        raise not_found()
    refresh_head(access.repo, issue)
    pull = issue.pull
    git_dir = access.repo.git_dir
    base_tip = gitrepo.resolve(git_dir, f"refs/heads/{pull.base_ref}") or pull.base_sha
    merged_base = pull.base_sha if pull.merged else base_tip
    return gitrepo.merge_base(git_dir, merged_base, pull.head_sha) or merged_base, pull.head_sha


@router.get("/repos/{owner}/{repo}/pulls/{number}/files")
def pull_files(request: Request, owner: str, repo: str, number: int) -> Response:
    """Files a PR changes, as the diff from the merge base to its head."""
    access = repo_access(request, owner, repo)
    with access.store.lock:
        base, head = _pull_range(access, number)
        items = diff_entries(access, base, head)
    return paginated(request, items)


@router.get("/repos/{owner}/{repo}/pulls/{number}/commits")
def pull_commits(request: Request, owner: str, repo: str, number: int) -> Response:
    """Commits a PR adds, oldest first."""
    access = repo_access(request, owner, repo)
    with access.store.lock:
        base, head = _pull_range(access, number)
        shas = gitrepo.commits_between(access.repo.git_dir, base, head)
        items = [commit_json(access.store, access.repo, sha) for sha in shas]
    return paginated(request, items)


@router.get("/repos/{owner}/{repo}/compare/{basehead:path}")
def compare(request: Request, owner: str, repo: str, basehead: str) -> dict[str, Any]:
    """``base...head``: ahead/behind counts, commits and files."""
    access = repo_access(request, owner, repo)
    base_name, sep, head_name = basehead.partition("...")
    git_dir = access.repo.git_dir
    base = gitrepo.resolve(git_dir, base_name) if sep else None
    head = gitrepo.resolve(git_dir, head_name) if sep else None
    if base is None or head is None:
        raise not_found()
    with access.store.lock:
        merge_base = gitrepo.merge_base(git_dir, base, head) or base
        ahead = gitrepo.commits_between(git_dir, base, head)
        behind = gitrepo.commits_between(git_dir, head, base)
        status = (
            "identical"
            if base == head
            else "ahead"
            if not behind
            else "behind"
            if not ahead
            else "diverged"
        )
        api = repo_api(access.store, access.repo)
        html = f"{access.store.base_url}/{access.repo.full_name}/compare/{basehead}"
        return {
            "url": f"{api}/compare/{basehead}",
            "html_url": html,
            "permalink_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "base_commit": commit_json(access.store, access.repo, base),
            "merge_base_commit": commit_json(access.store, access.repo, merge_base),
            "status": status,
            "ahead_by": len(ahead),
            "behind_by": len(behind),
            "total_commits": len(ahead),
            "commits": [commit_json(access.store, access.repo, sha) for sha in ahead],
            "files": diff_entries(access, merge_base, head),
        }
