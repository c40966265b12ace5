"""Every implemented endpoint answers what GitHub's OpenAPI description says it answers.

Each case calls the emulator over HTTP and validates status and body against the response
schema of ``@octokit/openapi`` for that path, method and status code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import quote

import httpx
import pytest
from fastapi.routing import APIRoute

from bot.emulator.app import ROUTERS
from bot.emulator.testing import start_emulator
from tests.bot.emulator.schemas import validate_response
from tests.bot.emulator.world import REPO, World

R = f"/repos/{REPO}"
RT = "/repos/{owner}/{repo}"  # the documented path template


@dataclass(frozen=True)
class Case:
    """One call: the documented operation it exercises and how to make it."""

    method: str
    path: str
    status: int
    call: Callable[[World], httpx.Response]

    @property
    def id(self) -> str:
        return f"{self.method} {self.path} {self.status}"


def _merge(w: World) -> httpx.Response:
    pr = w.pull()
    return w.client().put(f"{R}/pulls/{pr['number']}/merge", json={"merge_method": "merge"})


def _merged_check(w: World) -> httpx.Response:
    pr = w.pull()
    w.client().put(f"{R}/pulls/{pr['number']}/merge", json={"merge_method": "squash"})
    return w.client().get(f"{R}/pulls/{pr['number']}/merge")


def _protect(w: World, contexts: list[str] | None = None) -> str:
    name, _ = w.branch()
    w.client().put(
        f"{R}/branches/{name}/protection",
        json={
            "required_status_checks": {"strict": False, "contexts": contexts or ["tests"]},
            "enforce_admins": None,
            "required_pull_request_reviews": None,
            "restrictions": None,
        },
    )
    return name


def _label(w: World) -> str:
    name = w.unique("label")
    w.client().post(f"{R}/labels", json={"name": name, "color": "00ff00"})
    return quote(name)


CASES = [
    Case("GET", "/user", 200, lambda w: w.client().get("/user")),
    Case("GET", "/user", 401, lambda w: httpx.get(f"{w.gh.api_url}/user")),
    Case("GET", "/users/{username}", 200, lambda w: w.client().get("/users/writer")),
    Case("GET", "/users/{username}", 404, lambda w: w.client().get("/users/nobody-here")),
    Case("GET", "/rate_limit", 200, lambda w: w.client().get("/rate_limit")),
    Case("GET", RT, 200, lambda w: w.client().get(R)),
    Case("GET", RT, 404, lambda w: w.client().get("/repos/acme/missing")),
    Case(
        "GET",
        f"{RT}/collaborators/{{username}}/permission",
        200,
        lambda w: w.client().get(f"{R}/collaborators/writer/permission"),
    ),
    Case(
        "GET",
        f"{RT}/collaborators/{{username}}/permission",
        404,
        lambda w: w.client().get(f"{R}/collaborators/nobody-here/permission"),
    ),
    Case(
        "GET",
        f"{RT}/collaborators/{{username}}",
        204,
        lambda w: w.client().get(f"{R}/collaborators/writer"),
    ),
    Case(
        "GET",
        f"{RT}/collaborators/{{username}}",
        404,
        lambda w: w.client().get(f"{R}/collaborators/stranger"),
    ),
    Case(
        "GET", f"{RT}/contents/{{path}}", 200, lambda w: w.client().get(f"{R}/contents/README.md")
    ),
    Case("GET", f"{RT}/contents/{{path}}", 404, lambda w: w.client().get(f"{R}/contents/nope.md")),
    Case(
        "POST", f"{RT}/issues", 201, lambda w: w.client().post(f"{R}/issues", json={"title": "x"})
    ),
    Case("POST", f"{RT}/issues", 422, lambda w: w.client().post(f"{R}/issues", json={"body": "x"})),
    Case("GET", f"{RT}/issues", 200, lambda w: (w.issue(), w.client().get(f"{R}/issues"))[1]),
    Case(
        "GET",
        f"{RT}/issues/{{issue_number}}",
        200,
        lambda w: w.client().get(f"{R}/issues/{w.issue(labels=['bug'])['number']}"),
    ),
    Case("GET", f"{RT}/issues/{{issue_number}}", 404, lambda w: w.client().get(f"{R}/issues/9999")),
    Case(
        "PATCH",
        f"{RT}/issues/{{issue_number}}",
        200,
        lambda w: w.client().patch(
            f"{R}/issues/{w.issue()['number']}", json={"state": "closed", "title": "done"}
        ),
    ),
    Case(
        "PATCH",
        f"{RT}/issues/{{issue_number}}",
        403,
        lambda w: w.client("stranger").patch(
            f"{R}/issues/{w.issue()['number']}", json={"state": "closed"}
        ),
    ),
    Case("GET", f"{RT}/labels", 200, lambda w: w.client().get(f"{R}/labels")),
    Case(
        "POST",
        f"{RT}/labels",
        201,
        lambda w: w.client().post(f"{R}/labels", json={"name": w.unique("l"), "color": "ff0000"}),
    ),
    Case(
        "POST", f"{RT}/labels", 422, lambda w: w.client().post(f"{R}/labels", json={"name": "bug"})
    ),
    Case("GET", f"{RT}/labels/{{name}}", 200, lambda w: w.client().get(f"{R}/labels/bug")),
    Case("GET", f"{RT}/labels/{{name}}", 404, lambda w: w.client().get(f"{R}/labels/nope")),
    Case(
        "PATCH",
        f"{RT}/labels/{{name}}",
        200,
        lambda w: w.client().patch(f"{R}/labels/{_label(w)}", json={"color": "0000ff"}),
    ),
    Case(
        "DELETE",
        f"{RT}/labels/{{name}}",
        204,
        lambda w: w.client().delete(f"{R}/labels/{_label(w)}"),
    ),
    Case(
        "GET",
        f"{RT}/issues/{{issue_number}}/labels",
        200,
        lambda w: w.client().get(f"{R}/issues/{w.issue(labels=['bug'])['number']}/labels"),
    ),
    Case(
        "POST",
        f"{RT}/issues/{{issue_number}}/labels",
        200,
        lambda w: w.client().post(
            f"{R}/issues/{w.issue()['number']}/labels", json={"labels": ["bug", "new one"]}
        ),
    ),
    Case(
        "PUT",
        f"{RT}/issues/{{issue_number}}/labels",
        200,
        lambda w: w.client().put(
            f"{R}/issues/{w.issue(labels=['bug'])['number']}/labels",
            json={"labels": ["enhancement"]},
        ),
    ),
    Case(
        "DELETE",
        f"{RT}/issues/{{issue_number}}/labels/{{name}}",
        200,
        lambda w: w.client().delete(f"{R}/issues/{w.issue(labels=['bug'])['number']}/labels/bug"),
    ),
    Case(
        "DELETE",
        f"{RT}/issues/{{issue_number}}/labels/{{name}}",
        404,
        lambda w: w.client().delete(f"{R}/issues/{w.issue()['number']}/labels/bug"),
    ),
    Case(
        "GET",
        f"{RT}/issues/{{issue_number}}/comments",
        200,
        lambda w: w.client().get(
            f"{R}/issues/{w.comment()['issue_url'].rsplit('/', 1)[1]}/comments"
        ),
    ),
    Case(
        "POST",
        f"{RT}/issues/{{issue_number}}/comments",
        201,
        lambda w: w.client().post(
            f"{R}/issues/{w.issue()['number']}/comments", json={"body": "hi"}
        ),
    ),
    Case(
        "POST",
        f"{RT}/issues/{{issue_number}}/comments",
        404,
        lambda w: w.client().post(f"{R}/issues/9999/comments", json={"body": "hi"}),
    ),
    Case(
        "GET",
        f"{RT}/issues/comments",
        200,
        lambda w: (w.comment(), w.client().get(f"{R}/issues/comments"))[1],
    ),
    Case(
        "GET",
        f"{RT}/issues/comments/{{comment_id}}",
        200,
        lambda w: w.client().get(f"{R}/issues/comments/{w.comment()['id']}"),
    ),
    Case(
        "PATCH",
        f"{RT}/issues/comments/{{comment_id}}",
        200,
        lambda w: w.client().patch(
            f"{R}/issues/comments/{w.comment()['id']}", json={"body": "edited"}
        ),
    ),
    Case(
        "DELETE",
        f"{RT}/issues/comments/{{comment_id}}",
        204,
        lambda w: w.client().delete(f"{R}/issues/comments/{w.comment()['id']}"),
    ),
    Case(
        "POST",
        f"{RT}/issues/comments/{{comment_id}}/reactions",
        201,
        lambda w: w.client().post(
            f"{R}/issues/comments/{w.comment()['id']}/reactions", json={"content": "eyes"}
        ),
    ),
    Case(
        "GET",
        f"{RT}/issues/comments/{{comment_id}}/reactions",
        200,
        lambda w: w.client().get(f"{R}/issues/comments/{w.comment()['id']}/reactions"),
    ),
    Case(
        "POST",
        f"{RT}/issues/{{issue_number}}/reactions",
        201,
        lambda w: w.client().post(
            f"{R}/issues/{w.issue()['number']}/reactions", json={"content": "+1"}
        ),
    ),
    Case(
        "GET",
        f"{RT}/issues/{{issue_number}}/reactions",
        200,
        lambda w: w.client().get(f"{R}/issues/{w.issue()['number']}/reactions"),
    ),
    Case(
        "POST",
        f"{RT}/pulls",
        201,
        lambda w: w.client().post(
            f"{R}/pulls", json={"title": "t", "head": w.branch()[0], "base": "main"}
        ),
    ),
    Case(
        "POST",
        f"{RT}/pulls",
        422,
        lambda w: w.client().post(
            f"{R}/pulls", json={"title": "t", "head": w.pull()["head"]["ref"], "base": "main"}
        ),
    ),
    Case(
        "GET", f"{RT}/pulls", 200, lambda w: (w.pull(), w.client().get(f"{R}/pulls?state=all"))[1]
    ),
    Case(
        "GET",
        f"{RT}/pulls/{{pull_number}}",
        200,
        lambda w: w.client().get(f"{R}/pulls/{w.pull()['number']}"),
    ),
    Case("GET", f"{RT}/pulls/{{pull_number}}", 404, lambda w: w.client().get(f"{R}/pulls/9999")),
    Case(
        "PATCH",
        f"{RT}/pulls/{{pull_number}}",
        200,
        lambda w: w.client().patch(f"{R}/pulls/{w.pull()['number']}", json={"body": "Fixes #1"}),
    ),
    Case("PUT", f"{RT}/pulls/{{pull_number}}/merge", 200, _merge),
    Case(
        "PUT",
        f"{RT}/pulls/{{pull_number}}/merge",
        409,
        lambda w: w.client().put(f"{R}/pulls/{w.pull()['number']}/merge", json={"sha": "0" * 40}),
    ),
    Case("GET", f"{RT}/pulls/{{pull_number}}/merge", 204, _merged_check),
    Case(
        "GET",
        f"{RT}/pulls/{{pull_number}}/merge",
        404,
        lambda w: w.client().get(f"{R}/pulls/{w.pull()['number']}/merge"),
    ),
    Case(
        "GET",
        f"{RT}/pulls/{{pull_number}}/files",
        200,
        lambda w: w.client().get(f"{R}/pulls/{w.pull()['number']}/files"),
    ),
    Case(
        "GET",
        f"{RT}/pulls/{{pull_number}}/commits",
        200,
        lambda w: w.client().get(f"{R}/pulls/{w.pull()['number']}/commits"),
    ),
    Case(
        "GET",
        f"{RT}/compare/{{basehead}}",
        200,
        lambda w: w.client().get(f"{R}/compare/main...{w.branch()[0]}"),
    ),
    Case("GET", f"{RT}/compare/{{basehead}}", 404, lambda w: w.client().get(f"{R}/compare/a...b")),
    Case("GET", f"{RT}/contents/{{path}}", 200, lambda w: w.client().get(f"{R}/contents/widgets")),
    Case("GET", f"{RT}/branches", 200, lambda w: w.client().get(f"{R}/branches")),
    Case("GET", f"{RT}/branches/{{branch}}", 200, lambda w: w.client().get(f"{R}/branches/main")),
    Case("GET", f"{RT}/branches/{{branch}}", 404, lambda w: w.client().get(f"{R}/branches/nope")),
    Case(
        "PUT",
        f"{RT}/branches/{{branch}}/protection",
        200,
        lambda w: w.client().put(
            f"{R}/branches/{w.branch()[0]}/protection",
            json={
                "required_status_checks": {"strict": False, "contexts": ["tests"]},
                "enforce_admins": None,
                "required_pull_request_reviews": None,
                "restrictions": None,
            },
        ),
    ),
    Case(
        "GET",
        f"{RT}/branches/{{branch}}/protection",
        200,
        lambda w: w.client().get(f"{R}/branches/{_protect(w)}/protection"),
    ),
    Case(
        "DELETE",
        f"{RT}/branches/{{branch}}/protection",
        204,
        lambda w: w.client().delete(f"{R}/branches/{_protect(w)}/protection"),
    ),
    Case(
        "GET",
        f"{RT}/branches/{{branch}}/protection/required_status_checks",
        200,
        lambda w: w.client().get(f"{R}/branches/{_protect(w)}/protection/required_status_checks"),
    ),
    Case(
        "PATCH",
        f"{RT}/branches/{{branch}}/protection/required_status_checks",
        200,
        lambda w: w.client().patch(
            f"{R}/branches/{_protect(w)}/protection/required_status_checks",
            json={"contexts": ["tests", "lint"]},
        ),
    ),
    Case("GET", f"{RT}/git/ref/{{ref}}", 200, lambda w: w.client().get(f"{R}/git/ref/heads/main")),
    Case("GET", f"{RT}/git/ref/{{ref}}", 404, lambda w: w.client().get(f"{R}/git/ref/heads/nope")),
    Case(
        "POST",
        f"{RT}/git/refs",
        201,
        lambda w: w.client().post(
            f"{R}/git/refs", json={"ref": f"refs/heads/{w.unique('new')}", "sha": w.branch()[1]}
        ),
    ),
    Case(
        "POST",
        f"{RT}/git/refs",
        422,
        lambda w: w.client().post(
            f"{R}/git/refs", json={"ref": "refs/heads/main", "sha": w.branch()[1]}
        ),
    ),
    Case(
        "PATCH",
        f"{RT}/git/refs/{{ref}}",
        200,
        lambda w: w.client().patch(
            f"{R}/git/refs/heads/{w.branch()[0]}", json={"sha": w.branch()[1], "force": True}
        ),
    ),
    Case(
        "DELETE",
        f"{RT}/git/refs/{{ref}}",
        204,
        lambda w: w.client().delete(f"{R}/git/refs/heads/{w.branch()[0]}"),
    ),
    Case(
        "DELETE",
        f"{RT}/git/refs/{{ref}}",
        422,
        lambda w: w.client().delete(f"{R}/git/refs/heads/nope"),
    ),
    Case(
        "POST",
        f"{RT}/check-runs",
        201,
        lambda w: w.client("ci-bot").post(
            f"{R}/check-runs",
            json={"name": "tests", "head_sha": w.branch()[1], "status": "in_progress"},
        ),
    ),
    Case(
        "PATCH",
        f"{RT}/check-runs/{{check_run_id}}",
        200,
        lambda w: w.client("ci-bot").patch(
            f"{R}/check-runs/{w.check_run()['id']}",
            json={"conclusion": "failure", "output": {"title": "1 failed", "summary": "boom"}},
        ),
    ),
    Case(
        "GET",
        f"{RT}/check-runs/{{check_run_id}}",
        200,
        lambda w: w.client().get(f"{R}/check-runs/{w.check_run()['id']}"),
    ),
    Case(
        "GET",
        f"{RT}/commits/{{ref}}/check-runs",
        200,
        lambda w: w.client().get(
            f"{R}/commits/{w.check_run(conclusion='success')['head_sha']}/check-runs"
        ),
    ),
    Case(
        "GET",
        f"{RT}/commits/{{ref}}/check-suites",
        200,
        lambda w: w.client().get(f"{R}/commits/{w.check_run()['head_sha']}/check-suites"),
    ),
    Case(
        "POST",
        f"{RT}/statuses/{{sha}}",
        201,
        lambda w: w.client().post(
            f"{R}/statuses/{w.branch()[1]}", json={"state": "success", "context": "ci"}
        ),
    ),
    Case(
        "GET",
        f"{RT}/commits/{{ref}}/statuses",
        200,
        lambda w: w.client().get(f"{R}/commits/main/statuses"),
    ),
    Case(
        "GET",
        f"{RT}/commits/{{ref}}/status",
        200,
        lambda w: w.client().get(f"{R}/commits/main/status"),
    ),
    Case("GET", f"{RT}/commits/{{ref}}", 200, lambda w: w.client().get(f"{R}/commits/main")),
    Case("GET", "/app", 200, lambda w: w.app_client().get("/app")),
    Case("GET", "/app/installations", 200, lambda w: w.app_client().get("/app/installations")),
    Case(
        "GET",
        "/app/installations/{installation_id}",
        200,
        lambda w: w.app_client().get(f"/app/installations/{w.gh.installation_id()}"),
    ),
    Case("GET", f"{RT}/installation", 200, lambda w: w.app_client().get(f"{R}/installation")),
    Case(
        "POST",
        "/app/installations/{installation_id}/access_tokens",
        201,
        lambda w: w.app_client().post(f"/app/installations/{w.gh.installation_id()}/access_tokens"),
    ),
    Case(
        "GET",
        "/installation/repositories",
        200,
        lambda w: w.client("issuebot[bot]").get("/installation/repositories"),
    ),
]


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    """One emulator shared by every case; each case creates the objects it touches."""
    with start_emulator() as gh:
        prepared = World(gh)
        try:
            yield prepared
        finally:
            prepared.close()


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_response_matches_github_openapi(world: World, case: Case) -> None:
    answer = case.call(world)
    assert answer.status_code == case.status, answer.text
    body = answer.json() if answer.content else None
    validate_response(case.method, case.path, answer.status_code, body)


# Routes GitHub serves but does not describe separately (legacy ref read, contents root).
UNDOCUMENTED_ALIASES = {
    ("GET", "/repos/{}/{}/git/refs/{}"),
    ("GET", "/repos/{}/{}/contents"),
}


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path)


def test_every_implemented_endpoint_has_a_conformance_case() -> None:
    implemented = {
        (method, _shape(route.path))
        for router in ROUTERS
        if router.prefix != "/_emulator"
        for route in router.routes
        if isinstance(route, APIRoute) and ".git/" not in route.path
        for method in route.methods or ()
    }
    assert len(implemented) > 50
    covered = {(case.method, _shape(case.path)) for case in CASES}
    assert implemented - covered - UNDOCUMENTED_ALIASES == set()
