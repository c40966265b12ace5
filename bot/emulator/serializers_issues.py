"""GitHub's JSON shapes for issues and their comments."""

from __future__ import annotations

from typing import Any

from bot.emulator.serializers import (
    label_json,
    node_id,
    reactions_rollup,
    repo_api,
    user_json,
)
from bot.emulator.state import Comment, Issue, IssueEvent, Repo, Store


def author_association(store: Store, repo: Repo, login: str) -> str:
    """OWNER / MEMBER / COLLABORATOR / NONE, as GitHub labels an author on a repo."""
    if login.lower() == repo.owner.lower():
        return "OWNER"
    owner = store.user(repo.owner)
    permission = store.permission(repo, login)
    if permission in {"admin", "maintain"} and owner is not None and owner.type == "Organization":
        return "MEMBER"
    if permission != "none":
        return "COLLABORATOR"
    return "NONE"


def issue_json(store: Store, repo: Repo, issue: Issue) -> dict[str, Any]:
    """An issue in the shape webhooks allow (REST adds ``closed_by``)."""
    api = f"{repo_api(store, repo)}/issues/{issue.number}"
    kind = "pull" if issue.pull is not None else "issues"
    html = f"{store.base_url}/{repo.full_name}/{kind}/{issue.number}"
    comments = sum(1 for c in repo.comments.values() if c.issue_number == issue.number)
    labels = [repo.labels[name] for name in issue.labels if name in repo.labels]
    assignees = [user_json(store, login) for login in issue.assignees]
    data: dict[str, Any] = {
        "url": api,
        "repository_url": repo_api(store, repo),
        "labels_url": f"{api}/labels{{/name}}",
        "comments_url": f"{api}/comments",
        "events_url": f"{api}/events",
        "html_url": html,
        "id": issue.id,
        "node_id": node_id("I", issue.id),
        "number": issue.number,
        "title": issue.title,
        "user": user_json(store, issue.user),
        "labels": [label_json(store, repo, label) for label in labels],
        "state": issue.state,
        "locked": issue.locked,
        "assignee": assignees[0] if assignees else None,
        "assignees": assignees,
        "milestone": None,
        "comments": comments,
        "created_at": issue.created_at,
        "updated_at": issue.updated_at,
        "closed_at": issue.closed_at,
        "author_association": author_association(store, repo, issue.user),
        "active_lock_reason": None,
        "body": issue.body,
        "reactions": reactions_rollup(api, issue.reactions),
        "timeline_url": f"{api}/timeline",
        "performed_via_github_app": None,
        "state_reason": issue.state_reason,
        "draft": False,
    }
    if issue.pull is not None:
        pulls = f"{repo_api(store, repo)}/pulls/{issue.number}"
        data["draft"] = issue.pull.draft
        data["pull_request"] = {
            "url": pulls,
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "merged_at": issue.pull.merged_at,
        }
    return data


def rest_issue_json(store: Store, repo: Repo, issue: Issue) -> dict[str, Any]:
    """An issue as the REST API returns it."""
    closed_by = user_json(store, issue.closed_by) if issue.closed_by else None
    return issue_json(store, repo, issue) | {"closed_by": closed_by}


def comment_json(store: Store, repo: Repo, comment: Comment) -> dict[str, Any]:
    """An issue comment (same shape in webhooks and REST)."""
    api = f"{repo_api(store, repo)}/issues/comments/{comment.id}"
    issue = repo.issues.get(comment.issue_number)
    kind = "pull" if issue is not None and issue.pull is not None else "issues"
    html = f"{store.base_url}/{repo.full_name}/{kind}/{comment.issue_number}"
    return {
        "url": api,
        "html_url": f"{html}#issuecomment-{comment.id}",
        "issue_url": f"{repo_api(store, repo)}/issues/{comment.issue_number}",
        "id": comment.id,
        "node_id": node_id("IC", comment.id),
        "user": user_json(store, comment.user),
        "created_at": comment.created_at,
        "updated_at": comment.updated_at,
        "author_association": author_association(store, repo, comment.user),
        "body": comment.body,
        "reactions": reactions_rollup(api, comment.reactions),
        "performed_via_github_app": None,
    }


def issue_event_json(store: Store, repo: Repo, issue: Issue, event: IssueEvent) -> dict[str, Any]:
    """One entry of `GET /repos/{owner}/{repo}/issues/{n}/events` (a labeled/unlabeled event).

    GitHub keeps the label's name and color as they were; a deleted label still shows.
    """
    label = repo.labels.get(event.label or "")
    return {
        "id": event.id,
        "node_id": node_id("LE" if event.event == "labeled" else "UNLE", event.id),
        "url": f"{repo_api(store, repo)}/issues/events/{event.id}",
        "actor": user_json(store, event.actor),
        "event": event.event,
        "commit_id": None,
        "commit_url": None,
        "created_at": event.created_at,
        "performed_via_github_app": None,
        "label": {"name": event.label or "", "color": label.color if label else "ededed"},
    }
