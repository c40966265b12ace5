"""Plain frozen records of GitHub data: what the bot sees instead of PyGithub objects."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Label:
    """A repository label."""

    name: str
    color: str
    description: str = ""


@dataclass(frozen=True)
class Issue:
    """An issue (never a pull request: listings drop those)."""

    number: int
    title: str
    body: str
    state: str
    labels: tuple[str, ...]
    author: str
    html_url: str
    node_id: str = ""
    state_reason: str | None = None
    updated_at: str | None = None  # changes with the body, labels, comments (second resolution)


@dataclass(frozen=True)
class Comment:
    """A comment on an issue or pull request conversation."""

    id: int
    body: str
    author: str
    html_url: str


@dataclass(frozen=True)
class IssueEvent:
    """One entry of an issue's event log: who added or removed which label, and when."""

    id: int
    event: str
    actor: str
    created_at: str
    label: str | None = None


@dataclass(frozen=True)
class PullRequest:
    """A pull request with the fields the pipeline and the merge gates decide on."""

    number: int
    title: str
    body: str
    state: str
    merged: bool
    mergeable: bool | None
    head_ref: str
    head_sha: str
    base_ref: str
    html_url: str
    labels: tuple[str, ...]
    author: str
    draft: bool = False
    merge_commit_sha: str | None = None
    head_repo: str = ""  # OWNER/NAME the head branch lives in: a fork's when it differs
    base_repo: str = ""


@dataclass(frozen=True)
class PullFile:
    """One file a pull request changes, as GitHub's files tab lists it."""

    filename: str
    status: str
    additions: int
    deletions: int


@dataclass(frozen=True)
class CheckOutput:
    """The text a check run shows on the PR's Checks tab."""

    title: str
    summary: str
    text: str = ""

    def as_payload(self) -> dict[str, str]:
        """The `output` object of the check-runs API."""
        payload = {"title": self.title, "summary": self.summary}
        if self.text:
            payload["text"] = self.text
        return payload


@dataclass(frozen=True)
class CheckRun:
    """One check run on a commit."""

    id: int
    name: str
    head_sha: str
    status: str
    conclusion: str | None
    html_url: str | None = None
    app_slug: str | None = None  # which GitHub App reported it (`github-actions` for Actions)


@dataclass(frozen=True)
class StatusContext:
    """One commit status (the older statuses API some CI systems still use)."""

    context: str
    state: str
    target_url: str | None = None
    description: str | None = None
    creator: str | None = None  # who posted it: anyone with write access can post a status


@dataclass(frozen=True)
class CombinedStatus:
    """The combined commit status of a ref: overall state plus each context."""

    state: str
    sha: str
    statuses: tuple[StatusContext, ...] = ()
