"""Turn PyGithub and transport exceptions into the bot's typed errors, one line each.

By the time an exception reaches here the retry budget (``bot.github.retry``) is spent, so a
5xx or a rate limit is ``GitHubUnavailableError`` (retry the run later) and any other 4xx is a
``GitHubError`` that no retry will fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests
from github.GithubException import (
    GithubException,
    RateLimitExceededException,
    UnknownObjectException,
)

from bot.errors import GitHubError, GitHubUnavailableError, IssuebotError, NotFoundError

_MAX_DETAIL = 200


def _detail(data: Any) -> str:
    """GitHub's own message (plus the first validation error) on a single bounded line."""
    if not isinstance(data, Mapping):
        text = str(data or "")
    else:
        text = str(data.get("message") or "")
        errors = data.get("errors")
        if isinstance(errors, list) and errors:
            first = errors[0]
            extra = (
                first.get("message") or first.get("code") if isinstance(first, Mapping) else first
            )
            if extra:
                text = f"{text}: {extra}" if text else str(extra)
    text = " ".join(text.split())
    return text[:_MAX_DETAIL] + ("..." if len(text) > _MAX_DETAIL else "")


def _header(headers: Mapping[str, Any] | None, name: str) -> str | None:
    if not headers:
        return None
    for key, value in headers.items():
        if key.lower() == name.lower():
            return str(value)
    return None


def is_rate_limited(status: int, headers: Mapping[str, Any] | None) -> bool:
    """GitHub signals both rate limits with 403 or 429 plus one of these headers."""
    if status not in (403, 429):
        return False
    return (
        status == 429
        or _header(headers, "Retry-After") is not None
        or _header(headers, "X-RateLimit-Remaining") == "0"
    )


def translate(exc: BaseException, what: str) -> IssuebotError:
    """The typed error for a failed GitHub call; ``what`` names the call, e.g. `get_issue(7)`."""
    if isinstance(exc, IssuebotError):
        return exc
    if isinstance(exc, GithubException):
        status = exc.status
        detail = _detail(exc.data)
        text = f"GitHub answered {status} to {what}" + (f": {detail}" if detail else "")
        if isinstance(exc, RateLimitExceededException) or is_rate_limited(status, exc.headers):
            return GitHubUnavailableError(
                text, hint="rate limited past the retry budget; retry the run later"
            )
        if status >= 500:
            return GitHubUnavailableError(text, hint="GitHub is failing; retry the run later")
        if isinstance(exc, UnknownObjectException) or status == 404:
            return NotFoundError(text)
        if status == 401:
            return GitHubError(
                text, status=status, hint="check GITHUB_TOKEN or the App credentials"
            )
        return GitHubError(text, status=status)
    if isinstance(exc, requests.RequestException):
        name = type(exc).__name__
        return GitHubUnavailableError(
            f"could not reach GitHub for {what}: {name}",
            hint="check GITHUB_API_URL and the network",
        )
    raise TypeError(f"not a GitHub failure: {type(exc).__name__}")


def status_of(exc: GithubException) -> int:
    """The HTTP status of a PyGithub exception (a tiny seam that keeps call sites readable)."""
    return exc.status


def message_of(exc: GithubException) -> str:
    """GitHub's message for a failed call, lower-cased for matching."""
    return _detail(exc.data).lower()
