"""GitHub's HTTP habits: Link pagination, ETag with 304, X-RateLimit headers, error bodies."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from bot.emulator.testing import EmulatorHandle


@pytest.fixture
def client(emulator: EmulatorHandle) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=emulator.api_url, headers={"Authorization": "token ghp_writer_token"}
    ) as http:
        yield http


def test_lists_are_paginated_with_link_headers(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    for n in range(5):
        client.post("/repos/acme/widgets/issues", json={"title": f"issue {n}"})
    first = client.get("/repos/acme/widgets/issues", params={"per_page": 2})
    assert [i["number"] for i in first.json()] == [5, 4]
    assert 'rel="next"' in first.headers["Link"] and 'rel="last"' in first.headers["Link"]
    last = client.get(first.links["last"]["url"])
    assert [i["number"] for i in last.json()] == [1]
    assert "next" not in last.links and "prev" in last.links
    every = emulator.github("writer").get_repo("acme/widgets").get_issues()
    assert [i.number for i in every] == [5, 4, 3, 2, 1]


def test_etag_lets_clients_skip_unchanged_bodies(client: httpx.Client) -> None:
    first = client.get("/repos/acme/widgets")
    etag = first.headers["ETag"]
    unchanged = client.get("/repos/acme/widgets", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    client.post("/repos/acme/widgets/issues", json={"title": "changes open_issues_count"})
    changed = client.get("/repos/acme/widgets", headers={"If-None-Match": etag})
    assert changed.status_code == 200


def test_every_call_reports_its_rate_limit_budget(client: httpx.Client) -> None:
    one = client.get("/user")
    two = client.get("/user")
    assert one.headers["X-RateLimit-Limit"] == "5000"
    assert int(one.headers["X-RateLimit-Remaining"]) - 1 == int(
        two.headers["X-RateLimit-Remaining"]
    )
    assert client.get("/rate_limit").json()["resources"]["core"]["used"] == 2


def test_validation_errors_name_the_field(client: httpx.Client) -> None:
    answer = client.post("/repos/acme/widgets/labels", json={"name": "bug"})
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        {"resource": "Label", "code": "already_exists", "field": "name"}
    ]


def test_malformed_json_is_a_400(client: httpx.Client) -> None:
    answer = client.post(
        "/repos/acme/widgets/issues",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 400
    assert answer.json()["message"] == "Problems parsing JSON"


def test_unknown_pages_answer_like_github(client: httpx.Client) -> None:
    for path in ("/no/such/endpoint/at/all", "/repos/acme/widgets/issues/not-a-number"):
        answer = client.get(path)
        assert answer.status_code == 404
        assert answer.json()["message"] == "Not Found"


def test_creates_say_where_the_new_object_lives(client: httpx.Client) -> None:
    answer = client.post("/repos/acme/widgets/issues", json={"title": "located"})
    assert answer.status_code == 201
    assert answer.headers["Location"] == answer.json()["url"]
    assert client.get(answer.headers["Location"]).json()["title"] == "located"


def test_anonymous_callers_get_sixty_calls_an_hour(emulator: EmulatorHandle) -> None:
    with httpx.Client(base_url=emulator.api_url) as anonymous:
        answers = [anonymous.get("/repos/acme/widgets") for _ in range(61)]
    assert answers[59].status_code == 200
    assert answers[59].headers["X-RateLimit-Remaining"] == "0"
    assert answers[60].status_code == 403
    assert answers[60].json()["message"].startswith("API rate limit exceeded for 127.0.0.1.")


def test_a_json_array_where_an_object_belongs_is_invalid(client: httpx.Client) -> None:
    answer = client.post("/repos/acme/widgets/labels", json=["bug"])
    assert answer.status_code == 422
    assert answer.json()["message"].startswith("Invalid request.")


def test_a_bad_admin_call_says_what_was_missing(emulator: EmulatorHandle) -> None:
    answer = httpx.post(f"{emulator.api_url}/_emulator/users", json={"token": "t"})
    assert answer.status_code == 422
    assert "login" in answer.json()["message"]


def test_revisions_that_look_like_git_options_are_never_passed_to_git(
    client: httpx.Client,
) -> None:
    assert client.get("/repos/acme/widgets/commits/--all/status").status_code == 422
    readme = client.get("/repos/acme/widgets/contents/README.md", params={"ref": "--help"})
    assert readme.status_code == 404
    bad_branch = client.post(
        "/repos/acme/widgets/git/refs", json={"ref": "refs/heads/a..b", "sha": "main"}
    )
    assert bad_branch.status_code == 422
