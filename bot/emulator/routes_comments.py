"""Issue comments (list, create, get, edit, delete) and reactions on comments and issues."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from bot.emulator.access import RepoAccess, repo_access
from bot.emulator.events import comment_event
from bot.emulator.serializers import REACTION_CONTENTS, reaction_json
from bot.emulator.serializers_issues import comment_json
from bot.emulator.state import Comment, Reaction, now_iso
from bot.emulator.web import (
    ApiError,
    JsonObject,
    Router,
    created,
    not_found,
    paginated,
    validation_failed,
)

router = Router()


def _comment(access: RepoAccess, comment_id: int) -> Comment:
    found = access.repo.comments.get(comment_id)
    if found is None:
        raise not_found()
    return found


def _body_text(body: Any) -> str:
    text = body.get("body") if isinstance(body, dict) else None
    if not isinstance(text, str) or not text:
        raise validation_failed("IssueComment", "missing_field", "body")
    return text


@router.get("/repos/{owner}/{repo}/issues/{number}/comments")
def list_comments(request: Request, owner: str, repo: str, number: int) -> Response:
    """Comments on one issue, oldest first."""
    access = repo_access(request, owner, repo)
    with access.store.lock:
        access.issue(number)
        comments = [c for c in access.repo.comments.values() if c.issue_number == number]
        items = [comment_json(access.store, access.repo, c) for c in comments]
    return paginated(request, items)


@router.get("/repos/{owner}/{repo}/issues/comments")
def list_repo_comments(request: Request, owner: str, repo: str) -> Response:
    """Every issue comment in the repository."""
    access = repo_access(request, owner, repo)
    with access.store.lock:
        items = [comment_json(access.store, access.repo, c) for c in access.repo.comments.values()]
    return paginated(request, items)


@router.post("/repos/{owner}/{repo}/issues/{number}/comments", status_code=201)
def create_comment(
    request: Request, owner: str, repo: str, number: int, body: JsonObject
) -> JSONResponse:
    """Comment on an issue or PR (anyone who can read a public repo may)."""
    access = repo_access(request, owner, repo)
    login = access.require("read")
    text = _body_text(body)
    with access.store.lock:
        issue = access.issue(number)
        if issue.locked and not access.can("write"):
            raise ApiError(403, "Unable to create comment because issue is locked.")
        comment = Comment(access.store.next_id(), number, text, login)
        access.repo.comments[comment.id] = comment
        issue.updated_at = now_iso()
        data = comment_json(access.store, access.repo, comment)
        comment_event(access.emulator, access.repo, comment, "created", sender=login)
    return created(data)


@router.get("/repos/{owner}/{repo}/issues/comments/{comment_id}")
def get_comment(request: Request, owner: str, repo: str, comment_id: int) -> dict[str, Any]:
    """One comment."""
    access = repo_access(request, owner, repo)
    with access.store.lock:
        return comment_json(access.store, access.repo, _comment(access, comment_id))


@router.patch("/repos/{owner}/{repo}/issues/comments/{comment_id}")
def edit_comment(
    request: Request, owner: str, repo: str, comment_id: int, body: JsonObject
) -> dict[str, Any]:
    """Edit a comment: its author, or anyone with triage."""
    access = repo_access(request, owner, repo)
    login = access.require("read")
    text = _body_text(body)
    with access.store.lock:
        comment = _comment(access, comment_id)
        access.require_author_or(comment.user, "triage")
        old = comment.body
        comment.body, comment.updated_at = text, now_iso()
        if old != text:
            changes = {"body": {"from": old}}
            comment_event(
                access.emulator, access.repo, comment, "edited", sender=login, changes=changes
            )
        return comment_json(access.store, access.repo, comment)


@router.delete("/repos/{owner}/{repo}/issues/comments/{comment_id}", status_code=204)
def delete_comment(request: Request, owner: str, repo: str, comment_id: int) -> Response:
    """Delete a comment: its author, or anyone with triage."""
    access = repo_access(request, owner, repo)
    login = access.require("read")
    with access.store.lock:
        comment = _comment(access, comment_id)
        access.require_author_or(comment.user, "triage")
        comment_event(access.emulator, access.repo, comment, "deleted", sender=login)
        del access.repo.comments[comment_id]
    return Response(status_code=204)


def _react(access: RepoAccess, reactions: list[Reaction], body: Any) -> JSONResponse:
    login = access.require("read")
    content = body.get("content") if isinstance(body, dict) else None
    if content not in REACTION_CONTENTS:
        raise validation_failed("Reaction", "invalid", "content")
    existing = next((r for r in reactions if r.user == login and r.content == content), None)
    if existing is not None:  # GitHub answers 200 with the existing reaction
        return JSONResponse(reaction_json(access.store, existing), status_code=200)
    reaction = Reaction(access.store.next_id(), str(content), login)
    reactions.append(reaction)
    return JSONResponse(reaction_json(access.store, reaction), status_code=201)


@router.post("/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", status_code=201)
def react_comment(
    request: Request, owner: str, repo: str, comment_id: int, body: JsonObject
) -> JSONResponse:
    """React to a comment (200 if the same reaction already exists)."""
    access = repo_access(request, owner, repo)
    with access.store.lock:
        return _react(access, _comment(access, comment_id).reactions, body)


@router.get("/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions")
def comment_reactions(request: Request, owner: str, repo: str, comment_id: int) -> Response:
    """Reactions on a comment."""
    access = repo_access(request, owner, repo)
    with access.store.lock:
        found = _comment(access, comment_id).reactions
        items = [reaction_json(access.store, r) for r in found]
    return paginated(request, items)


@router.post("/repos/{owner}/{repo}/issues/{number}/reactions", status_code=201)
def react_issue(
    request: Request, owner: str, repo: str, number: int, body: JsonObject
) -> JSONResponse:
    """React to an issue."""
    access = repo_access(request, owner, repo)
    with access.store.lock:
        return _react(access, access.issue(number).reactions, body)


@router.get("/repos/{owner}/{repo}/issues/{number}/reactions")
def issue_reactions(request: Request, owner: str, repo: str, number: int) -> Response:
    """Reactions on an issue."""
    access = repo_access(request, owner, repo)
    with access.store.lock:
        items = [reaction_json(access.store, r) for r in access.issue(number).reactions]
    return paginated(request, items)
