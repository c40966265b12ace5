"""The issue side of ``PyGithubRepo``: repository facts, issues, labels, comments, reactions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from github.ContentFile import ContentFile
from github.GithubException import GithubException
from github.IssueComment import IssueComment

from bot.errors import PolicyDeniedError, UsageError
from bot.github import convert
from bot.github.audit import Approval
from bot.github.base import RepoBase
from bot.github.failures import message_of
from bot.github.markers import has_marker, with_marker
from bot.github.models import Comment, Issue, IssueEvent, Label
from bot.github.ops import OpClass, operation

READ, WRITE, DESTRUCTIVE = OpClass.READ, OpClass.WRITE, OpClass.DESTRUCTIVE
PERMISSIONS = ("admin", "maintain", "write", "triage", "read", "none")
REACTIONS = frozenset({"+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"})


def split_team(team: str, owner: str) -> tuple[str, str]:
    """`org/slug` (or `@org/slug`, as CODEOWNERS writes it) or a bare slug of ``owner``'s org."""
    org, _, slug = team.strip().lstrip("@").rpartition("/")
    if not slug or "/" in org:
        raise UsageError(f"team {team!r} is not `org/slug` or `slug`")
    return org or owner, slug


class IssueOps(RepoBase):
    """Issues, labels, comments and the repository-level reads."""

    @operation(READ)
    def default_branch(self) -> str:
        """The repository's default branch."""
        return self._repo.default_branch

    @operation(READ)
    def clone_url(self) -> str:
        """An http(s) clone URL with a fresh token as `x-access-token` (never log it)."""
        url = urlsplit(self._repo.clone_url)
        token = self._token()
        if token is None:
            return url.geturl()
        netloc = f"x-access-token:{token}@{url.hostname}" + (f":{url.port}" if url.port else "")
        return urlunsplit((url.scheme, netloc, url.path, url.query, url.fragment))

    @operation(READ)
    def read_file(self, path: str, ref: str | None = None) -> str | None:
        """A text file at ``ref`` (default branch if None); None if absent or a directory."""
        try:
            found = (
                self._repo.get_contents(path, ref=ref)
                if ref is not None
                else self._repo.get_contents(path)
            )
        except GithubException as exc:
            if exc.status == 404:
                return None
            raise
        if not isinstance(found, ContentFile):
            return None
        return found.decoded_content.decode("utf-8", errors="replace")

    @operation(READ)
    def permission(self, login: str) -> str:
        """The user's role on this repository (collaborator endpoint; never author_association)."""
        try:
            data = self._request("GET", "collaborators", login, "permission")
        except GithubException as exc:
            if exc.status == 404:
                return "none"
            raise
        role = str(data.get("role_name") or "")
        if role in PERMISSIONS:
            return role
        # A custom role: fall back to the base permission GitHub reports alongside it.
        base = str(data.get("permission") or "none")
        return base if base in PERMISSIONS else "none"

    @operation(READ)
    def is_team_member(self, team: str, login: str) -> bool:
        """Active membership of a team (404: no such team or not a member; pending: not yet)."""
        org, slug = split_team(team, self.owner)
        lazy = self._gh.withLazy(True)  # one request: the membership, not the org or the team
        try:
            found = lazy.get_organization(org).get_team_by_slug(slug).get_team_membership(login)
        except GithubException as exc:
            if exc.status == 404:
                return False
            raise
        return found.state == "active"

    @operation(READ)
    def get_issue(self, number: int) -> Issue:
        """Issue ``number``."""
        return convert.issue(self._request("GET", "issues", number))

    @operation(WRITE)
    def create_issue(self, title: str, body: str, labels: Sequence[str] = ()) -> Issue:
        """Open a new issue; after a 5xx, an identical newest issue of ours counts as it."""
        payload = {"title": title, "body": body, "labels": list(labels)}
        return self._post(
            "issues",
            body=payload,
            convert=convert.issue,
            refind=lambda: self._newest_own_issue(title, body),
        )

    def _newest_own_issue(self, title: str, body: str) -> Issue | None:
        """The bot's issue with exactly this title and body among the 30 newest, if any."""
        params = {"state": "all", "sort": "created", "direction": "desc", "per_page": 30}
        bot = self.bot_login().lower()
        for data in self._request("GET", "issues", params=params):
            if convert.is_pull_request(data):
                continue
            found = convert.issue(data)
            if (found.author.lower(), found.title, found.body) == (bot, title, body):
                return found
        return None

    @operation(WRITE)
    def edit_issue(
        self,
        number: int,
        *,
        title: str | None = None,
        body: str | None = None,
        state: Literal["open"] | None = None,
    ) -> Issue:
        """Change title/body or reopen; closing goes through ``close_issue``."""
        if state is not None and state != "open":
            raise PolicyDeniedError(
                f"edit_issue cannot set state {state!r} on #{number}: closing is destructive",
                hint="use close_issue with an approval",
            )
        changes = {
            k: v for k, v in (("title", title), ("body", body), ("state", state)) if v is not None
        }
        if not changes:
            return self.get_issue(number)
        return convert.issue(self._request("PATCH", "issues", number, body=changes))

    @operation(DESTRUCTIVE)
    def close_issue(
        self,
        number: int,
        *,
        approval: Approval,
        reason: Literal["completed", "not_planned"] = "completed",
    ) -> Issue:
        """Close issue ``number`` (approval checked by ``@operation``)."""
        data = self._request(
            "PATCH", "issues", number, body={"state": "closed", "state_reason": reason}
        )
        return convert.issue(data)

    @operation(READ)
    def list_open_issues(self, label: str | None = None) -> tuple[Issue, ...]:
        """Open issues, pull requests excluded."""
        items = (
            self._repo.get_issues(state="open", labels=[label])
            if label is not None
            else self._repo.get_issues(state="open")
        )
        found = (convert.json_of(i) for i in items)
        return tuple(convert.issue(d) for d in found if not convert.is_pull_request(d))

    @operation(READ)
    def issue_events(self, number: int) -> tuple[IssueEvent, ...]:
        """Who added or removed which label, oldest first (all pages, PyGithub's get_events)."""
        events = self._repo.get_issue(number).get_events()
        return tuple(convert.issue_event(convert.json_of(e)) for e in events)

    @operation(WRITE)
    def ensure_label(self, name: str, color: str, description: str = "") -> Label:
        """The repo label with this color and description, created or corrected as needed."""
        color = color.lstrip("#").lower()
        try:
            current = convert.label(self._request("GET", "labels", name))
        except GithubException as exc:
            if exc.status != 404:
                raise
            body = {"name": name, "color": color, "description": description}
            try:
                return self._post("labels", body=body, convert=convert.label)
            except GithubException as race:
                # Only a concurrent create is benign; a bad color is a 422 too.
                if race.status != 422 or "already" not in message_of(race):
                    raise
                current = convert.label(self._request("GET", "labels", name))
        if (current.color, current.description) == (color, description):
            return current
        body = {"new_name": name, "color": color, "description": description}
        return convert.label(self._request("PATCH", "labels", name, body=body))

    @operation(WRITE)
    def add_labels(self, number: int, labels: Sequence[str]) -> None:
        """Add labels to an issue or PR."""
        if labels:
            body = {"labels": list(labels)}
            self._post("issues", number, "labels", body=body, convert=lambda _: None)

    @operation(WRITE)
    def remove_label(self, number: int, label: str) -> None:
        """Remove a label; one that is not on the issue is fine."""
        try:
            self._request("DELETE", "issues", number, "labels", label)
        except GithubException as exc:
            if exc.status != 404:
                raise

    def _comments(self, number: int) -> list[IssueComment]:
        return list(self._repo.get_issue(number).get_comments())

    @operation(READ)
    def list_comments(self, number: int) -> tuple[Comment, ...]:
        """Every comment of the conversation, oldest first."""
        return tuple(convert.comment(convert.json_of(c)) for c in self._comments(number))

    def _own_marked(self, number: int, marker: str) -> IssueComment | None:
        bot = self.bot_login().lower()
        for item in self._comments(number):
            data = convert.json_of(item)
            mine = convert.comment(data)
            if mine.author.lower() == bot and has_marker(mine.body, marker):
                return item
        return None

    @operation(READ)
    def find_comment(self, number: int, marker: str) -> Comment | None:
        """The bot's own comment with this marker (others' copies of the marker are ignored)."""
        item = self._own_marked(number, marker)
        return convert.comment(convert.json_of(item)) if item is not None else None

    @operation(WRITE)
    def upsert_comment(self, number: int, marker: str, body: str) -> Comment:
        """Create the marked comment once; later calls edit it (and skip identical edits)."""
        text = with_marker(marker, body)
        item = self._own_marked(number, marker)
        if item is None:
            # After a 5xx the comment may exist: look for the marker again before re-posting.
            return self._post(
                "issues",
                number,
                "comments",
                body={"body": text},
                convert=convert.comment,
                refind=lambda: self.find_comment(number, marker),
            )
        current = convert.comment(convert.json_of(item))
        if current.body == text:
            return current
        data = self._request("PATCH", "issues", "comments", current.id, body={"body": text})
        return convert.comment(data)

    @operation(WRITE)
    def add_reaction(
        self,
        content: Literal["+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"],
        *,
        issue: int | None = None,
        comment_id: int | None = None,
    ) -> None:
        """React to an issue or to one comment (e.g. 👀 on a command the bot picked up)."""
        if content not in REACTIONS:
            raise UsageError(f"unknown reaction {content!r}")
        if (issue is None) == (comment_id is None):
            raise UsageError("add_reaction needs exactly one of issue= or comment_id=")
        parts = ("issues", issue) if issue is not None else ("issues", "comments", comment_id)
        # GitHub answers an existing reaction with 200, so re-sending is harmless.
        self._post(*parts, "reactions", body={"content": content}, convert=lambda _: None)
