"""The emulator's in-memory world: plain dataclasses behind one re-entrant lock.

Route handlers take ``store.lock`` for every read-modify-write, so concurrent PyGithub
clients, git pushes and the webhook sender see one consistent GitHub.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.emulator.keys import shared_key_pair
from bot.emulator.seed import DEFAULT_APP_EVENTS, DEFAULT_APP_PERMISSIONS, PERMISSION_LEVELS


def now_iso() -> str:
    """GitHub's timestamp format: UTC, second precision, trailing Z."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class User:
    """An account (user, bot or organization)."""

    id: int
    login: str
    type: str = "User"
    name: str | None = None
    email: str | None = None
    created_at: str = field(default_factory=now_iso)


@dataclass
class Label:
    """A repository label."""

    id: int
    name: str
    color: str
    description: str | None
    default: bool = False


@dataclass
class Reaction:
    """One reaction (+1, heart, eyes...) by one user."""

    id: int
    content: str
    user: str
    created_at: str = field(default_factory=now_iso)


@dataclass
class Comment:
    """An issue or pull-request conversation comment."""

    id: int
    issue_number: int
    body: str
    user: str
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)
    reactions: list[Reaction] = field(default_factory=list)


@dataclass
class PullInfo:
    """The pull-request half of an issue that is a PR."""

    head_ref: str
    head_sha: str
    base_ref: str
    base_sha: str
    draft: bool = False
    merged: bool = False
    merged_at: str | None = None
    merged_by: str | None = None
    merge_commit_sha: str | None = None
    maintainer_can_modify: bool = False
    head_repo: str | None = None  # a fork's OWNER/NAME; None when the head is in this repo
    requested_reviewers: list[str] = field(default_factory=list)
    requested_teams: list[str] = field(default_factory=list)
    # The (base tip, head) pair mergeability was last computed for: until a read of the PR
    # has asked GitHub to compute it for the current pair, ``mergeable`` is null.
    mergeability_for: tuple[str, str] | None = None


@dataclass
class Issue:
    """An issue; pull requests are issues with ``pull`` set (they share numbering)."""

    id: int
    number: int
    title: str
    body: str | None
    user: str
    state: str = "open"
    state_reason: str | None = None
    labels: list[str] = field(default_factory=list)
    assignees: list[str] = field(default_factory=list)
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)
    closed_at: str | None = None
    closed_by: str | None = None
    locked: bool = False
    reactions: list[Reaction] = field(default_factory=list)
    pull: PullInfo | None = None
    pull_id: int = 0
    events: list[IssueEvent] = field(default_factory=list)


@dataclass(frozen=True)
class IssueEvent:
    """One entry of an issue's event log (`GET .../issues/{n}/events`): who did what, when."""

    id: int
    event: str  # labeled / unlabeled
    actor: str
    created_at: str
    label: str | None = None


@dataclass
class Team:
    """An organization team with access to a repository (requested as a reviewer by slug)."""

    id: int
    slug: str
    name: str
    permission: str = "push"
    description: str | None = None


@dataclass
class CheckRun:
    """A check run reported by an app (a Bot user) on a commit."""

    id: int
    name: str
    head_sha: str
    app: str
    suite_id: int
    status: str = "queued"
    conclusion: str | None = None
    started_at: str = field(default_factory=now_iso)
    completed_at: str | None = None
    details_url: str | None = None
    external_id: str | None = None
    output: dict[str, Any] = field(default_factory=dict)


@dataclass
class Status:
    """A commit status (the older API CI systems use)."""

    id: int
    sha: str
    state: str
    context: str
    creator: str
    description: str | None = None
    target_url: str | None = None
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)


@dataclass
class App:
    """A GitHub App with its installations (one per repo owner it is installed on)."""

    id: int
    slug: str
    name: str
    owner: str
    bot_login: str
    public_key: str | None  # None: the emulator's generated pair (see ``verifying_key``)
    installation_id: int
    repos: list[str] = field(default_factory=list)
    created_at: str = field(default_factory=now_iso)
    permissions: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_APP_PERMISSIONS))
    events: list[str] = field(default_factory=lambda: list(DEFAULT_APP_EVENTS))

    def verifying_key(self) -> str:
        """The public key that checks this App's JWTs (a generated one is made on first use)."""
        return self.public_key or shared_key_pair()[1]


