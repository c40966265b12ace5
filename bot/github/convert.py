"""GitHub REST JSON → the bot's records; pure, so GitHub's recorded examples can test it.

We convert from the JSON PyGithub received rather than from PyGithub attributes: reading an
attribute GitHub left out (e.g. `pull_request` on a plain issue in a listing) makes PyGithub
fetch the whole object again, one hidden GET per item.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from github.GithubObject import GithubObject

from bot.github.models import (
    CheckRun,
    CombinedStatus,
    Comment,
    Issue,
    IssueEvent,
    Label,
    PullFile,
    PullRequest,
    StatusContext,
)

Json = Mapping[str, Any]


def json_of(obj: GithubObject) -> Json:
    """The JSON GitHub answered for ``obj``, without triggering PyGithub's lazy completion."""
    data: Json = obj._rawData
    return data


def _login(data: Json, key: str = "user") -> str:
    user = data.get(key)
    return str(user.get("login", "")) if isinstance(user, Mapping) else ""


def _label_names(data: Json) -> tuple[str, ...]:
    labels = data.get("labels") or []
    return tuple(str(x["name"]) if isinstance(x, Mapping) else str(x) for x in labels)


def label(data: Json) -> Label:
    """A repository label."""
    return Label(
        name=str(data["name"]),
        color=str(data.get("color") or "").lower(),
        description=str(data.get("description") or ""),
    )


def is_pull_request(data: Json) -> bool:
    """Whether an item of the issues API is really a PR (GitHub lists both there)."""
    return data.get("pull_request") is not None


def issue(data: Json) -> Issue:
    """An issue from the issues API."""
    return Issue(
        number=int(data["number"]),
        title=str(data.get("title") or ""),
        body=str(data.get("body") or ""),
        state=str(data.get("state") or ""),
        labels=_label_names(data),
        author=_login(data),
        html_url=str(data.get("html_url") or ""),
        node_id=str(data.get("node_id") or ""),
        state_reason=data.get("state_reason"),
        updated_at=data.get("updated_at"),
    )


def comment(data: Json) -> Comment:
    """An issue comment."""
    return Comment(
        id=int(data["id"]),
        body=str(data.get("body") or ""),
        author=_login(data),
        html_url=str(data.get("html_url") or ""),
    )


def issue_event(data: Json) -> IssueEvent:
    """One entry of an issue's event log (only labeled/unlabeled carry a label)."""
    label = data.get("label")
    return IssueEvent(
        id=int(data["id"]),
        event=str(data.get("event") or ""),
        actor=_login(data, "actor"),
        created_at=str(data.get("created_at") or ""),
        label=str(label["name"]) if isinstance(label, Mapping) and "name" in label else None,
    )


def pull(data: Json) -> PullRequest:
    """A pull request (full object or list item)."""
    head = data.get("head") or {}
    base = data.get("base") or {}
    mergeable = data.get("mergeable")
    return PullRequest(
        number=int(data["number"]),
        title=str(data.get("title") or ""),
        body=str(data.get("body") or ""),
        state=str(data.get("state") or ""),
        merged=bool(data.get("merged") or data.get("merged_at")),
        mergeable=mergeable if isinstance(mergeable, bool) else None,
        head_ref=str(head.get("ref") or ""),
        head_sha=str(head.get("sha") or ""),
        base_ref=str(base.get("ref") or ""),
        html_url=str(data.get("html_url") or ""),
        labels=_label_names(data),
        author=_login(data),
        draft=bool(data.get("draft")),
        merge_commit_sha=data.get("merge_commit_sha"),
        head_repo=_full_name(head.get("repo")),
        base_repo=_full_name(base.get("repo")),
    )


def _full_name(repo: object) -> str:
    """A ref's repository (None for a deleted fork) as OWNER/NAME, or ""."""
    return str(repo.get("full_name") or "") if isinstance(repo, Mapping) else ""


def check_run(data: Json) -> CheckRun:
    """A check run."""
    return CheckRun(
        id=int(data["id"]),
        name=str(data.get("name") or ""),
        head_sha=str(data.get("head_sha") or ""),
        status=str(data.get("status") or ""),
        conclusion=data.get("conclusion"),
        html_url=data.get("html_url"),
        app_slug=_app_slug(data.get("app")),
    )


def _app_slug(app: object) -> str | None:
    return str(app["slug"]) if isinstance(app, Mapping) and app.get("slug") else None


def combined_status(data: Json) -> CombinedStatus:
    """The combined status of a ref."""
    return CombinedStatus(
        state=str(data.get("state") or ""),
        sha=str(data.get("sha") or ""),
        statuses=tuple(
            StatusContext(
                context=str(s.get("context") or ""),
                state=str(s.get("state") or ""),
                target_url=s.get("target_url"),
                description=s.get("description"),
                creator=_login(s, "creator") or None,
            )
            for s in data.get("statuses") or []
        ),
    )


def pull_file(data: Json) -> PullFile:
    """One entry of ``GET /pulls/{n}/files`` (added/removed/modified/renamed/...)."""
    return PullFile(
        filename=str(data["filename"]),
        status=str(data.get("status") or "modified"),
        additions=int(data.get("additions") or 0),
        deletions=int(data.get("deletions") or 0),
    )
