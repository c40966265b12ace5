"""Issues: create, get, edit (title/body/state/labels/assignees), list, their event log."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from bot.emulator.access import RepoAccess, repo_access
from bot.emulator.events import issue_event, label_diff_events, repo_label_event
from bot.emulator.serializers_issues import issue_event_json, rest_issue_json
from bot.emulator.state import Issue, Label, now_iso
from bot.emulator.web import ApiError, JsonObject, Router, created, paginated, validation_failed

router = Router()


def next_number(access: RepoAccess) -> int:
    """Issues and PRs share one counter per repository."""
    return max(access.repo.issues, default=0) + 1


def resolve_labels(access: RepoAccess, names: list[Any]) -> list[str]:
    """Stored label names for ``names``, creating unknown ones as GitHub does."""
    result: list[str] = []
    for raw in names:
        name = raw.get("name") if isinstance(raw, dict) else raw
        if not isinstance(name, str) or not name.strip():
            raise validation_failed("Label", "invalid", "name")
        key = access.repo.label_key(name)
        if key is None:
            key = name
            label = Label(access.store.next_id(), name, "ededed", None)
            access.repo.labels[name] = label
            sender = access.login or "ghost"
            repo_label_event(access.emulator, access.repo, label, "created", sender=sender)
        if key not in result:
            result.append(key)
    return result


@router.post("/repos/{owner}/{repo}/issues", status_code=201)
def create_issue(request: Request, owner: str, repo: str, body: JsonObject) -> JSONResponse:
    """Open an issue; labels and assignees need triage and are dropped silently without it."""
    access = repo_access(request, owner, repo)
    login = access.require("read")
    title = body.get("title") if isinstance(body, dict) else None
    if not isinstance(title, str) or not title.strip():
        raise validation_failed("Issue", "missing_field", "title")
    with access.store.lock:
        issue = Issue(
            id=access.store.next_id(),
            number=next_number(access),
            title=title,
            body=body.get("body"),
            user=login,
        )
        if access.can("triage"):
            issue.labels = resolve_labels(access, list(body.get("labels") or []))
            issue.assignees = [str(a) for a in body.get("assignees") or []]
        access.repo.issues[issue.number] = issue
        data = rest_issue_json(access.store, access.repo, issue)
    issue_event(access.emulator, access.repo, issue, "opened", login)
    label_diff_events(access.emulator, access.repo, issue, [], login)
    return created(data)


@router.get("/repos/{owner}/{repo}/issues/{number}")
def get_issue(request: Request, owner: str, repo: str, number: int) -> dict[str, Any]:
    """One issue (pull requests are issues too)."""
    access = repo_access(request, owner, repo)
    with access.store.lock:
        return rest_issue_json(access.store, access.repo, access.issue(number))


@router.patch("/repos/{owner}/{repo}/issues/{number}")
def edit_issue(
    request: Request, owner: str, repo: str, number: int, body: JsonObject
) -> dict[str, Any]:
    """Edit an issue: its author or anyone with triage; labels need triage."""
    access = repo_access(request, owner, repo)
    login = access.require("read")
    if not isinstance(body, dict):
        raise ApiError(400, "Problems parsing JSON")
    with access.store.lock:
        issue = access.issue(number)
        access.require_author_or(issue.user, "triage")
        return apply_issue_edit(access, issue, body, login)


def apply_issue_edit(
    access: RepoAccess, issue: Issue, body: dict[str, Any], login: str
) -> dict[str, Any]:
    """Apply a PATCH body to an issue/PR and send the events it causes."""
    changes: dict[str, Any] = {}
    for field in ("title", "body"):
        if field in body and body[field] != getattr(issue, field):
            if field == "title" and not (isinstance(body[field], str) and body[field].strip()):
                raise validation_failed("Issue", "missing_field", "title")
            changes[field] = {"from": getattr(issue, field)}
            setattr(issue, field, body[field])
    before = list(issue.labels)
    if "labels" in body and access.can("triage"):
        issue.labels = resolve_labels(access, list(body["labels"] or []))
    if "assignees" in body and access.can("triage"):
        issue.assignees = [str(a) for a in body["assignees"] or []]
    state_action = None
    state = body.get("state")
    if state not in (None, "open", "closed"):
        raise validation_failed("Issue", "invalid", "state")
    if state == "closed" and issue.state == "open":
        issue.state, issue.closed_at, issue.closed_by = "closed", now_iso(), login
        issue.state_reason = body.get("state_reason") or "completed"
        state_action = "closed"
    elif state == "open" and issue.state == "closed":
        if issue.pull is not None and issue.pull.merged:
            raise validation_failed("PullRequest", "custom", message="Cannot reopen a merged PR")
        issue.state, issue.closed_at, issue.closed_by = "open", None, None
        issue.state_reason = "reopened"
        state_action = "reopened"
    if changes or state_action or before != issue.labels or "assignees" in body:
        issue.updated_at = now_iso()
    emulator, repo = access.emulator, access.repo
    if changes:
        issue_event(emulator, repo, issue, "edited", login, changes=changes)
    label_diff_events(emulator, repo, issue, before, login)
    if state_action:
        issue_event(emulator, repo, issue, state_action, login)
    return rest_issue_json(access.store, repo, issue)


@router.get("/repos/{owner}/{repo}/issues")
def list_issues(request: Request, owner: str, repo: str) -> Response:
    """Issues and PRs filtered by state, labels, creator and assignee."""
    access = repo_access(request, owner, repo)
    query = request.query_params
    state = query.get("state", "open")
    wanted = [s.strip().lower() for s in query.get("labels", "").split(",") if s.strip()]
    with access.store.lock:
        issues = list(access.repo.issues.values())
        if state != "all":
            issues = [i for i in issues if i.state == state]
        if wanted:
            issues = [i for i in issues if set(wanted) <= {n.lower() for n in i.labels}]
        if creator := query.get("creator"):
            issues = [i for i in issues if i.user.lower() == creator.lower()]
        if assignee := query.get("assignee"):
            issues = [i for i in issues if assignee in i.assignees or assignee == "*"]
        key = "updated_at" if query.get("sort") == "updated" else "number"
        issues.sort(key=lambda i: getattr(i, key), reverse=query.get("direction") != "asc")
        items = [rest_issue_json(access.store, access.repo, i) for i in issues]
    return paginated(request, items)


@router.get("/repos/{owner}/{repo}/issues/{number}/events")
def list_issue_events(request: Request, owner: str, repo: str, number: int) -> Response:
    """The issue's event log, oldest first: who added or removed which label, and when."""
    access = repo_access(request, owner, repo)
    with access.store.lock:
        issue = access.issue(number)
        items = [issue_event_json(access.store, access.repo, issue, e) for e in issue.events]
    return paginated(request, items)
