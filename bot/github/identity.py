"""Who the bot is on GitHub: the login whose events it ignores and whose PRs it may merge.

Each credential kind has its own answer, and none calls an endpoint it cannot use: an App is
`<slug>[bot]`, read from `GET /app` with the App's JWT (an installation token gets 403
"Resource not accessible by integration" from `GET /user`); a personal token is whoever
`GET /user` says; the Actions `GITHUB_TOKEN` is `github-actions[bot]`. `ISSUEBOT_BOT_LOGIN`
overrides all of them. The answer is cached per credential for the life of the process.
"""

from __future__ import annotations

import hashlib
import threading

import requests
from github import Auth, Github, GithubIntegration
from github.GithubException import GithubException

from bot.errors import ConfigError
from bot.github.auth import ClientOptions, client_kwargs, private_key, uses_app
from bot.github.failures import translate
from bot.settings import Settings

ACTIONS_LOGIN = "github-actions[bot]"
# GitHub's prefix for server-to-server (installation) tokens, not a secret.
INSTALLATION_TOKEN_PREFIX = "ghs_"  # noqa: S105

_cache: dict[tuple[str, str], str] = {}
_lock = threading.Lock()


def bot_login(settings: Settings, options: ClientOptions | None = None) -> str:
    """The bot's login for these credentials (configured, cached, or asked of GitHub once)."""
    if "bot_login" in settings.model_fields_set:
        return settings.bot_login
    key = _credential_key(settings)
    with _lock:
        known = _cache.get(key)
    if known is None:
        known = _ask_github(settings, options or ClientOptions())
        with _lock:
            _cache[key] = known
    return known


def with_identity(settings: Settings, options: ClientOptions | None = None) -> Settings:
    """``settings`` with the resolved login (and its noreply address, unless configured)."""
    if "bot_login" in settings.model_fields_set:
        return settings
    login = bot_login(settings, options)
    update: dict[str, object] = {"bot_login": login}
    if "bot_email" not in settings.model_fields_set:
        update["bot_email"] = f"{login}@users.noreply.github.com"
    return settings.model_copy(update=update)


def _credential_key(settings: Settings) -> tuple[str, str]:
    """Which credential this is, without keeping the secret itself as a dict key."""
    if uses_app(settings):
        return settings.github_api_url, f"app:{settings.github_app_id}"
    settings.require_github_auth()
    assert settings.github_token is not None
    digest = hashlib.sha256(settings.github_token.get_secret_value().encode()).hexdigest()
    return settings.github_api_url, f"token:{digest}"


def _ask_github(settings: Settings, options: ClientOptions) -> str:
    kw = client_kwargs(settings, options)
    if uses_app(settings):
        assert settings.github_app_id is not None
        app = Auth.AppAuth(settings.github_app_id, private_key(settings))
        integration = GithubIntegration(auth=app, **kw)  # type: ignore[arg-type]
        try:
            return f"{integration.get_app().slug}[bot]"
        except (GithubException, requests.RequestException) as exc:
            raise translate(exc, "GET /app (the App's own slug)") from exc
        finally:
            integration.close()
    assert settings.github_token is not None
    token = settings.github_token.get_secret_value()
    if token.startswith(INSTALLATION_TOKEN_PREFIX) and settings.github_actions:
        return ACTIONS_LOGIN  # the workflow's own token; GET /user would answer 403
    gh = Github(auth=Auth.Token(token), **kw)  # type: ignore[arg-type]
    try:
        return str(gh.get_user().login)
    except GithubException as exc:
        if exc.status == 403:  # an installation token outside Actions: it cannot say whose
            raise ConfigError(
                "GITHUB_TOKEN is an App installation token, which cannot tell the bot's login",
                hint="set ISSUEBOT_BOT_LOGIN to '<app slug>[bot]', or use the App credentials",
            ) from exc
        raise translate(exc, "GET /user (whose token this is)") from exc
    except requests.RequestException as exc:
        raise translate(exc, "GET /user (whose token this is)") from exc
    finally:
        gh.close()
