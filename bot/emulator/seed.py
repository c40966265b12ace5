"""What a fresh emulator contains: users, tokens, repos, permissions, labels, webhook, apps.

One pydantic model, loadable from a JSON file (``issuebot emulator --seed FILE``), so a demo
or a test describes its whole GitHub in one place instead of a sequence of API calls.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.errors import ConfigError

Permission = Literal["admin", "maintain", "write", "triage", "read", "none"]
MergeMethod = Literal["merge", "squash", "rebase"]
TeamRole = Literal["member", "maintainer"]
PERMISSION_LEVELS: dict[str, int] = {
    "none": 0,
    "read": 1,
    "triage": 2,
    "write": 3,
    "maintain": 4,
    "admin": 5,
}


DEFAULT_APP_PERMISSIONS: dict[str, Literal["read", "write", "admin"]] = {
    "checks": "write",
    "contents": "write",
    "issues": "write",
    "metadata": "read",
    "pull_requests": "write",
    "statuses": "write",
}
DEFAULT_APP_EVENTS = ["check_run", "check_suite", "issue_comment", "issues", "pull_request", "push"]


class UserSeed(BaseModel):
    """A GitHub account and the one token that authenticates it."""

    model_config = ConfigDict(extra="forbid")

    login: str
    token: str
    type: Literal["User", "Bot", "Organization"] = "User"
    name: str | None = None
    email: str | None = None


class LabelSeed(BaseModel):
    """A repository label as GitHub stores it (color is 6 hex digits, no '#')."""

    model_config = ConfigDict(extra="forbid")

    name: str
    color: str = "ededed"
    description: str | None = None


class RepoSeed(BaseModel):
    """A repository: its initial commit (files or a source directory) and who may do what."""

    model_config = ConfigDict(extra="forbid")

    full_name: str
    default_branch: str = "main"
    private: bool = False
    description: str | None = None
    files: dict[str, str] = Field(default_factory=dict)
    source_dir: Path | None = None
    permissions: dict[str, Permission] = Field(default_factory=dict)
    labels: list[LabelSeed] = Field(default_factory=list)
    required_checks: dict[str, list[str]] = Field(default_factory=dict)
    # Merge buttons turned on or off (GitHub enables all three on a new repository).
    merge_methods: dict[MergeMethod, bool] = Field(default_factory=dict)


class TeamSeed(BaseModel):
    """An organization team: its members (with role) and the repositories it can access."""

    model_config = ConfigDict(extra="forbid")

    org: str
    slug: str
    members: dict[str, TeamRole] = Field(default_factory=dict)
    repos: list[str] = Field(default_factory=list)
    permission: Literal["pull", "triage", "push", "maintain", "admin"] = "push"


class AppSeed(BaseModel):
    """A GitHub App: its id, bot login and RSA key (public key verifies the JWTs it signs)."""

    model_config = ConfigDict(extra="forbid")

    id: int
    slug: str
    name: str
    owner: str
    bot_login: str
    public_key: str | None = None
    private_key: str | None = None
    installed_on: list[str] = Field(default_factory=list)
    # What the App was granted and subscribes to (``GET /app``); GitHub's names and levels.
    permissions: dict[str, Literal["read", "write", "admin"]] = Field(
        default_factory=lambda: dict(DEFAULT_APP_PERMISSIONS)
    )
    events: list[str] = Field(default_factory=lambda: list(DEFAULT_APP_EVENTS))


class WebhookSeed(BaseModel):
    """Where every repository event is delivered, and the secret that signs it."""

    model_config = ConfigDict(extra="forbid")

    url: str
    secret: str | None = None


class Seed(BaseModel):
    """The whole initial state of an emulator."""

    model_config = ConfigDict(extra="forbid")

    users: list[UserSeed] = Field(default_factory=list)
    repos: list[RepoSeed] = Field(default_factory=list)
    apps: list[AppSeed] = Field(default_factory=list)
    teams: list[TeamSeed] = Field(default_factory=list)
    webhook: WebhookSeed | None = None

    @classmethod
    def from_file(cls, path: Path) -> Seed:
        """Read a seed JSON file; relative ``source_dir`` values are relative to the file."""
        try:
            seed = cls.model_validate(json.loads(path.read_text()))
        except (OSError, ValueError) as exc:
            lines = str(exc).splitlines()
            detail = " ".join(lines[:3]) if lines else type(exc).__name__
            raise ConfigError(f"seed file {path}: {detail}") from exc
        for repo in seed.repos:
            if repo.source_dir is not None and not repo.source_dir.is_absolute():
                repo.source_dir = path.parent / repo.source_dir
            if repo.source_dir is not None and not repo.source_dir.is_dir():
                raise ConfigError(
                    f"seed file {path}: source_dir {repo.source_dir} is not a directory"
                )
        return seed


DEFAULT_USERS: list[UserSeed] = [
    UserSeed(login="issuebot[bot]", token="ghs_issuebot_bot_token", type="Bot"),  # noqa: S106
    UserSeed(login="maintainer", token="ghp_maintainer_token", name="Mae Maintainer"),  # noqa: S106
    UserSeed(login="writer", token="ghp_writer_token", name="Wren Writer"),  # noqa: S106
    UserSeed(login="reader", token="ghp_reader_token", name="Rey Reader"),  # noqa: S106
    UserSeed(login="stranger", token="ghp_stranger_token"),  # noqa: S106
    UserSeed(login="ci-bot", token="ghs_ci_bot_token", type="Bot"),  # noqa: S106
]

DEFAULT_REPO = "acme/widgets"

DEFAULT_LABELS: list[LabelSeed] = [
    LabelSeed(name="bug", color="d73a4a", description="Something isn't working"),
    LabelSeed(name="enhancement", color="a2eeef", description="New feature or request"),
]


# One user per permission level, the bot installed with write (as an App would be), CI's bot.
DEFAULT_PERMISSIONS: dict[str, str] = {
    "maintainer": "admin",
    "writer": "write",
    "reader": "read",
    "issuebot[bot]": "write",
    "ci-bot": "write",
}


def default_seed() -> Seed:
    """The standard test world: acme/widgets with one user per permission level and two bots."""
    return Seed(
        users=[user.model_copy() for user in DEFAULT_USERS],
        repos=[
            RepoSeed(
                full_name=DEFAULT_REPO,
                description="Widgets for the acme platform",
                files={
                    "README.md": "# widgets\n\nThe acme widgets service.\n",
                    "widgets/__init__.py": '"""Widgets."""\n',
                },
                permissions=dict(DEFAULT_PERMISSIONS),
                labels=[label.model_copy() for label in DEFAULT_LABELS],
            )
        ],
        apps=[
            AppSeed(
                id=1001,
                slug="issuebot",
                name="issuebot",
                owner="acme",
                bot_login="issuebot[bot]",
                installed_on=[DEFAULT_REPO],
            )
        ],
    )
