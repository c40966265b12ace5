"""``/_emulator/...``: drive the emulator from another process (demo, CLI, other tests).

Not part of GitHub's API and not authenticated: the emulator is a local development tool
bound to 127.0.0.1 by default. Every endpoint mirrors one ``EmulatorHandle`` method.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from bot.emulator import checks, workflows
from bot.emulator.core import Emulator, emulator_of
from bot.emulator.faults import FAULT_KINDS
from bot.emulator.serializers_checks import check_run_json
from bot.emulator.web import ApiError, JsonObject, Router
from bot.emulator.webhooks import Delivery

router = Router(prefix="/_emulator")


def _repo_name(owner: str, repo: str) -> str:
    return f"{owner}/{repo}"


def delivery_json(delivery: Delivery) -> dict[str, Any]:
    """A delivery record as the admin API lists it."""
    return {
        "id": delivery.id,
        "event": delivery.event,
        "action": delivery.action,
        "payload": delivery.payload,
        "url": delivery.url,
        "status_code": delivery.status_code,
        "response": delivery.response,
        "error": delivery.error,
        "redelivery": delivery.redelivery,
        "delivered_at": delivery.delivered_at,
        "done": delivery.done.is_set(),
    }


def _emu(request: Request) -> Emulator:
    return emulator_of(request)


@router.get("/health")
def health(request: Request) -> dict[str, Any]:
    """Liveness, and the URL the emulator believes it serves at."""
    return {"ok": True, "base_url": _emu(request).store.base_url}


@router.post("/users", status_code=201)
def add_user(request: Request, body: JsonObject) -> dict[str, Any]:
    """Create a user with a token: ``{"login", "token", "type"?}``."""
    user = _emu(request).add_user(str(body["login"]), body.get("token"), body.get("type", "User"))
    return {"login": user.login, "id": user.id, "type": user.type}


@router.post("/repos", status_code=201)
def create_repo(request: Request, body: JsonObject) -> dict[str, Any]:
    """Create a repo: ``{"full_name", "files"?: {path: text}, "default_branch"?, "private"?}``."""
    files = {k: str(v).encode() for k, v in (body.get("files") or {}).items()}
    try:
        repo = _emu(request).create_repo(
            str(body["full_name"]),
            files,
            str(body.get("default_branch") or "main"),
            private=bool(body.get("private", False)),
        )
    except ValueError as exc:
        raise ApiError(422, str(exc)) from exc
    return {"full_name": repo.full_name, "id": repo.id}


@router.put("/repos/{owner}/{repo}/permissions/{login}")
def set_permission(request: Request, owner: str, repo: str, login: str, body: JsonObject) -> Any:
    """Grant a permission: ``{"permission": "admin"|...|"none"}``."""
    _emu(request).set_permission(_repo_name(owner, repo), login, str(body["permission"]))
    return {"permission": body["permission"]}


@router.put("/repos/{owner}/{repo}/required-checks/{branch:path}")
def set_required_checks(
    request: Request, owner: str, repo: str, branch: str, body: JsonObject
) -> Any:
    """Protect a branch with required check contexts: ``{"contexts": [...]}``."""
    found = _emu(request).repo_or_raise(_repo_name(owner, repo))
    found.protection[branch] = [str(c) for c in body.get("contexts") or []]
    return {"branch": branch, "contexts": found.protection[branch]}


@router.put("/repos/{owner}/{repo}/merge-methods")
def set_merge_methods(request: Request, owner: str, repo: str, body: JsonObject) -> Any:
    """Turn merge buttons on/off: ``{"rebase": false}``; answers all three settings."""
    try:
        return _emu(request).set_merge_methods(_repo_name(owner, repo), dict(body))
    except ValueError as exc:
        raise ApiError(422, str(exc)) from exc


@router.put("/repos/{owner}/{repo}/teams/{slug}")
def add_team(request: Request, owner: str, repo: str, slug: str, body: JsonObject) -> Any:
    """Give the owner's team ``slug`` access: ``{"permission"?: "push"}``."""
    permission = str(body.get("permission") or "push")
    team = _emu(request).add_team(_repo_name(owner, repo), slug, permission)
    return {"slug": team.slug, "id": team.id, "permission": team.permission}


