"""Conformance cases for accounts, repositories, issues, labels, comments and reactions.

Each case names the documented operation (method, OpenAPI path, status) and makes the call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

import httpx

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
]
