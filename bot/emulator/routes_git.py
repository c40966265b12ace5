"""Branches, git refs and branch protection (required status checks)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from bot.emulator import gitrepo
from bot.emulator.access import RepoAccess, repo_access
from bot.emulator.pushes import announce_push
from bot.emulator.serializers import repo_api
from bot.emulator.serializers_pulls import branch_json, protection_json
from bot.emulator.web import ApiError, JsonObject, Router, created, not_found, paginated

router = Router()
ZERO = gitrepo.EMPTY_SHA


def _tip(access: RepoAccess, branch: str) -> str:
    sha = gitrepo.resolve(access.repo.git_dir, f"refs/heads/{branch}")
    if sha is None:
        raise ApiError(404, "Branch not found")
    return sha


def ref_json(access: RepoAccess, ref: str, sha: str) -> dict[str, Any]:
    """A git reference object."""
    api = repo_api(access.store, access.repo)
    return {
        "ref": ref,
        "node_id": f"REF_{quote(ref, safe='')}",
        "url": f"{api}/git/{quote(ref)}",
        "object": {"type": "commit", "sha": sha, "url": f"{api}/git/commits/{sha}"},
    }


@router.get("/repos/{owner}/{repo}/branches")
def list_branches(request: Request, owner: str, repo: str) -> Response:
    """Every branch with its tip."""
    access = repo_access(request, owner, repo)
    api = repo_api(access.store, access.repo)
    items = [
        {
            "name": name,
            "commit": {"sha": sha, "url": f"{api}/commits/{sha}"},
            "protected": name in access.repo.protection,
        }
        for name, sha in sorted(gitrepo.branches(access.repo.git_dir).items())
    ]
    return paginated(request, items)


@router.get("/repos/{owner}/{repo}/branches/{branch:path}/protection/required_status_checks")
def get_required_checks(request: Request, owner: str, repo: str, branch: str) -> dict[str, Any]:
    """The required status checks of a protected branch."""
    access = repo_access(request, owner, repo)
    access.require("admin")
    if branch not in access.repo.protection:
        raise ApiError(404, "Branch not protected")
    checks: dict[str, Any] = protection_json(access.store, access.repo, branch)[
        "required_status_checks"
    ]
    checks.pop("enforcement_level", None)
    return checks


@router.patch("/repos/{owner}/{repo}/branches/{branch:path}/protection/required_status_checks")
def update_required_checks(
    request: Request, owner: str, repo: str, branch: str, body: JsonObject
) -> dict[str, Any]:
    """Replace the required contexts of a protected branch."""
    access = repo_access(request, owner, repo)
    access.require("admin")
    if branch not in access.repo.protection:
        raise ApiError(404, "Branch not protected")
    access.repo.protection[branch] = _contexts(body)
    return get_required_checks(request, owner, repo, branch)


def _contexts(body: Any) -> list[str]:
    if not isinstance(body, dict):
        return []
    if isinstance(body.get("checks"), list):
        return [str(c.get("context")) for c in body["checks"] if isinstance(c, dict)]
    return [str(c) for c in body.get("contexts") or []]


@router.get("/repos/{owner}/{repo}/branches/{branch:path}/protection")
def get_protection(request: Request, owner: str, repo: str, branch: str) -> dict[str, Any]:
    """Branch protection (only required status checks are modelled)."""
    access = repo_access(request, owner, repo)
    access.require("admin")
    if branch not in access.repo.protection:
        raise ApiError(404, "Branch not protected")
    data = protection_json(access.store, access.repo, branch)
    data["required_status_checks"].pop("enforcement_level", None)
    data.pop("enabled", None)
    return data


@router.put("/repos/{owner}/{repo}/branches/{branch:path}/protection")
def put_protection(
    request: Request, owner: str, repo: str, branch: str, body: JsonObject
) -> dict[str, Any]:
    """Protect a branch; ``required_status_checks`` null means no required checks."""
    access = repo_access(request, owner, repo)
    access.require("admin")
    _tip(access, branch)
    checks = body.get("required_status_checks") if isinstance(body, dict) else None
    access.repo.protection[branch] = _contexts(checks)
    return get_protection(request, owner, repo, branch)


@router.delete("/repos/{owner}/{repo}/branches/{branch:path}/protection", status_code=204)
def delete_protection(request: Request, owner: str, repo: str, branch: str) -> Response:
    """Remove protection."""
    access = repo_access(request, owner, repo)
    access.require("admin")
    if access.repo.protection.pop(branch, None) is None:
        raise ApiError(404, "Branch not protected")
    return Response(status_code=204)


# After the /protection routes: this pattern would swallow ``main/protection`` otherwise.
@router.get("/repos/{owner}/{repo}/branches/{branch:path}")
def get_branch(request: Request, owner: str, repo: str, branch: str) -> dict[str, Any]:
    """A branch (its name may contain slashes) with its tip commit and protection."""
    access = repo_access(request, owner, repo)
    sha = _tip(access, branch)
    with access.store.lock:
        return branch_json(access.store, access.repo, branch, sha)


def _refs(access: RepoAccess, prefix: str) -> list[dict[str, Any]]:
    """Every branch ref whose full name (``refs/heads/x``) starts with ``refs/<prefix>``."""
    wanted = f"refs/{prefix}"
    found = [
        ref_json(access, f"refs/heads/{name}", sha)
        for name, sha in sorted(gitrepo.branches(access.repo.git_dir).items())
    ]
    return [r for r in found if str(r["ref"]).startswith(wanted)]


@router.get("/repos/{owner}/{repo}/git/refs")
def list_refs(request: Request, owner: str, repo: str) -> Response:
    """Every reference (the older, undocumented listing PyGithub's ``get_git_refs`` uses)."""
    access = repo_access(request, owner, repo)
    with access.store.lock:
        return paginated(request, _refs(access, ""))


@router.get("/repos/{owner}/{repo}/git/matching-refs/{ref:path}")
def matching_refs(request: Request, owner: str, repo: str, ref: str) -> Response:
    """References starting with ``ref`` (``heads/feat`` matches ``heads/feat/x``); [] if none."""
    access = repo_access(request, owner, repo)
    with access.store.lock:
        return paginated(request, _refs(access, ref))


@router.get("/repos/{owner}/{repo}/git/trees/{tree_sha:path}")
def get_tree(request: Request, owner: str, repo: str, tree_sha: str) -> dict[str, Any]:
    """A tree by sha (or branch name), every level with ``?recursive=<anything>``."""
    access = repo_access(request, owner, repo)
    recursive = bool(request.query_params.get("recursive"))
    with access.store.lock:
        found = gitrepo.tree_listing(access.repo.git_dir, tree_sha, recursive=recursive)
    if found is None:
        raise not_found()
    tree, rows = found
    api = f"{repo_api(access.store, access.repo)}/git"
    entries: list[dict[str, Any]] = []
    for mode, type_, sha, size, path in rows:
        entry: dict[str, Any] = {"path": path, "mode": mode, "type": type_, "sha": sha}
        if size is not None:
            entry["size"] = size
        entry["url"] = f"{api}/{'blobs' if type_ == 'blob' else 'trees'}/{sha}"
        entries.append(entry)
    return {"sha": tree, "url": f"{api}/trees/{tree}", "tree": entries, "truncated": False}


@router.get("/repos/{owner}/{repo}/git/ref/{ref:path}")
@router.get("/repos/{owner}/{repo}/git/refs/{ref:path}")
def get_ref(request: Request, owner: str, repo: str, ref: str) -> dict[str, Any]:
    """One reference, e.g. ``heads/main``."""
    access = repo_access(request, owner, repo)
    if not ref.startswith("heads/"):
        raise not_found()
    sha = gitrepo.resolve(access.repo.git_dir, f"refs/{ref}")
    if sha is None:
        raise not_found()
    return ref_json(access, f"refs/{ref}", sha)


@router.post("/repos/{owner}/{repo}/git/refs", status_code=201)
def create_ref(request: Request, owner: str, repo: str, body: JsonObject) -> JSONResponse:
    """Create a branch at a commit (422 ``Reference already exists``)."""
    access = repo_access(request, owner, repo)
    login = access.require("write")
    ref, sha = (body.get("ref"), body.get("sha")) if isinstance(body, dict) else (None, None)
    if not isinstance(ref, str) or not ref.startswith("refs/heads/") or ref.count("/") < 2:
        raise ApiError(422, "Reference name must start with 'refs/' and have at least two slashes.")
    if not isinstance(sha, str) or gitrepo.resolve(access.repo.git_dir, sha) is None:
        raise ApiError(422, "Object does not exist")
    branch = ref.removeprefix("refs/heads/")
    if not gitrepo.valid_branch_name(branch):
        raise ApiError(422, "Reference name is not valid")
    with access.store.lock:
        if gitrepo.resolve(access.repo.git_dir, ref) is not None:
            raise ApiError(422, "Reference already exists")
        gitrepo.update_ref(access.repo.git_dir, branch, sha, ZERO)
        announce_push(access.emulator, access.repo, branch, ZERO, sha, pusher=login)
    return created(ref_json(access, ref, sha))


@router.patch("/repos/{owner}/{repo}/git/refs/{ref:path}")
def update_ref(
    request: Request, owner: str, repo: str, ref: str, body: JsonObject
) -> dict[str, Any]:
    """Move a branch (fast-forward only unless ``force``)."""
    access = repo_access(request, owner, repo)
    login = access.require("write")
    branch = ref.removeprefix("heads/")
    sha = body.get("sha") if isinstance(body, dict) else None
    if not isinstance(sha, str) or gitrepo.resolve(access.repo.git_dir, sha) is None:
        raise ApiError(422, "Object does not exist")
    with access.store.lock:
        old = _tip(access, branch)
        if not body.get("force") and gitrepo.merge_base(access.repo.git_dir, old, sha) != old:
            raise ApiError(422, "Update is not a fast forward")
        gitrepo.update_ref(access.repo.git_dir, branch, sha, old)
        announce_push(access.emulator, access.repo, branch, old, sha, pusher=login)
    return ref_json(access, f"refs/heads/{branch}", sha)


@router.delete("/repos/{owner}/{repo}/git/refs/{ref:path}", status_code=204)
def delete_ref(request: Request, owner: str, repo: str, ref: str) -> Response:
    """Delete a branch (422 ``Reference does not exist`` when missing)."""
    access = repo_access(request, owner, repo)
    login = access.require("write")
    branch = ref.removeprefix("heads/")
    with access.store.lock:
        old = gitrepo.resolve(access.repo.git_dir, f"refs/heads/{branch}")
        if old is None or not ref.startswith("heads/"):
            raise ApiError(422, "Reference does not exist")
        if branch == access.repo.default_branch:
            raise ApiError(422, "Cannot delete the default branch")
        gitrepo.delete_ref(access.repo.git_dir, branch)
        announce_push(access.emulator, access.repo, branch, old, ZERO, pusher=login)
    return Response(status_code=204)
