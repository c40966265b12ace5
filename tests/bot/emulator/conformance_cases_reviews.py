"""Conformance cases for review requests, ref listings and branch names with slashes."""

from __future__ import annotations

import httpx

from bot.emulator import gitrepo
from tests.bot.emulator.conformance_cases import RT, Case, R
from tests.bot.emulator.world import REPO, World

REVIEWERS = f"{RT}/pulls/{{pull_number}}/requested_reviewers"


def _slashed_branch(w: World) -> str:
    """A branch named like the bot's own (``feat/issue-N-x``), pointing at main."""
    name = f"feat/{w.unique('issue')}-x"
    git_dir = w.gh.git_dir(REPO)
    main = gitrepo.resolve(git_dir, "refs/heads/main")
    assert main is not None
    gitrepo.update_ref(git_dir, name, main, gitrepo.EMPTY_SHA)
    return name


def _requested(w: World, **body: list[str]) -> tuple[int, httpx.Response]:
    number = int(w.pull()["number"])
    answer = w.client().post(f"{R}/pulls/{number}/requested_reviewers", json=body)
    assert answer.status_code == 201, answer.text
    return number, answer


def _team_request(w: World) -> httpx.Response:
    w.gh.add_team(REPO, "core-devs")
    return _requested(w, reviewers=["writer"], team_reviewers=["core-devs"])[1]


def _listed(w: World) -> httpx.Response:
    w.gh.add_team(REPO, "core-devs")
    number, _ = _requested(w, reviewers=["writer"], team_reviewers=["core-devs"])
    return w.client().get(f"{R}/pulls/{number}/requested_reviewers")


def _removed(w: World) -> httpx.Response:
    number, _ = _requested(w, reviewers=["writer", "reader"])
    body = {"reviewers": ["writer"]}
    return w.client().request("DELETE", f"{R}/pulls/{number}/requested_reviewers", json=body)


CASES = [
    Case("GET", REVIEWERS, 200, _listed),
    Case("POST", REVIEWERS, 201, _team_request),
    Case(
        "POST",
        REVIEWERS,
        422,
        lambda w: w.client().post(
            f"{R}/pulls/{w.pull()['number']}/requested_reviewers", json={"reviewers": ["stranger"]}
        ),
    ),
    Case("DELETE", REVIEWERS, 200, _removed),
    Case(
        "DELETE",
        REVIEWERS,
        422,
        lambda w: w.client().request(
            "DELETE", f"{R}/pulls/{w.pull()['number']}/requested_reviewers", json={}
        ),
    ),
    Case(
        "GET",
        f"{RT}/git/matching-refs/{{ref}}",
        200,
        lambda w: w.client().get(f"{R}/git/matching-refs/heads/{_slashed_branch(w)[:5]}"),
    ),
    Case(
        "GET",
        f"{RT}/branches/{{branch}}",
        200,
        lambda w: w.client().get(f"{R}/branches/{_slashed_branch(w)}"),
    ),
]
