"""The FastAPI application: every router behind the GitHub-like layers of middleware.py."""

from __future__ import annotations

from fastapi import FastAPI

from bot.emulator import (
    git_http,
    pages,
    routes_admin,
    routes_apps,
    routes_checks,
    routes_comments,
    routes_diffs,
    routes_git,
    routes_issues,
    routes_labels,
    routes_pulls,
    routes_repos,
    routes_reviews,
    routes_teams,
    routes_users,
)
from bot.emulator.core import Emulator
from bot.emulator.middleware import RateLimits, api_layer, fault_layer, install_error_handlers

# Order matters: literal segments (issues/comments) must win over parameters ({number}).
ROUTERS = (
    routes_admin.router,
    routes_apps.admin,
    routes_apps.router,
    routes_users.router,
    routes_repos.router,
    routes_comments.router,
    routes_labels.router,
    routes_issues.router,
    routes_pulls.router,
    routes_reviews.router,
    routes_teams.router,
    routes_diffs.router,
    routes_git.router,
    routes_checks.router,
    git_http.router,
    pages.router,  # last: its /{owner}/{repo} pattern must not shadow the API
)


def create_app(emulator: Emulator) -> FastAPI:
    """The ASGI app serving ``emulator`` (REST at the root, git at /{owner}/{repo}.git)."""
    app = FastAPI(title="issuebot GitHub emulator", docs_url=None, redoc_url=None)
    app.state.emulator = emulator
    limits = RateLimits()
    app.state.rate_limits = limits
    for router in ROUTERS:
        app.include_router(router)
    install_error_handlers(app)
    # The last middleware added runs first: faults act before auth, like a failing proxy.
    app.middleware("http")(api_layer(emulator, limits))
    app.middleware("http")(fault_layer(emulator))
    return app
