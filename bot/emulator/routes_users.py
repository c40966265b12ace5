"""Accounts and GitHub App auth: ``/user``, ``/users/{u}``, ``/app``, installations, tokens."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from bot.emulator import auth
from bot.emulator.core import Emulator, emulator_of
from bot.emulator.serializers import full_user_json as profile
from bot.emulator.serializers import repo_json, user_json
from bot.emulator.serializers_checks import APP_EVENTS, APP_PERMISSIONS, app_json
from bot.emulator.state import App
from bot.emulator.web import ApiError, Router, identity, not_found, require_login

router = Router()
USER_DOCS = "https://docs.github.com/rest/users/users#get-the-authenticated-user"


@router.get("/user")
def get_user(request: Request) -> dict[str, Any]:
    """The authenticated user; an installation token is not a user, so GitHub answers 403."""
    if identity(request).installation:
        raise ApiError(
            403,
            "Resource not accessible by integration",
            documentation_url=USER_DOCS,
        )
    login = require_login(request)
    return profile(emulator_of(request).store, login)


@router.get("/users/{login}")
def get_user_by_login(request: Request, login: str) -> dict[str, Any]:
    """A user's public profile."""
    store = emulator_of(request).store
    if store.user(login) is None:
        raise not_found()
    return profile(store, login)


@router.get("/rate_limit")
def rate_limit(request: Request) -> dict[str, Any]:
    """The caller's rate-limit status (not counted, as on GitHub)."""
    limits = request.app.state.rate_limits
    host = request.client.host if request.client else "127.0.0.1"
    key = identity(request).token_key or f"ip:{host}"
    core = limits.peek(key, 5000 if identity(request).token_key else 60)
    search = {"limit": 30, "remaining": 30, "reset": core["reset"], "used": 0}
    graphql = {"limit": 5000, "remaining": 5000, "reset": core["reset"], "used": 0}
    return {"resources": {"core": core, "search": search, "graphql": graphql}, "rate": core}


def _app_of(request: Request) -> tuple[Emulator, App]:
    emulator = emulator_of(request)
    who = identity(request)
    if who.app_id is None:
        raise ApiError(
            401,
            "A JSON web token could not be decoded",
            documentation_url="https://docs.github.com/rest",
        )
    return emulator, emulator.store.apps[who.app_id]


def rest_app_json(emulator: Emulator, app: App) -> dict[str, Any]:
    """``GET /app``: the webhook shape plus client id and installation count."""
    extra = {"client_id": f"Iv1.{app.id:016x}", "installations_count": 1}
    return app_json(emulator.store, app) | extra


def _account_json(emulator: Emulator, login: str) -> dict[str, Any]:
    """The installation's account; GitHub's description wants user and enterprise fields."""
    store = emulator.store
    user = store.user(login) or store.ensure_user(login)
    return user_json(store, login) | {
        "name": user.name or user.login,
        "slug": user.login.lower(),
        "description": None,
        "website_url": None,
        "created_at": user.created_at,
        "updated_at": user.created_at,
    }


def installation_json(emulator: Emulator, app: App) -> dict[str, Any]:
    """An ``installation`` object for the app's installation on its owner account."""
    store = emulator.store
    owner = store.user(app.owner) or store.ensure_user(app.owner)
    return {
        "id": app.installation_id,
        "account": _account_json(emulator, app.owner),
        "repository_selection": "selected",
        "access_tokens_url": (
            f"{store.base_url}/app/installations/{app.installation_id}/access_tokens"
        ),
        "repositories_url": f"{store.base_url}/installation/repositories",
        "html_url": f"{store.base_url}/settings/installations/{app.installation_id}",
        "app_id": app.id,
        "app_slug": app.slug,
        "target_id": owner.id,
        "target_type": owner.type if owner.type == "Organization" else "User",
        "permissions": dict(APP_PERMISSIONS),
        "events": list(APP_EVENTS),
        "created_at": app.created_at,
        "updated_at": app.created_at,
        "single_file_name": None,
        "has_multiple_single_files": False,
        "single_file_paths": [],
        "suspended_by": None,
        "suspended_at": None,
    }


@router.get("/app")
def get_app(request: Request) -> dict[str, Any]:
    """The app authenticated by its JWT."""
    emulator, app = _app_of(request)
    return rest_app_json(emulator, app)


@router.get("/app/installations")
def list_installations(request: Request) -> list[dict[str, Any]]:
    """The app's installations (one per app here)."""
    emulator, app = _app_of(request)
    return [installation_json(emulator, app)]


@router.get("/app/installations/{installation_id}")
def get_installation(request: Request, installation_id: int) -> dict[str, Any]:
    """One installation of the app."""
    emulator, app = _app_of(request)
    if installation_id != app.installation_id:
        raise not_found()
    return installation_json(emulator, app)


@router.get("/repos/{owner}/{repo}/installation")
def get_repo_installation(request: Request, owner: str, repo: str) -> dict[str, Any]:
    """The calling app's installation on a repository."""
    emulator, app = _app_of(request)
    found = emulator.store.repo(owner, repo)
    if found is None or all(r.lower() != found.full_name.lower() for r in app.repos):
        raise not_found()
    return installation_json(emulator, app)


@router.post("/app/installations/{installation_id}/access_tokens", status_code=201)
def create_access_token(request: Request, installation_id: int) -> JSONResponse:
    """A one-hour installation token acting as the app's bot user."""
    emulator, app = _app_of(request)
    if installation_id != app.installation_id:
        raise not_found()
    minted = auth.mint_installation_token(emulator.store, app)
    body = {
        "token": minted.token,
        "expires_at": minted.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "permissions": dict(APP_PERMISSIONS),
        "repository_selection": "selected",
    }
    return JSONResponse(body, status_code=201)


@router.get("/installation/repositories")
def installation_repositories(request: Request) -> dict[str, Any]:
    """Repositories the calling installation token can reach."""
    emulator = emulator_of(request)
    login = require_login(request)
    store = emulator.store
    apps = [a for a in store.apps.values() if a.bot_login == login]
    repos = [store.repos[r] for a in apps for r in a.repos if r in store.repos]
    items = [repo_json(store, r, login) for r in repos]
    return {"total_count": len(items), "repositories": items}
