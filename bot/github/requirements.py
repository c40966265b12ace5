"""What the bot needs from GitHub: the App permissions and webhook events, each with its reason.

The one source for the App manifest (`issuebot app manifest`), the README's "Set up on GitHub"
list and `issuebot doctor`'s permission and event gates. Derived from what the code uses: the
operations of ``bot.github`` (the endpoints they call) and the events ``bot.events.router``
routes. Permission names and levels are GitHub's (``GET /app`` → ``permissions``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from bot.events.router import CHECK_EVENTS

Access = Literal["read", "write"]
ACCESS_RANK: dict[str, int] = {"none": 0, "read": 1, "write": 2, "admin": 3}


@dataclass(frozen=True)
class Need:
    """One permission (or event) the bot needs, and the operations that need it."""

    name: str
    access: Access | None
    why: str


# Repository permissions, from the endpoints `bot.github` calls.
PERMISSIONS: tuple[Need, ...] = (
    Need("actions", "read", "receive `workflow_run` events (CI finished on a bot PR)"),
    Need("checks", "write", "report the bot's own check run; read CI's check runs"),
    Need("contents", "write", "read the config and spec, push the branch, merge, delete it"),
    Need("issues", "write", "comment, label and close the requesting issue"),
    Need("metadata", "read", "read the repository and its collaborators' permissions"),
    Need("pull_requests", "write", "open and update the PR, request reviewers, merge"),
    Need("statuses", "read", "read commit statuses for the merge gate"),
)
# Needed only when `.github/issuebot.yml` names `approval.teams` (organisation permission).
TEAM_PERMISSION = Need("members", "read", "check team membership for `approval.teams`")

# Webhook events, from what `bot.events.router.route` acts on (`ping` needs no subscription).
_EVENT_WHY: dict[str, str] = {
    "issues": "a request is opened, edited or approved by label",
    "issue_comment": "`/implement`, `/retry` and the other commands",
    "pull_request": "the bot's PR is merged or closed",
    "check_suite": "CI finished on the PR's head: the merge gate runs",
    "check_run": "one required check finished: the merge gate runs",
    "workflow_run": "an Actions workflow finished: the merge gate runs",
}
EVENTS: tuple[Need, ...] = tuple(
    Need(name, None, _EVENT_WHY[name])
    for name in ("issues", "issue_comment", "pull_request", *CHECK_EVENTS)
)


def required_permissions(*, teams: bool = False) -> dict[str, str]:
    """Permission name → level, as GitHub's manifest and `GET /app` write them."""
    needs = (*PERMISSIONS, TEAM_PERMISSION) if teams else PERMISSIONS
    return {need.name: str(need.access) for need in needs}


def required_events() -> list[str]:
    """Webhook event names the App must subscribe to."""
    return [need.name for need in EVENTS]


def missing_permissions(granted: Mapping[str, str], *, teams: bool = False) -> dict[str, str]:
    """Each required permission that ``granted`` lacks or holds below the needed level."""
    return {
        name: level
        for name, level in required_permissions(teams=teams).items()
        if ACCESS_RANK.get(granted.get(name, "none"), 0) < ACCESS_RANK[level]
    }


def missing_events(subscribed: list[str]) -> list[str]:
    """Each required event the App is not subscribed to."""
    have = set(subscribed)
    return [name for name in required_events() if name not in have]


def manifest(url: str, *, name: str = "issuebot", description: str = "") -> dict[str, object]:
    """The GitHub App manifest for GitHub's manifest flow, webhook at ``url``/webhook.

    Parameters as documented in "Registering a GitHub App from a manifest": ``hook_attributes``
    (``url``, ``active``), ``redirect_url``, ``public``, ``default_permissions``,
    ``default_events``.
    """
    base = url.rstrip("/")
    return {
        "name": name,
        "url": base,
        "description": description
        or "Issue-first bot: approved entity requests become tested, linked pull requests.",
        "hook_attributes": {"url": f"{base}/webhook", "active": True},
        "redirect_url": f"{base}/",
        "public": False,
        "default_permissions": required_permissions(),
        "default_events": required_events(),
    }


def readme_table() -> str:
    """The README's permission and event list, generated here and checked by a test."""
    rows = ["| permission / event | access | why |", "| --- | --- | --- |"]
    rows += [f"| `{n.name}` | {n.access} | {n.why} |" for n in PERMISSIONS]
    rows.append(
        f"| `{TEAM_PERMISSION.name}` (organisation, optional) | {TEAM_PERMISSION.access} "
        f"| {TEAM_PERMISSION.why} |"
    )
    rows += [f"| event `{n.name}` | — | {n.why} |" for n in EVENTS]
    return "\n".join(rows)
