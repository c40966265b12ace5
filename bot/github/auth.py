"""Connect to GitHub (github.com, GHE's `/api/v3`, or the emulator) with a token or as an App.

App auth is PyGithub's own: ``Auth.AppAuth`` signs the JWT, ``Auth.AppInstallationAuth``
exchanges it for an installation token, caches it and refreshes it before expiry. We only
check the key early (a bad key is a ``ConfigError`` at startup, not a crash mid-run) and
find the installation of the target repository when no installation id is configured.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.serialization import load_pem_private_key
from github import Auth, Github, GithubIntegration
from github.GithubException import GithubException

from bot.errors import ConfigError
from bot.github.audit import AuditSink
from bot.github.client import PyGithubRepo
from bot.github.failures import translate
from bot.github.retry import RetryPolicy
from bot.settings import Settings


@dataclass(frozen=True)
class ClientOptions:
    """Transport knobs of the PyGithub client; defaults are polite to github.com."""

    retry: RetryPolicy = field(default_factory=RetryPolicy)
    timeout: int = 15
    per_page: int = 100
    # PyGithub's defaults follow GitHub's advice to space writes out (secondary limits).
    seconds_between_requests: float | None = 0.25
    seconds_between_writes: float | None = 1.0
    user_agent: str = "issuebot"

    @classmethod
    def fast(cls) -> ClientOptions:
        """No throttling and a small retry budget: for the local emulator and tests."""
        return cls(
            retry=RetryPolicy.fast(),
            timeout=10,
            seconds_between_requests=None,
            seconds_between_writes=None,
        )


def private_key(settings: Settings) -> str:
    """The App's PEM key from the setting: the PEM text, `\\n`-escaped PEM, or a file path."""
    assert settings.github_app_private_key is not None
    raw = settings.github_app_private_key.get_secret_value().strip()
    if not raw.startswith("-----BEGIN"):
        path = Path(raw).expanduser()
        if not path.is_file():
            raise ConfigError("GITHUB_APP_PRIVATE_KEY is neither a PEM key nor a readable file")
        raw = path.read_text(encoding="utf-8").strip()
    if "\\n" in raw and "\n" not in raw:
        raw = raw.replace("\\n", "\n")
    try:
        load_pem_private_key(raw.encode(), password=None)
    except (ValueError, TypeError) as exc:
        raise ConfigError("GITHUB_APP_PRIVATE_KEY is not a valid unencrypted PEM key") from exc
    return raw


def uses_app(settings: Settings) -> bool:
    """Whether these settings authenticate as a GitHub App (id and key both set)."""
    return settings.github_app_id is not None and settings.github_app_private_key is not None


def client_kwargs(settings: Settings, options: ClientOptions) -> dict[str, object]:
    """PyGithub constructor arguments for the API URL and these transport options."""
    return {
        "base_url": settings.github_api_url.rstrip("/"),
        "timeout": options.timeout,
        "user_agent": options.user_agent,
        "per_page": options.per_page,
        "retry": options.retry.build(),
        "seconds_between_requests": options.seconds_between_requests,
        "seconds_between_writes": options.seconds_between_writes,
    }


def _installation_id(
    settings: Settings, app: Auth.AppAuth, full_name: str | None, kw: dict[str, object]
) -> int:
    if settings.github_app_installation_id is not None:
        return settings.github_app_installation_id
    if full_name is None:
        raise ConfigError("GITHUB_APP_INSTALLATION_ID is required when no repository is named")
    owner, _, name = full_name.partition("/")
    integration = GithubIntegration(auth=app, **kw)  # type: ignore[arg-type]
    try:
        return int(integration.get_repo_installation(owner, name).id)
    except GithubException as exc:
        raise translate(exc, f"find the App installation of {full_name}") from exc
    finally:
        integration.close()


def github_auth(
    settings: Settings, full_name: str | None = None, options: ClientOptions | None = None
) -> Auth.Auth:
    """The PyGithub auth for these settings: App installation if configured, else the token."""
    settings.require_github_auth()
    if uses_app(settings):
        assert settings.github_app_id is not None
        app = Auth.AppAuth(settings.github_app_id, private_key(settings))
        kw = client_kwargs(settings, options or ClientOptions())
        return Auth.AppInstallationAuth(app, _installation_id(settings, app, full_name, kw))
    assert settings.github_token is not None
    return Auth.Token(settings.github_token.get_secret_value())


def connect(
    settings: Settings, options: ClientOptions | None = None, *, full_name: str | None = None
) -> Github:
    """A PyGithub client for the configured API URL, credentials and retry budget."""
    options = options or ClientOptions()
    auth = github_auth(settings, full_name, options)
    return Github(auth=auth, **client_kwargs(settings, options))  # type: ignore[arg-type]


def connect_repo(
    settings: Settings,
    full_name: str,
    audit: AuditSink,
    options: ClientOptions | None = None,
) -> PyGithubRepo:
    """The ``GitHubRepo`` for one repository, as the bot's configured identity."""
    options = options or ClientOptions()
    gh = connect(settings, options, full_name=full_name)
    from bot.github.identity import bot_login  # noqa: PLC0415 (identity builds on this module)

    return PyGithubRepo(
        gh, full_name, audit=audit, bot_login=bot_login(settings, options), retry=options.retry
    )
