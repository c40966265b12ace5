"""State and small helpers shared by the halves of ``PyGithubRepo`` (issues side, pulls side)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

import requests
from github import Auth, Github
from github.GithubException import GithubException
from github.Repository import Repository

from bot.github.audit import AuditSink
from bot.github.retry import RetryPolicy

T = TypeVar("T")


class RepoBase:
    """One repository reached through one PyGithub client; makes no request when built."""

    def __init__(
        self,
        gh: Github,
        full_name: str,
        *,
        audit: AuditSink,
        bot_login: str | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._gh = gh
        self._retry = retry or RetryPolicy()
        self._full_name = full_name
        self._audit = audit
        self._bot_login = bot_login
        # Lazy: objects fetched only when read, so writes on an issue cost one request.
        self._repo: Repository = gh.withLazy(True).get_repo(full_name)

    @property
    def full_name(self) -> str:
        """`owner/name` as given (no request)."""
        return self._full_name

    @property
    def audit(self) -> AuditSink:
        """Where destructive operations are recorded."""
        return self._audit

    @property
    def github(self) -> Github:
        """The underlying PyGithub client (for the auth layer and tests, not for the pipeline)."""
        return self._gh

    @property
    def owner(self) -> str:
        """The repository owner's login."""
        return self._full_name.split("/", 1)[0]

    def bot_login(self) -> str:
        """Whose comments count as the bot's own: configured, or the token's user."""
        if self._bot_login is None:
            self._bot_login = self._gh.get_user().login
        return self._bot_login

    def rate_limit_remaining(self) -> int | None:
        """What GitHub's latest answer said is left of the rate limit (no request), if known."""
        requesters = (self._repo.requester, self._gh.requester)
        seen = [(r.rate_limiting_resettime, -r.rate_limiting[0]) for r in requesters]
        latest = max((s for s in seen if s[1] <= 0), default=None)
        return -latest[1] if latest else None

    def _path(self, *parts: str | int) -> str:
        """A URL under the repository, each part percent-encoded (label names, logins)."""
        return "/".join([self._repo.url, *(quote(str(p), safe="") for p in parts)])

    def _branch_path(self, prefix: str, name: str, *rest: str) -> str:
        """A URL naming a branch or ref: slashes stay literal, as GitHub's docs write them."""
        return "/".join([self._repo.url, prefix, quote(name, safe="/"), *rest])

    def _request(
        self,
        verb: str,
        *parts: str | int,
        body: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        """One REST call under the repository through PyGithub's requester."""
        return self._request_url(verb, self._path(*parts), body=body, params=params)

    def _request_url(
        self,
        verb: str,
        url: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        """One REST call through PyGithub's requester (same auth, retries and exceptions)."""
        _, data = self._repo.requester.requestJsonAndCheck(verb, url, parameters=params, input=body)
        return data

    def _post(
        self,
        *parts: str | int,
        body: dict[str, Any],
        convert: Callable[[Any], T],
        refind: Callable[[], T | None] = lambda: None,
    ) -> T:
        """POST, re-sending after a 5xx or a lost answer only once ``refind`` found nothing.

        urllib3 never re-sends a POST on 5xx (``bot.github.retry``): GitHub may have done the
        write before failing, so a blind re-send could post a comment or open an issue twice.
        ``refind`` looks for what the first attempt may have created (a marker, a head branch).
        """
        attempts = self._retry.total + 1
        for attempt in range(attempts):
            try:
                return convert(self._request("POST", *parts, body=body))
            except GithubException as exc:
                if exc.status < 500 or attempt + 1 == attempts:
                    raise
            except (requests.ConnectionError, requests.Timeout):
                if attempt + 1 == attempts:
                    raise
            time.sleep(min(self._retry.backoff_max, self._retry.backoff_factor * 2**attempt))
            found = refind()
            if found is not None:
                return found
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _token(self) -> str | None:
        """The token git should present: a PAT, or PyGithub's cached installation token."""
        auth = self._gh.requester.auth
        if isinstance(auth, (Auth.Token, Auth.AppInstallationAuth)):
            return auth.token
        return None
