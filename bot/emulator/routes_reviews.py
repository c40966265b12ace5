"""Review requests on pull requests: who is asked to review, as GitHub records and announces it."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from bot.emulator.access import RepoAccess, repo_access
from bot.emulator.events import issue_event
from bot.emulator.serializers import user_json
from bot.emulator.serializers_pulls import pull_json, team_json
from bot.emulator.state import Issue, PullInfo, now_iso
from bot.emulator.web import ApiError, JsonObject, Router, not_found

router = Router()
PATH = "/repos/{owner}/{repo}/pulls/{number}/requested_reviewers"


def _pull(access: RepoAccess, number: int) -> tuple[Issue, PullInfo]:
    issue = access.repo.issues.get(number)
    if issue is None or issue.pull is None:
        raise not_found()
    return issue, issue.pull


def _names(body: Any, key: str) -> list[str]:
    """A list of logins/slugs from the body; 422 for anything else, as GitHub answers."""
    value = body.get(key, []) if isinstance(body, dict) else []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ApiError(422, f"Invalid request.\n\nFor '{key}', {value!r} is not an array.")
    return list(dict.fromkeys(value))


def _not_collaborator(access: RepoAccess) -> ApiError:
    return ApiError(
        422,
        "Reviews may only be requested from collaborators. One or more of the users or teams "
        f"you specified is not a collaborator of the {access.repo.full_name} repository.",
    )


def _canonical_users(access: RepoAccess, issue: Issue, logins: list[str]) -> list[str]:
    """Stored logins of the requested users: collaborators only, never the PR's author."""
    found = []
    for login in logins:
        user = access.store.user(login)
        if user is None or access.store.permission(access.repo, user.login) == "none":
            raise _not_collaborator(access)
        if user.login.lower() == issue.user.lower():
            raise ApiError(422, "Review cannot be requested from pull request author.")
        found.append(user.login)
    return found


def _canonical_teams(access: RepoAccess, slugs: list[str]) -> list[str]:
    teams = {slug.lower(): slug for slug in access.repo.teams}
    if any(slug.lower() not in teams for slug in slugs):
        raise _not_collaborator(access)
    return [teams[slug.lower()] for slug in slugs]


@router.get(PATH)
def list_requested(request: Request, owner: str, repo: str, number: int) -> dict[str, Any]:
    """The users and teams asked to review and not yet reviewed."""
    access = repo_access(request, owner, repo)
    with access.store.lock:
        _, pull = _pull(access, number)
        return {
            "users": [user_json(access.store, u) for u in pull.requested_reviewers],
            "teams": [
                team_json(access.store, access.repo, access.repo.teams[t])
                for t in pull.requested_teams
                if t in access.repo.teams
            ],
        }


@router.post(PATH, status_code=201)
def request_reviewers(
    request: Request, owner: str, repo: str, number: int, body: JsonObject
) -> JSONResponse:
    """Ask collaborators or teams for a review; one ``review_requested`` event per new one."""
    access = repo_access(request, owner, repo)
    login = access.require("read")
    with access.store.lock:
        issue, pull = _pull(access, number)
        if issue.user.lower() != login.lower() and not access.can("triage"):
            raise ApiError(403, "Must have push access to request reviews.")
        users = _canonical_users(access, issue, _names(body, "reviewers"))
        teams = _canonical_teams(access, _names(body, "team_reviewers"))
        new_users = [u for u in users if u not in pull.requested_reviewers]
        new_teams = [t for t in teams if t not in pull.requested_teams]
        pull.requested_reviewers.extend(new_users)
        pull.requested_teams.extend(new_teams)
        if new_users or new_teams:
            issue.updated_at = now_iso()
        for user in new_users:
            extra = {"requested_reviewer": user_json(access.store, user)}
            issue_event(access.emulator, access.repo, issue, "review_requested", login, **extra)
        for slug in new_teams:
            team = team_json(access.store, access.repo, access.repo.teams[slug], webhook=True)
            extra = {"requested_team": team}
            issue_event(access.emulator, access.repo, issue, "review_requested", login, **extra)
        return JSONResponse(pull_json(access.store, access.repo, issue), status_code=201)


@router.delete(PATH)
def remove_requested(
    request: Request, owner: str, repo: str, number: int, body: JsonObject
) -> dict[str, Any]:
    """Withdraw review requests; one ``review_request_removed`` event per withdrawn one."""
    access = repo_access(request, owner, repo)
    login = access.require("read")
    if not isinstance(body, dict) or "reviewers" not in body:
        raise ApiError(422, 'Invalid request.\n\n"reviewers" wasn\'t supplied.')
    with access.store.lock:
        issue, pull = _pull(access, number)
        if issue.user.lower() != login.lower() and not access.can("triage"):
            raise ApiError(403, "Must have push access to remove review requests.")
        wanted = {n.lower() for n in _names(body, "reviewers")}
        wanted_teams = {n.lower() for n in _names(body, "team_reviewers")}
        gone = [u for u in pull.requested_reviewers if u.lower() in wanted]
        gone_teams = [t for t in pull.requested_teams if t.lower() in wanted_teams]
        pull.requested_reviewers = [u for u in pull.requested_reviewers if u not in gone]
        pull.requested_teams = [t for t in pull.requested_teams if t not in gone_teams]
        for user in gone:
            extra = {"requested_reviewer": user_json(access.store, user)}
            issue_event(
                access.emulator, access.repo, issue, "review_request_removed", login, **extra
            )
        for slug in gone_teams:
            team = team_json(access.store, access.repo, access.repo.teams[slug], webhook=True)
            extra = {"requested_team": team}
            issue_event(
                access.emulator, access.repo, issue, "review_request_removed", login, **extra
            )
        return pull_json(access.store, access.repo, issue)
