"""Repositories: metadata, collaborator permission, file contents."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

from fastapi import Request

from bot.emulator import gitrepo
from bot.emulator.access import RepoAccess, repo_access
from bot.emulator.serializers import full_repo_json, repo_api, user_json
from bot.emulator.web import ApiError, Router, not_found

router = Router()

ROLE_NAMES = {
    "admin": "admin",
    "maintain": "maintain",
    "write": "write",
    "triage": "triage",
    "read": "read",
    "none": "none",
}
# The legacy ``permission`` field folds maintain into write and triage into read.
LEGACY = {"admin": "admin", "maintain": "write", "write": "write", "triage": "read", "read": "read"}


@router.get("/repos/{owner}/{repo}")
def get_repo(request: Request, owner: str, repo: str) -> dict[str, Any]:
    """A repository."""
    access = repo_access(request, owner, repo)
    with access.store.lock:
        return full_repo_json(access.store, access.repo, access.login)


@router.get("/repos/{owner}/{repo}/collaborators/{username}/permission")
def collaborator_permission(request: Request, owner: str, repo: str, username: str) -> Any:
    """A user's permission on the repository (``none`` for non-collaborators)."""
    access = repo_access(request, owner, repo)
    access.require("read")
    store = access.store
    user = store.user(username)
    if user is None:
        raise ApiError(404, f"{username} is not a user")
    role = store.permission(access.repo, user.login)
    body = user_json(store, user.login) | {
        "permissions": {
            "admin": store.can(access.repo, user.login, "admin"),
            "maintain": store.can(access.repo, user.login, "maintain"),
            "push": store.can(access.repo, user.login, "write"),
            "triage": store.can(access.repo, user.login, "triage"),
            "pull": store.can(access.repo, user.login, "read"),
        },
        "role_name": ROLE_NAMES[role],
    }
    return {
        "permission": LEGACY.get(role, "none"),
        "role_name": ROLE_NAMES[role],
        "user": body,
    }


@router.get("/repos/{owner}/{repo}/collaborators/{username}", status_code=204)
def is_collaborator(request: Request, owner: str, repo: str, username: str) -> None:
    """204 if ``username`` is a collaborator, 404 otherwise."""
    access = repo_access(request, owner, repo)
    access.require("read")
    if access.store.permission(access.repo, username) == "none":
        raise not_found()


def _entry_json(access: RepoAccess, ref: str, path: str, sha: str, type_: str) -> dict[str, Any]:
    """One entry of a directory listing (``content-directory`` item)."""
    api = f"{repo_api(access.store, access.repo)}/contents/{quote(path)}?ref={quote(ref)}"
    html = f"{access.store.base_url}/{access.repo.full_name}/{type_}/{quote(ref)}/{quote(path)}"
    git_url = f"{repo_api(access.store, access.repo)}/git/{type_}s/{sha}"
    is_file = type_ == "blob"
    size = len(gitrepo.read_blob(access.repo.git_dir, ref, path) or b"") if is_file else 0
    return {
        "type": "file" if is_file else "dir",
        "size": size,
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "sha": sha,
        "url": api,
        "git_url": git_url,
        "html_url": html,
        "download_url": (
            f"{access.store.base_url}/{access.repo.full_name}/raw/{ref}/{path}" if is_file else None
        ),
        "_links": {"self": api, "git": git_url, "html": html},
    }


@router.get("/repos/{owner}/{repo}/contents")
@router.get("/repos/{owner}/{repo}/contents/{path:path}")
def get_contents(request: Request, owner: str, repo: str, path: str = "") -> Any:
    """A file (base64) or a directory listing at ``ref`` (default branch when absent)."""
    access = repo_access(request, owner, repo)
    ref = request.query_params.get("ref") or access.repo.default_branch
    git_dir = access.repo.git_dir
    path = path.strip("/")
    entries = gitrepo.tree_entries(git_dir, ref, path)
    if entries is not None:
        prefix = f"{path}/" if path else ""
        return [
            _entry_json(access, ref, f"{prefix}{name}", sha, type_)
            for type_, sha, name in entries
            if type_ in {"blob", "tree"}
        ]
    content = gitrepo.read_blob(git_dir, ref, path)
    sha = gitrepo.blob_sha(git_dir, ref, path)
    if content is None or sha is None:
        raise not_found()
    api = f"{repo_api(access.store, access.repo)}/contents/{quote(path)}?ref={quote(ref)}"
    html = f"{access.store.base_url}/{access.repo.full_name}/blob/{quote(ref)}/{quote(path)}"
    git_url = f"{repo_api(access.store, access.repo)}/git/blobs/{sha}"
    encoded = base64.encodebytes(content).decode()
    return {
        "type": "file",
        "encoding": "base64",
        "size": len(content),
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "content": encoded,
        "sha": sha,
        "url": api,
        "git_url": git_url,
        "html_url": html,
        "download_url": f"{access.store.base_url}/{access.repo.full_name}/raw/{ref}/{path}",
        "_links": {"self": api, "git": git_url, "html": html},
    }