@router.put("/orgs/{org}/teams/{slug}/memberships/{login}")
def add_team_member(request: Request, org: str, slug: str, login: str, body: JsonObject) -> Any:
    """Make ``login`` an active member of ``org/slug``: ``{"role"?: "member"|"maintainer"}``."""
    role = str(body.get("role") or "member")
    try:
        _emu(request).add_team_member(org, slug, login, role)
    except ValueError as exc:
        raise ApiError(422, str(exc)) from exc
    return {"org": org, "slug": slug, "login": login, "role": role, "state": "active"}


@router.post("/repos/{owner}/{repo}/checks", status_code=201)
def post_check(request: Request, owner: str, repo: str, body: JsonObject) -> Any:
    """Complete a check run as CI: ``{"sha", "name", "conclusion", "login"?: "ci-bot"}``."""
    emulator = _emu(request)
    found = emulator.repo_or_raise(_repo_name(owner, repo))
    run = checks.create_check_run(
        emulator,
        found,
        str(body.get("login") or "ci-bot"),
        {
            "name": body["name"],
            "head_sha": body["sha"],
            "status": "completed",
            "conclusion": body["conclusion"],
        },
    )
    return check_run_json(emulator.store, found, run, webhook=False)


@router.post("/repos/{owner}/{repo}/workflow-runs", status_code=201)
def workflow_run(request: Request, owner: str, repo: str, body: JsonObject) -> Any:
    """Announce a finished Actions run: ``{"sha", "name"?, "conclusion"?, "login"?}``."""
    emulator = _emu(request)
    found = emulator.repo_or_raise(_repo_name(owner, repo))
    try:
        return workflows.complete_workflow_run(
            emulator,
            found,
            sha=str(body["sha"]),
            name=str(body.get("name") or "CI"),
            conclusion=str(body.get("conclusion") or "success"),
            login=str(body.get("login") or "ci-bot"),
        )
    except ValueError as exc:
        raise ApiError(422, str(exc)) from exc


@router.put("/webhook")
def set_webhook(request: Request, body: JsonObject) -> Any:
    """Where deliveries go: ``{"url", "secret"}`` (null url stops delivering)."""
    _emu(request).hooks.configure(body.get("url"), body.get("secret"))
    return {"url": body.get("url")}


@router.get("/deliveries")
def deliveries(request: Request) -> list[dict[str, Any]]:
    """Every delivery so far, oldest first."""
    return [delivery_json(d) for d in _emu(request).hooks.deliveries()]


@router.post("/deliveries/{delivery_id}/redeliver", status_code=202)
def redeliver(request: Request, delivery_id: str) -> Any:
    """Send a past delivery again (same GUID, like GitHub's Redeliver button)."""
    try:
        again = _emu(request).hooks.redeliver(delivery_id)
    except KeyError as exc:
        raise ApiError(404, "Not Found") from exc
    return delivery_json(again)


@router.post("/faults", status_code=201)
def add_fault(request: Request, body: JsonObject) -> Any:
    """Plan faults: ``{"method", "path_regex", "kind", "count"?: 1, "delay"?: 0}``."""
    if body.get("kind") not in FAULT_KINDS:
        raise ApiError(422, f"kind must be one of {', '.join(FAULT_KINDS)}")
    fault = _emu(request).faults.add(
        str(body.get("method", "*")),
        str(body["path_regex"]),
        str(body["kind"]),
        int(body.get("count", 1)),
        float(body.get("delay", 0.0)),
    )
    return asdict(fault)


@router.delete("/faults", status_code=204)
def clear_faults(request: Request) -> Response:
    """Drop every pending fault."""
    _emu(request).faults.clear()
    return Response(status_code=204)


@router.get("/requests")
def requests_log(request: Request) -> list[dict[str, Any]]:
    """Every request answered so far (method, path, status, arrival), oldest first."""
    return [asdict(record) for record in _emu(request).requests.records()]


@router.get("/apps")
def apps(request: Request) -> list[dict[str, Any]]:
    """Apps with their installation ids and (generated) private keys, for local App auth."""
    emulator = _emu(request)
    return [
        {
            "id": app.id,
            "slug": app.slug,
            "bot_login": app.bot_login,
            "installation_id": app.installation_id,
            "repos": app.repos,
            "private_key": emulator.app_private_key(app.id),
        }
        for app in emulator.store.apps.values()
    ]
