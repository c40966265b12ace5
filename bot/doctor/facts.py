"""Gather what the gates judge: ask GitHub, the store, the queue and this host (all the I/O).

Every question is asked once and every failure becomes a fact (an ``*_error`` string), never an
exception: one broken part must not hide the state of the others. Requests are only ones the
credential's kind may make (an App's JWT for ``/app``, the installation token for the repo).
"""

from __future__ import annotations

import os
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from github import Auth, GithubIntegration
from github.GithubException import GithubException
from requests import RequestException

from bot.config import RepoConfig, read_repo_config
from bot.doctor import sandbox
from bot.doctor.labels import wanted_labels
from bot.doctor.model import CredentialKind, Delivery, Facts
from bot.errors import IssuebotError
from bot.github import ClientOptions, MemoryAuditSink, connect, connect_repo
from bot.github.auth import private_key
from bot.github.requirements import ACCESS_RANK
from bot.queue import make_queue
from bot.scaffold.write import scaffold_files
from bot.settings import Settings
from bot.store.engine import VERSION_TABLE, alembic_config, make_engine

_FAILURES = (GithubException, RequestException, IssuebotError, OSError)
_MERGE_FLAGS = {"merge": "allow_merge_commit", "squash": "allow_squash_merge"}
_MERGE_FLAGS["rebase"] = "allow_rebase_merge"


def _why(exc: BaseException) -> str:
    """One line naming a failure (GitHub's message when it gave one)."""
    if isinstance(exc, GithubException):
        data = exc.data if isinstance(exc.data, dict) else {}
        return f"HTTP {exc.status}: {data.get('message', exc)}"
    if isinstance(exc, IssuebotError):
        return exc.message
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def credential_kind(settings: Settings) -> CredentialKind:
    """App when App id and key are set; a token inside Actions is the workflow's token."""
    if settings.github_app_id is not None and settings.github_app_private_key is not None:
        return "app"
    if settings.github_token is None:
        return "none"
    token = settings.github_token.get_secret_value()
    if os.environ.get("GITHUB_ACTIONS") == "true" and token.startswith("ghs_"):
        return "actions"
    return "pat"


def scaffold_checks() -> tuple[str, ...]:
    """The checks `issuebot init` asks for: its own `.github/issuebot.yml` is their one source."""
    text = scaffold_files()[".github/issuebot.yml"]
    return read_repo_config(lambda _path: text).risk.required_checks


def _app_facts(settings: Settings, repo: str | None, options: ClientOptions) -> dict[str, Any]:
    """`GET /app`, the repo's installation, the webhook config and its deliveries (App JWT)."""
    assert settings.github_app_id is not None
    try:
        app_auth = Auth.AppAuth(settings.github_app_id, private_key(settings))
    except IssuebotError as exc:
        return {"credential_error": exc.message}
    integration = GithubIntegration(
        auth=app_auth, base_url=settings.github_api_url.rstrip("/"), timeout=options.timeout
    )
    facts: dict[str, Any] = {}
    try:
        app = integration.get_app()
        facts |= {
            "identity": f"{app.slug}[bot]",
            "app_permissions": dict(app.permissions or {}),
            "app_events": list(app.events or []),
        }
        if repo is not None:
            owner, _, name = repo.partition("/")
            try:
                found = integration.get_repo_installation(owner, name).id
                configured = settings.github_app_installation_id
                if configured is not None and configured != found:
                    facts["installation_error"] = (
                        f"GITHUB_APP_INSTALLATION_ID is {configured}, the installation is {found}"
                    )
            except _FAILURES as exc:
                facts["installation_error"] = _why(exc)
        facts |= _hook_facts(integration)
    except _FAILURES as exc:
        facts["credential_error"] = _why(exc)
    finally:
        integration.close()
    return facts


def _hook_facts(integration: GithubIntegration) -> dict[str, Any]:
    requester = integration.requester
    try:
        _, config = requester.requestJsonAndCheck("GET", "/app/hook/config")
        _, listed = requester.requestJsonAndCheck(
            "GET", "/app/hook/deliveries", parameters={"per_page": 100}
        )
    except _FAILURES as exc:
        return {"hook_error": _why(exc)}
    found = [
        Delivery(str(d.get("event")), int(d.get("status_code") or 0), str(d.get("delivered_at")))
        for d in listed or []
    ]
    return {
        "hook_url": config.get("url") or None,
        "hook_secret_set": bool(config.get("secret")),
        "deliveries": found,
    }


