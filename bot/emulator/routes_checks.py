"""Checks and statuses: check runs (create/update/get/list for ref), statuses, commits."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from bot.emulator import checks
from bot.emulator.access import RepoAccess, repo_access
from bot.emulator.serializers import repo_json
from bot.emulator.serializers_checks import check_run_json, status_json, suite_json
from bot.emulator.serializers_pulls import commit_json
from bot.emulator.state import CheckRun
from bot.emulator.web import (
    ApiError,
    JsonObject,
    Router,
    created,
    not_found,
    page_params,
    paginated,
)

router = Router()


def _require_app(access: RepoAccess) -> str:
    """Only GitHub Apps (Bot accounts) may write check runs, as on GitHub."""
    login = access.require("write")
    user = access.store.user(login)
    if user is None or user.type != "Bot":
        raise ApiError(403, "You must authenticate via a GitHub App.")
    return login


def _run(access: RepoAccess, run_id: int) -> CheckRun:
    run = access.repo.check_runs.get(run_id)
    if run is None:
        raise not_found()
    return run


@router.post("/repos/{owner}/{repo}/check-runs", status_code=201)
def create_check_run(request: Request, owner: str, repo: str, body: JsonObject) -> JSONResponse:
    """Report a check run on a commit."""
    access = repo_access(request, owner, repo)
    login = _require_app(access)
    if not isinstance(body, dict):
        raise ApiError(400, "Problems parsing JSON")
    run = checks.create_check_run(access.emulator, access.repo, login, body)
    with access.store.lock:
        data = check_run_json(access.store, access.repo, run, webhook=False)
    return created(data)


@router.patch("/repos/{owner}/{repo}/check-runs/{run_id}")
def update_check_run(
    request: Request, owner: str, repo: str, run_id: int, body: JsonObject
) -> dict[str, Any]:
    """Update a check run (its app only)."""
    access = repo_access(request, owner, repo)
    login = _require_app(access)
    run = _run(access, run_id)
    if run.app != login:
        raise ApiError(403, "Invalid app_id `0` - check run can only be modified by its creator.")
    checks.update_check_run(access.emulator, access.repo, run, login, body or {})
    with access.store.lock:
        return check_run_json(access.store, access.repo, run, webhook=False)


@router.get("/repos/{owner}/{repo}/check-runs/{run_id}")
def get_check_run(request: Request, owner: str, repo: str, run_id: int) -> dict[str, Any]:
    """One check run."""
    access = repo_access(request, owner, repo)
    with access.store.lock:
        return check_run_json(access.store, access.repo, _run(access, run_id), webhook=False)


@router.get("/repos/{owner}/{repo}/commits/{ref:path}/check-runs")
def list_check_runs(request: Request, owner: str, repo: str, ref: str) -> Response:
    """Latest check run per name on a commit (``filter=all`` for every run)."""
    access = repo_access(request, owner, repo)
    sha = checks.resolve_sha(access.repo, ref)
    query = request.query_params
    with access.store.lock:
        runs = [r for r in access.repo.check_runs.values() if r.head_sha == sha]
        if name := query.get("check_name"):
            runs = [r for r in runs if r.name == name]
        if status := query.get("status"):
            runs = [r for r in runs if r.status == status]
        if query.get("filter", "latest") == "latest":
            latest: dict[str, CheckRun] = {}
            for run in sorted(runs, key=lambda r: r.id):
                latest[run.name] = run
            runs = list(latest.values())
        runs.sort(key=lambda r: r.id, reverse=True)
        page, per_page = page_params(request)
        chunk = runs[(page - 1) * per_page : page * per_page]
        items = [check_run_json(access.store, access.repo, r, webhook=False) for r in chunk]
    return JSONResponse({"total_count": len(runs), "check_runs": items})


@router.get("/repos/{owner}/{repo}/commits/{ref:path}/check-suites")
def list_check_suites(request: Request, owner: str, repo: str, ref: str) -> dict[str, Any]:
    """Check suites (one per app) on a commit."""
    access = repo_access(request, owner, repo)
    sha = checks.resolve_sha(access.repo, ref)
    with access.store.lock:
        repository = repo_json(access.store, access.repo)
        suites = [
            suite_json(access.store, access.repo, suite_id, app, sha) | {"repository": repository}
            for (app, suite_sha), suite_id in access.repo.check_suites.items()
            if suite_sha == sha
        ]
    return {"total_count": len(suites), "check_suites": suites}


@router.post("/repos/{owner}/{repo}/statuses/{sha}", status_code=201)
def create_status(
    request: Request, owner: str, repo: str, sha: str, body: JsonObject
) -> JSONResponse:
    """Set a commit status for a context."""
    access = repo_access(request, owner, repo)
    login = access.require("write")
    status = checks.create_status(access.emulator, access.repo, login, sha, body or {})
    return created(status_json(access.store, access.repo, status))


@router.get("/repos/{owner}/{repo}/commits/{ref:path}/statuses")
def list_statuses(request: Request, owner: str, repo: str, ref: str) -> Response:
    """Every status on a commit, newest first."""
    access = repo_access(request, owner, repo)
    sha = checks.resolve_sha(access.repo, ref)
    with access.store.lock:
        found = [s for s in reversed(access.repo.statuses) if s.sha == sha]
        items = [status_json(access.store, access.repo, s) for s in found]
    return paginated(request, items)


@router.get("/repos/{owner}/{repo}/commits/{ref:path}/status")
def combined_status(request: Request, owner: str, repo: str, ref: str) -> dict[str, Any]:
    """The combined state: failure beats pending beats success; no statuses is pending."""
    access = repo_access(request, owner, repo)
    sha = checks.resolve_sha(access.repo, ref)
    with access.store.lock:
        latest: dict[str, Any] = {}
        for status in access.repo.statuses:
            if status.sha == sha:
                latest[status.context] = status
        states = {s.state for s in latest.values()}
        if states & {"error", "failure"}:
            state = "failure"
        elif "pending" in states or not states:
            state = "pending"
        else:
            state = "success"
        api = f"{access.store.base_url}/repos/{access.repo.full_name}"
        return {
            "state": state,
            "statuses": [status_json(access.store, access.repo, s) for s in latest.values()],
            "sha": sha,
            "total_count": len(latest),
            "repository": repo_json(access.store, access.repo),
            "commit_url": f"{api}/commits/{sha}",
            "url": f"{api}/commits/{sha}/status",
        }


@router.get("/repos/{owner}/{repo}/commits/{ref:path}")
def get_commit(request: Request, owner: str, repo: str, ref: str) -> dict[str, Any]:
    """One commit (by sha or branch)."""
    access = repo_access(request, owner, repo)
    sha = checks.resolve_sha(access.repo, ref)
    data = commit_json(access.store, access.repo, sha)
    return data | {"files": [], "stats": {"total": 0, "additions": 0, "deletions": 0}}
