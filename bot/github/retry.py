"""A bounded retry budget built on PyGithub's own ``GithubRetry`` (a urllib3 ``Retry``).

``GithubRetry`` already retries 5xx, recognises primary and secondary rate limits in 403
answers, waits ``Retry-After`` (urllib3) and the primary limit's ``X-RateLimit-Reset``. What it
lacks, added here: 429 answers (GitHub sends them for rate limits too) including their
``X-RateLimit-Reset``, PATCH among the retried verbs, and one bound on any single wait: a
server asking for longer than ``max_wait`` fails at once with a retryable error instead of
blocking a worker. ``raise_on_status=False`` hands the last answer to PyGithub when the budget
is spent, so the caller sees GitHub's real status.

A POST is never re-sent after a 5xx or a lost answer: GitHub may have done the write before
failing (a 502 from its front end), and a blind re-send would post a second comment or open a
second issue. ``RepoBase._post`` re-sends instead, after looking for what the first attempt
made. Rate limits (403/429) refuse the request before any write, so those POSTs are retried
here. PUT, PATCH and DELETE set absolute state, so repeating them is harmless.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from github import GithubRetry
from github.GithubException import RateLimitExceededExceedsMaxWait
from urllib3 import Retry
from urllib3.connectionpool import ConnectionPool
from urllib3.response import BaseHTTPResponse, HTTPResponse

RETRIED_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "POST", "PATCH"})
RETRIED_STATUSES = (*range(500, 600), 429)  # GithubRetry adds 403 and inspects it
NOT_RESENT_AFTER_FAILURE = frozenset({"POST"})


class BoundedRetry(GithubRetry):
    """``GithubRetry`` plus 429 handling and a cap on how long one wait may be."""

    def __init__(self, *, max_wait: float = 120.0, **kwargs: Any) -> None:
        self.max_wait = max_wait
        kwargs.setdefault("max_rate_limit_wait", max_wait)
        kwargs.setdefault("status_forcelist", list(RETRIED_STATUSES))
        kwargs.setdefault("allowed_methods", RETRIED_METHODS)
        kwargs.setdefault("raise_on_status", False)
        super().__init__(**kwargs)
        # GithubRetry appends 403 on every copy; keep the list from growing per attempt.
        self.status_forcelist = sorted(set(self.status_forcelist))

    def new(self, **kw: Any) -> Self:
        """Copies keep the wait bound (urllib3 creates a new Retry per attempt)."""
        kw.setdefault("max_wait", self.max_wait)
        return super().new(**kw)

    def _too_long(self, wait: float, response: BaseHTTPResponse) -> None:
        if wait > self.max_wait:
            raise RateLimitExceededExceedsMaxWait(
                response.status,
                {"message": f"GitHub asked to wait {wait:.0f}s, more than {self.max_wait:.0f}s"},
                dict(response.headers),
                wait=wait,
            )

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        """As urllib3 decides, except that a POST answered 5xx is left to the caller."""
        if method.upper() in NOT_RESENT_AFTER_FAILURE and status_code >= 500:
            return False
        return bool(super().is_retry(method, status_code, has_retry_after))

    def increment(  # type: ignore[override]
        self,
        method: str | None = None,
        url: str | None = None,
        response: HTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> Retry:
        """Bound Retry-After, and wait for X-RateLimit-Reset on a 429 that gives no Retry-After."""
        if (
            error is not None
            and (method or "").upper() in NOT_RESENT_AFTER_FAILURE
            and self._is_read_error(error)
        ):
            raise error  # the POST was sent and may have been applied: the caller looks first
        reset_wait: float | None = None
        if response is not None:
            retry_after = response.headers.get("Retry-After")
            if retry_after is not None:
                self._too_long(self.parse_retry_after(retry_after), response)
            elif response.status == 429:
                reset = response.headers.get("X-RateLimit-Reset")
                if reset is not None and reset.isdigit():
                    reset_wait = max(0.0, int(reset) - time.time()) + 1.0
                    self._too_long(reset_wait, response)
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        if reset_wait is not None:
            wait = max(reset_wait, retry.get_backoff_time())
            retry.get_backoff_time = lambda: wait  # type: ignore[method-assign]
        return retry


@dataclass(frozen=True)
class RetryPolicy:
    """The retry budget of one GitHub client: how often, how long between, longest one wait."""

    total: int = 5
    backoff_factor: float = 0.5
    backoff_max: float = 30.0
    max_wait: float = 120.0
    secondary_rate_wait: float = 60.0

    def build(self) -> BoundedRetry:
        """The urllib3 retry object PyGithub's requester uses."""
        return BoundedRetry(
            total=self.total,
            backoff_factor=self.backoff_factor,
            backoff_max=self.backoff_max,
            max_wait=self.max_wait,
            secondary_rate_wait=self.secondary_rate_wait,
        )

    @classmethod
    def fast(cls) -> RetryPolicy:
        """A small budget with short waits: for tests and the local emulator."""
        return cls(
            total=3, backoff_factor=0.05, backoff_max=0.5, max_wait=5.0, secondary_rate_wait=1.0
        )
