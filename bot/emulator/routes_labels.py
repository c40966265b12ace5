"""Labels: the repository's set, and the labels on one issue (add, remove, replace)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import unquote

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from bot.emulator.access import repo_access
from bot.emulator.events import label_changes, label_diff_events, repo_label_event
from bot.emulator.routes_issues import resolve_labels
from bot.emulator.serializers import label_json
from bot.emulator.state import Label, now_iso
from bot.emulator.web import (
    ApiError,
    JsonBody,
    JsonObject,
    Router,
    created,
    not_found,
    paginated,
    validation_failed,
)

router = Router()


def _names(body: Any) -> list[Any]:
    """Label names from either ``["a"]`` or ``{"labels": ["a"]}`` (both are accepted)."""
    if isinstance(body, list):
        return body
    if isinstance(body, dict) and isinstance(body.get("labels"), list):
        return list(body["labels"])
    raise validation_failed("Label", "invalid", "labels")


@router.get("/repos/{owner}/{repo}/labels")
def list_labels(request: Request, owner: str, repo: str) -> Response:
    """Every label of the repository."""
    access = repo_access(request, owner, repo)
    with access.store.lock:
        labels = [label_json(access.store, access.repo, lb) for lb in access.repo.labels.values()]
    return paginated(request, labels)


@router.post("/repos/{owner}/{repo}/labels", status_code=201)
def create_label(request: Request, owner: str, repo: str, body: JsonObject) -> JSONResponse:
    """Create a label (422 ``already_exists`` if the name is taken, case-insensitively)."""
    access = repo_access(request, owner, repo)
    login = access.require("write")
    name = body.get("name") if isinstance(body, dict) else None
    if not isinstance(name, str) or not name.strip():
        raise validation_failed("Label", "missing_field", "name")
    color = str(body.get("color") or "ededed").lstrip("#").lower()
    if len(color) != 6 or any(c not in "0123456789abcdef" for c in color):
        raise validation_failed("Label", "invalid", "color")
    with access.store.lock:
        if access.repo.label_key(name) is not None:
            raise validation_failed("Label", "already_exists", "name")
        label = Label(access.store.next_id(), name, color, body.get("description"))
        access.repo.labels[name] = label
        repo_label_event(access.emulator, access.repo, label, "created", sender=login)
        return created(label_json(access.store, access.repo, label))


@router.get("/repos/{owner}/{repo}/labels/{name:path}")
def get_label(request: Request, owner: str, repo: str, name: str) -> dict[str, Any]:
    """One label by name."""
    access = repo_access(request, owner, repo)
    key = access.repo.label_key(unquote(name))
    if key is None:
        raise not_found()
    return label_json(access.store, access.repo, access.repo.labels[key])


@router.patch("/repos/{owner}/{repo}/labels/{name:path}")
def update_label(
    request: Request, owner: str, repo: str, name: str, body: JsonObject
) -> dict[str, Any]:
    """Rename or recolor a label."""
    access = repo_access(request, owner, repo)
    login = access.require("write")
    with access.store.lock:
        key = access.repo.label_key(unquote(name))
        if key is None:
            raise not_found()
        label = access.repo.labels.pop(key)
        before = replace(label)
        label.name = str(body.get("new_name") or label.name)
        label.color = str(body.get("color") or label.color).lstrip("#")
        label.description = body.get("description", label.description)
        access.repo.labels[label.name] = label
        for issue in access.repo.issues.values():
            issue.labels = [label.name if n == key else n for n in issue.labels]
        if changes := label_changes(before, label):
            repo_label_event(
                access.emulator, access.repo, label, "edited", sender=login, changes=changes
            )
        return label_json(access.store, access.repo, label)


@router.delete("/repos/{owner}/{repo}/labels/{name:path}", status_code=204)
def delete_label(request: Request, owner: str, repo: str, name: str) -> Response:
    """Delete a label (and remove it from every issue)."""
    access = repo_access(request, owner, repo)
    login = access.require("write")
    with access.store.lock:
        key = access.repo.label_key(unquote(name))
        if key is None:
            raise not_found()
        label = access.repo.labels.pop(key)
        for issue in access.repo.issues.values():
            issue.labels = [n for n in issue.labels if n != key]
        repo_label_event(access.emulator, access.repo, label, "deleted", sender=login)
    return Response(status_code=204)


@router.get("/repos/{owner}/{repo}/issues/{number}/labels")
def list_issue_labels(request: Request, owner: str, repo: str, number: int) -> Response:
    """Labels on one issue."""
    access = repo_access(request, owner, repo)
    with access.store.lock:
        issue = access.issue(number)
        items = [label_json(access.store, access.repo, access.repo.labels[n]) for n in issue.labels]
    return paginated(request, items)


def _change_labels(
    request: Request, owner: str, repo: str, number: int, *, body: Any, replace: bool
) -> list[dict[str, Any]]:
    access = repo_access(request, owner, repo)
    login = access.require("triage")
    with access.store.lock:
        issue = access.issue(number)
        before = list(issue.labels)
        names = resolve_labels(access, _names(body))
        issue.labels = names if replace else before + [n for n in names if n not in before]
        if issue.labels != before:
            issue.updated_at = now_iso()
        label_diff_events(access.emulator, access.repo, issue, before, login)
        return [label_json(access.store, access.repo, access.repo.labels[n]) for n in issue.labels]


@router.post("/repos/{owner}/{repo}/issues/{number}/labels")
def add_labels(
    request: Request, owner: str, repo: str, number: int, body: JsonBody
) -> list[dict[str, Any]]:
    """Add labels to an issue (unknown labels are created)."""
    return _change_labels(request, owner, repo, number, body=body, replace=False)


@router.put("/repos/{owner}/{repo}/issues/{number}/labels")
def set_labels(
    request: Request, owner: str, repo: str, number: int, body: JsonBody
) -> list[dict[str, Any]]:
    """Replace all labels of an issue."""
    return _change_labels(request, owner, repo, number, body=body, replace=True)


@router.delete("/repos/{owner}/{repo}/issues/{number}/labels/{name:path}")
def remove_label(
    request: Request, owner: str, repo: str, number: int, name: str
) -> list[dict[str, Any]]:
    """Remove one label from an issue (404 ``Label does not exist`` if it is not there)."""
    access = repo_access(request, owner, repo)
    login = access.require("triage")
    with access.store.lock:
        issue = access.issue(number)
        key = access.repo.label_key(unquote(name))
        if key is None or key not in issue.labels:
            raise ApiError(404, "Label does not exist")
        before = list(issue.labels)
        issue.labels.remove(key)
        issue.updated_at = now_iso()
        label_diff_events(access.emulator, access.repo, issue, before, login)
        return [label_json(access.store, access.repo, access.repo.labels[n]) for n in issue.labels]