@dataclass
class Repo:
    """A repository: metadata, a bare git dir, and everything hanging off it."""

    id: int
    owner: str
    name: str
    git_dir: Path
    default_branch: str = "main"
    private: bool = False
    description: str | None = None
    parent: str | None = None  # the repository this one is a fork of
    created_at: str = field(default_factory=now_iso)
    pushed_at: str = field(default_factory=now_iso)
    permissions: dict[str, str] = field(default_factory=dict)
    labels: dict[str, Label] = field(default_factory=dict)
    issues: dict[int, Issue] = field(default_factory=dict)
    comments: dict[int, Comment] = field(default_factory=dict)
    check_runs: dict[int, CheckRun] = field(default_factory=dict)
    statuses: list[Status] = field(default_factory=list)
    protection: dict[str, list[str]] = field(default_factory=dict)
    check_suites: dict[tuple[str, str], int] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    # GitHub's defaults for a new repository: all three merge buttons enabled.
    merge_methods: dict[str, bool] = field(
        default_factory=lambda: {"merge": True, "squash": True, "rebase": True}
    )

    @property
    def full_name(self) -> str:
        """owner/name, GitHub's global key for a repository."""
        return f"{self.owner}/{self.name}"

    def label_key(self, name: str) -> str | None:
        """The stored label matching ``name`` case-insensitively, as GitHub matches labels."""
        for key in self.labels:
            if key.lower() == name.lower():
                return key
        return None


@dataclass
class InstallationToken:
    """A short-lived token minted for an app installation."""

    token: str
    login: str
    expires_at: datetime


class Store:
    """All emulator state plus the id counters; every mutation happens under ``lock``."""

    def __init__(self, root: Path, base_url: str = "http://127.0.0.1") -> None:
        self.root = root
        self.base_url = base_url.rstrip("/")
        self.lock = threading.RLock()
        self.users: dict[str, User] = {}
        self.tokens: dict[str, str] = {}
        self.install_tokens: dict[str, InstallationToken] = {}
        self.repos: dict[str, Repo] = {}
        self.apps: dict[int, App] = {}
        # (org, team slug) lowercased → member login → role (`member` or `maintainer`).
        self.team_members: dict[tuple[str, str], dict[str, str]] = {}
        self._ids = itertools.count(1)

    def next_id(self) -> int:
        """A fresh id, unique across every object type (as GitHub's ids are per table)."""
        with self.lock:
            return next(self._ids)

    def repo(self, owner: str, name: str) -> Repo | None:
        """The repository owner/name, matched case-insensitively like GitHub."""
        wanted = f"{owner}/{name}".lower()
        for key, repo in self.repos.items():
            if key.lower() == wanted:
                return repo
        return None

    def user(self, login: str) -> User | None:
        """The account named ``login`` (case-insensitive)."""
        for key, user in self.users.items():
            if key.lower() == login.lower():
                return user
        return None

    def ensure_user(self, login: str, type_: str = "User") -> User:
        """The account ``login``, created on first mention (organizations, app bots)."""
        with self.lock:
            found = self.user(login)
            if found is None:
                found = User(id=self.next_id(), login=login, type=type_)
                self.users[login] = found
            return found

    def team_exists(self, org: str, slug: str) -> bool:
        """Whether ``org`` has a team ``slug`` (with repository access or with members)."""
        key = (org.lower(), slug.lower())
        if key in self.team_members:
            return True
        return any(
            repo.owner.lower() == key[0] and any(t.lower() == key[1] for t in repo.teams)
            for repo in self.repos.values()
        )

    def team_role(self, org: str, slug: str, login: str) -> str | None:
        """``login``'s role in team ``org/slug``, or None if not a member (case-insensitive)."""
        members = self.team_members.get((org.lower(), slug.lower()), {})
        return next((r for u, r in members.items() if u.lower() == login.lower()), None)

    def permission(self, repo: Repo, login: str | None) -> str:
        """The effective permission name of ``login`` on ``repo`` (owner is admin)."""
        if login is None:
            return "read" if not repo.private else "none"
        if login.lower() == repo.owner.lower():
            return "admin"
        explicit = next(
            (p for u, p in repo.permissions.items() if u.lower() == login.lower()), None
        )
        if explicit is not None:
            return explicit
        return "none"

    def can(self, repo: Repo, login: str | None, needed: str) -> bool:
        """Whether ``login`` holds at least ``needed`` on ``repo`` (public repos: read for all)."""
        level = PERMISSION_LEVELS[self.permission(repo, login)]
        if not repo.private:
            level = max(level, PERMISSION_LEVELS["read"])
        return level >= PERMISSION_LEVELS[needed]
