"""GitHub's answers become the bot's typed errors: retry-worthy or not, always one line."""

from __future__ import annotations

import pytest
import requests
from github.GithubException import GithubException, UnknownObjectException

from bot.errors import GitHubError, GitHubUnavailableError, NotFoundError
from bot.github.failures import translate


def test_a_server_error_past_the_retry_budget_is_retryable() -> None:
    error = translate(GithubException(502, {"message": "Bad Gateway"}, {}), "get_issue(1)")
    assert isinstance(error, GitHubUnavailableError)
    assert error.retryable
    assert error.message == "GitHub answered 502 to get_issue(1): Bad Gateway"


@pytest.mark.parametrize(
    "headers",
    [{"Retry-After": "60"}, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1"}],
)
def test_a_rate_limit_past_the_retry_budget_is_retryable(headers: dict[str, str]) -> None:
    exc = GithubException(403, {"message": "slow down"}, headers)
    assert isinstance(translate(exc, "create_issue()"), GitHubUnavailableError)


def test_a_missing_object_is_not_found() -> None:
    exc = UnknownObjectException(404, {"message": "Not Found"}, {})
    error = translate(exc, "get_issue(999) on acme/widgets")
    assert isinstance(error, NotFoundError)
    assert "get_issue(999)" in error.message


def test_a_validation_error_fails_fast_with_its_status_and_first_reason() -> None:
    data = {
        "message": "Validation Failed",
        "errors": [{"resource": "PullRequest", "code": "custom", "message": "No commits between"}],
    }
    error = translate(GithubException(422, data, {}), "ensure_pull_request()")
    assert isinstance(error, GitHubError)
    assert not error.retryable
    assert error.status == 422
    assert error.message.endswith("Validation Failed: No commits between")


def test_bad_credentials_say_what_to_check() -> None:
    error = translate(GithubException(401, {"message": "Bad credentials"}, {}), "get_issue(1)")
    assert isinstance(error, GitHubError)
    assert error.status == 401
    assert "GITHUB_TOKEN" in error.one_line()


def test_a_hostile_multi_line_message_stays_one_bounded_line() -> None:
    data = {"message": "line one\nline two\r\n" + "x" * 1000}
    error = translate(GithubException(400, data, {}), "create_issue()")
    assert "\n" not in error.one_line()
    assert len(error.message) < 300


def test_an_unreachable_server_is_retryable() -> None:
    error = translate(requests.ConnectionError("refused"), "get_issue(1)")
    assert isinstance(error, GitHubUnavailableError)
    assert "GITHUB_API_URL" in error.one_line()
