"""``GitHubRepo``: the one interface through which the bot reads and changes a repository.

The pipeline, the issue-spec code, the event handlers and the merge gates depend on this
Protocol only; ``PyGithubRepo`` implements it over PyGithub, tests of pure logic use small
recording fakes of it. Every method is classified in ``bot.github.ops.OPERATIONS``; the three
DESTRUCTIVE ones take a keyword-only ``approval`` and refuse to run without a matching one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol

from bot.github.audit import Approval
from bot.github.models import (
    CheckOutput,
    CheckRun,
    CombinedStatus,
    Comment,
    Issue,
    IssueEvent,
    Label,
    PullFile,
    PullRequest,
)

MergeMethod = Literal["merge", "squash", "rebase"]
Reaction = Literal["+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"]
CheckStatus = Literal["queued", "in_progress", "completed"]
CheckConclusion = Literal[
    "success", "failure", "neutral", "cancelled", "skipped", "timed_out", "action_required"
]


class GitHubRepo(Protocol):
    """One GitHub repository as the bot sees it (plain records in, plain records out)."""

    @property
    def full_name(self) -> str:
        """`owner/name`, as given when connecting (no request)."""
        ...

    # -- repository ---------------------------------------------------------------------------
    def default_branch(self) -> str:
        """The repository's default branch."""
        ...

    def clone_url(self) -> str:
        """An http(s) clone URL carrying a fresh token as `x-access-token` (never log it)."""
        ...

    def read_file(self, path: str, ref: str | None = None) -> str | None:
        """A text file's content at ``ref`` (default branch if None), or None if absent."""
        ...

    def file_shas(self, ref: str | None = None) -> dict[str, str] | None:
        """Every file's git blob sha at ``ref`` (default branch), or None if not listable."""
        ...

    def permission(self, login: str) -> str:
        """`admin`/`maintain`/`write`/`triage`/`read`/`none` from the collaborator endpoint."""
        ...

    def is_team_member(self, team: str, login: str) -> bool:
        """Whether ``login`` actively belongs to ``team`` (`org/slug`, or a slug of the owner)."""
        ...

    # -- issues -------------------------------------------------------------------------------
    def get_issue(self, number: int) -> Issue:
        """Issue ``number``; NotFoundError if it does not exist."""
        ...

    def create_issue(self, title: str, body: str, labels: Sequence[str] = ()) -> Issue:
        """Open a new issue."""
        ...

    def edit_issue(
        self,
        number: int,
        *,
        title: str | None = None,
        body: str | None = None,
        state: Literal["open"] | None = None,
    ) -> Issue:
        """Change title/body or reopen; closing is ``close_issue`` (destructive)."""
        ...

    def list_open_issues(self, label: str | None = None) -> tuple[Issue, ...]:
        """Open issues (pull requests excluded), optionally only those carrying ``label``."""
        ...

    def close_issue(
        self, number: int, *, approval: Approval, reason: Literal["completed", "not_planned"] = ...
    ) -> Issue:
        """DESTRUCTIVE: close issue ``number``."""
        ...

    def issue_events(self, number: int) -> tuple[IssueEvent, ...]:
        """The issue's event log, oldest first (labeled/unlabeled: actor, label, time)."""
        ...

    # -- labels -------------------------------------------------------------------------------
    def ensure_label(self, name: str, color: str, description: str = "") -> Label:
        """Create the repo label or bring its color/description up to date; idempotent."""
        ...

    def add_labels(self, number: int, labels: Sequence[str]) -> None:
        """Add labels to an issue or PR (existing ones are kept)."""
        ...

    def remove_label(self, number: int, label: str) -> None:
        """Remove a label from an issue or PR; a label that is not there is fine."""
        ...

    # -- comments and reactions ---------------------------------------------------------------
    def list_comments(self, number: int) -> tuple[Comment, ...]:
        """Every comment of an issue or PR conversation, oldest first."""
        ...

    def find_comment(self, number: int, marker: str) -> Comment | None:
        """The bot's own comment carrying ``<!-- issuebot:<marker> -->``, if any."""
        ...

    def upsert_comment(self, number: int, marker: str, body: str) -> Comment:
        """Create the bot's marked comment once, then edit it in place."""
        ...

    def add_reaction(
        self, content: Reaction, *, issue: int | None = None, comment_id: int | None = None
    ) -> None:
        """React to an issue or to one comment (exactly one of them)."""
        ...

    # -- branches -----------------------------------------------------------------------------
    def branch_sha(self, name: str) -> str | None:
        """The commit a branch points at, or None if there is no such branch."""
        ...

    def ensure_branch(self, name: str, *, sha: str) -> str:
        """Create ``name`` at ``sha`` unless it exists; returns the branch's commit."""
        ...

    def delete_branch(self, name: str, *, approval: Approval) -> bool:
        """DESTRUCTIVE: delete a branch; False if it was already gone."""
        ...

    # -- pull requests ------------------------------------------------------------------------
    def get_pull(self, number: int) -> PullRequest:
        """Pull request ``number``; NotFoundError if it does not exist."""
        ...

    def find_pull(
        self, head: str, *, base: str | None = None, state: Literal["open", "closed", "all"] = ...
    ) -> PullRequest | None:
        """The newest PR from branch ``head`` of this repository (optionally into ``base``)."""
        ...

    def list_open_pulls(self) -> tuple[PullRequest, ...]:
        """Every open pull request of the repository."""
        ...

    def ensure_pull_request(
        self, *, head: str, base: str, title: str, body: str, labels: Sequence[str] = ()
    ) -> PullRequest:
        """The open PR head→base, created if missing, title/body/labels brought up to date."""
        ...

    def update_pull(
        self,
        number: int,
        *,
        title: str | None = None,
        body: str | None = None,
        base: str | None = None,
    ) -> PullRequest:
        """Change a PR's title, body or base."""
        ...

    def list_pull_files(self, number: int) -> tuple[PullFile, ...]:
        """Every file the PR changes, with its status and line counts (all pages)."""
        ...

    def request_reviewers(self, number: int, reviewers: Sequence[str]) -> None:
        """Ask users for a review (the PR author is skipped, GitHub refuses it)."""
        ...

    def request_team_reviewers(self, number: int, teams: Sequence[str]) -> None:
        """Ask teams (slugs of the owner organization) for a review."""
        ...

    def merge_pull(
        self,
        number: int,
        *,
        sha: str,
        method: MergeMethod,
        approval: Approval,
        title: str | None = None,
        message: str | None = None,
    ) -> str:
        """DESTRUCTIVE: merge if the head is still ``sha``; returns the merge commit's sha."""
        ...

    # -- checks and statuses ------------------------------------------------------------------
    def create_check_run(
        self,
        *,
        name: str,
        head_sha: str,
        status: CheckStatus,
        conclusion: CheckConclusion | None = None,
        output: CheckOutput | None = None,
    ) -> CheckRun:
        """Start (or directly complete) a check run on a commit."""
        ...

    def update_check_run(
        self,
        check_run_id: int,
        *,
        status: CheckStatus | None = None,
        conclusion: CheckConclusion | None = None,
        output: CheckOutput | None = None,
    ) -> CheckRun:
        """Move a check run along (a conclusion implies `completed`)."""
        ...

    def list_check_runs(self, ref: str) -> tuple[CheckRun, ...]:
        """Every check run on a commit, branch or tag."""
        ...

    def combined_status(self, ref: str) -> CombinedStatus:
        """The combined commit status of a ref."""
        ...

    def required_checks(self, branch: str) -> tuple[str, ...]:
        """Names of the status checks branch protection requires (empty if unprotected)."""
        ...
