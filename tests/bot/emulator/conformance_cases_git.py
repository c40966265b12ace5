"""Conformance cases for pulls, branches, refs, protection, checks, statuses and apps."""

from __future__ import annotations

import httpx

from tests.bot.emulator.conformance_cases import (
    RT,
    Case,
    R,
    _merge,
    _merged_check,
    _protect,
)
from tests.bot.emulator.world import World

CASES = [
    Case(
        "GET",
        f"{RT}/git/trees/{{tree_sha}}",
        200,
        lambda w: w.client().get(f"{R}/git/trees/main?recursive=1"),
    ),
    Case(
        "GET", f"{RT}/git/trees/{{tree_sha}}", 404, lambda w: w.client().get(f"{R}/git/trees/nope")
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
    # An installation token is not a user: GitHub refuses `GET /user` to it.
    Case("GET", "/user", 403, lambda w: _as_installation(w).get("/user")),
]


def _as_installation(w: World) -> httpx.Client:
    """A raw client holding a freshly minted installation token of the default App."""
    minted = w.app_client().post(f"/app/installations/{w.gh.installation_id()}/access_tokens")
    token = minted.json()["token"]
    return httpx.Client(base_url=w.gh.api_url, headers={"Authorization": f"token {token}"})
