"""The retry budget: which answers are retried, how long each wait is, and where it stops."""

from __future__ import annotations

import io
import json
import time

import pytest
from github.GithubException import GithubException, RateLimitExceededExceedsMaxWait
from urllib3.exceptions import MaxRetryError, ReadTimeoutError
from urllib3.response import HTTPResponse

from bot.github.retry import RetryPolicy

URL = "/repos/acme/widgets/issues"


def answer(status: int, headers: dict[str, str], message: str = "") -> HTTPResponse:
    body = io.BytesIO(json.dumps({"message": message}).encode())
    return HTTPResponse(body=body, headers=headers, status=status, preload_content=False)


def test_server_errors_are_retried_for_every_verb_but_post() -> None:
    retry = RetryPolicy().build()
    for verb in ("GET", "PATCH", "PUT", "DELETE"):
        assert retry.is_retry(verb, 502)
    # A POST answered 5xx may have been applied: the GitHub layer looks before re-sending.
    assert not retry.is_retry("POST", 502)
    assert retry.is_retry("POST", 403, has_retry_after=True)  # refused before any write
    assert retry.is_retry("POST", 429)
    assert not retry.is_retry("GET", 404)
    assert not retry.is_retry("POST", 422)


def test_a_post_whose_answer_was_lost_is_not_sent_again_by_urllib3() -> None:
    retry = RetryPolicy().build()
    lost = ReadTimeoutError(None, URL, "read timed out")  # type: ignore[arg-type]
    with pytest.raises(ReadTimeoutError):
        retry.increment("POST", URL, error=lost)
    assert retry.increment("GET", URL, error=lost).total == retry.total - 1  # type: ignore[operator]


def test_a_429_without_retry_after_waits_for_the_rate_limit_reset() -> None:
    retry = RetryPolicy(max_wait=30).build()
    reset = str(int(time.time()) + 5)
    nxt = retry.increment("GET", URL, answer(429, {"X-RateLimit-Reset": reset}))
    assert 4.0 <= nxt.get_backoff_time() <= 6.5


def test_a_wait_longer_than_the_bound_fails_at_once_instead_of_blocking() -> None:
    retry = RetryPolicy(max_wait=5).build()
    with pytest.raises(RateLimitExceededExceedsMaxWait):
        retry.increment("POST", URL, answer(403, {"Retry-After": "600"}, "secondary"))
    reset = str(int(time.time()) + 3600)
    with pytest.raises(RateLimitExceededExceedsMaxWait):
        retry.increment("GET", URL, answer(429, {"X-RateLimit-Reset": reset}))


def test_a_secondary_limit_without_retry_after_waits_the_configured_time() -> None:
    retry = RetryPolicy(secondary_rate_wait=2, max_wait=10).build()
    message = "You have exceeded a secondary rate limit. Please wait a few minutes."
    nxt = retry.increment("POST", URL, answer(403, {}, message))
    assert nxt.get_backoff_time() == 2


def test_a_plain_forbidden_is_not_retried() -> None:
    retry = RetryPolicy().build()
    with pytest.raises(GithubException) as caught:
        retry.increment("POST", URL, answer(403, {}, "Resource not accessible by integration"))
    assert caught.value.status == 403


def test_the_budget_runs_out() -> None:
    retry = RetryPolicy(total=1).build()
    nxt = retry.increment("GET", URL, answer(502, {}))
    with pytest.raises(MaxRetryError):
        nxt.increment("GET", URL, answer(502, {}))


def test_copies_keep_the_bound_and_do_not_grow() -> None:
    retry = RetryPolicy(max_wait=7).build()
    nxt = retry.increment("GET", URL, answer(502, {})).increment("GET", URL, answer(502, {}))
    assert nxt.max_wait == 7  # type: ignore[attr-defined]
    assert sorted(nxt.status_forcelist) == sorted(set(nxt.status_forcelist))