def _token_facts(
    settings: Settings, kind: CredentialKind, options: ClientOptions
) -> dict[str, Any]:
    """Who the token is: `GET /user` for a PAT; an Actions token cannot read `/user`, so it is
    checked with `GET /rate_limit`, which any valid token may call."""
    gh = connect(settings, options)
    try:
        if kind == "actions":
            gh.get_rate_limit()
            return {"identity": "github-actions[bot]"}
        return {"identity": gh.get_user().login}
    except _FAILURES as exc:
        return {"credential_error": _why(exc)}
    finally:
        gh.close()


def _repo_facts(
    settings: Settings, repo: str, facts: dict[str, Any], *, fix: bool, options: ClientOptions
) -> dict[str, Any]:
    """Config, labels (created with ``fix``), protection and merge rights of one repository."""
    out: dict[str, Any] = {}
    try:
        gh = connect_repo(settings, repo, MemoryAuditSink(), options)
        data = gh.github.get_repo(repo)
        branch = data.default_branch
    except _FAILURES as exc:
        return {"repo_error": _why(exc)}
    config = RepoConfig()
    try:
        config = read_repo_config(gh.read_file)
    except IssuebotError as exc:
        out["config_error"] = exc.message
    wanted = wanted_labels(config.labels)
    try:
        present = [label.name for label in data.get_labels()]
        if fix:
            created = wanted.create_missing(gh, present)
            out["labels_created"] = tuple(created)
            present += created
        out |= {"labels_wanted": wanted.names, "labels_present": tuple(present)}
        out["checks_required"] = gh.required_checks(branch)
    except _FAILURES as exc:
        out["repo_error"] = _why(exc)
    granted = facts.get("app_permissions")
    if isinstance(granted, dict):
        can_push = all(
            ACCESS_RANK.get(granted.get(p, "none"), 0) >= ACCESS_RANK["write"]
            for p in ("contents", "pull_requests")
        )
    else:
        can_push = bool(data.permissions and data.permissions.push)
    allowed = tuple(m for m, flag in _MERGE_FLAGS.items() if data.raw_data.get(flag))
    return out | {
        "default_branch": branch,
        "checks_wanted": config.risk.required_checks or scaffold_checks(),
        "uses_teams": bool(config.approval.teams),
        "can_push": can_push,
        "merge_method": config.risk.merge_method,
        "merge_methods_allowed": allowed,
    }


def _store_facts(database_url: str) -> dict[str, Any]:
    """The store's Alembic revision against the code's head (read only: nothing is migrated)."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    try:
        engine = make_engine(database_url)
        try:
            with engine.connect() as conn:
                context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
                revision = context.get_current_revision()
        finally:
            engine.dispose()
    except Exception as exc:  # any driver's failure is a fact about the store
        return {"store_error": _why(exc), "store_head": head}
    return {"store_revision": revision, "store_head": head}


def _queue_facts(settings: Settings) -> dict[str, Any]:
    if not settings.queue_url:
        return {}
    try:
        make_queue(settings).ping()
    except Exception as exc:  # any client's failure is a fact about the queue
        return {"queue_url_set": True, "queue_error": _why(exc)}
    return {"queue_url_set": True}


def gather(
    settings: Settings,
    repo: str | None = None,
    *,
    fix: bool = False,
    sandbox_here: bool = True,
    options: ClientOptions | None = None,
) -> Facts:
    """Every fact the gates judge, for ``repo`` when given; ``fix`` creates missing labels;
    ``sandbox_here`` False skips the sandbox probe (this process runs no tests)."""
    options = options or ClientOptions.fast()
    kind = credential_kind(settings)
    facts: dict[str, Any] = {
        "credential_kind": kind,
        "repo": repo,
        "local_secret_set": settings.webhook_secret is not None,
    }
    if kind == "app":
        facts |= _app_facts(settings, repo, options)
    elif kind != "none":
        facts |= _token_facts(settings, kind, options)
    if repo is not None and kind != "none" and "credential_error" not in facts:
        facts |= _repo_facts(settings, repo, facts, fix=fix, options=options)
    facts["sandbox_checked"] = sandbox_here
    if sandbox_here:
        facts["sandbox_error"] = sandbox.probe_sandbox()
    facts |= _store_facts(settings.database_url)
    facts |= _queue_facts(settings)
    return Facts(**facts)
