"""Who may approve a request: a repository permission and, if the config lists teams, a team.

Both the event handlers (before acting on a command or label) and the pipeline's verify step
(before overriding `needs-review`) ask the same question, so it is answered here once.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Approval, has_permission
from bot.errors import IssuebotError
from bot.github.protocol import GitHubRepo


@dataclass(frozen=True)
class ApproverCheck:
    """The answer for one user, with what it was measured against."""

    login: str
    permission: str
    required: str
    teams: tuple[str, ...] = ()
    in_team: bool = False
    unchecked: tuple[str, ...] = ()  # teams whose membership GitHub would not tell us

    @property
    def has_permission(self) -> bool:
        """Whether the repository permission alone is enough."""
        return has_permission(self.permission, self.required)

    @property
    def allowed(self) -> bool:
        """Enough permission and, when teams are configured, a member of one of them."""
        return self.has_permission and (not self.teams or self.in_team)

    def reason(self) -> str:
        """One line saying why a refusal happened (empty when allowed)."""
        if self.allowed:
            return ""
        if not self.has_permission:
            return f"{self.login} has {self.permission}, needs {self.required}"
        text = f"{self.login} is not a member of any approving team ({', '.join(self.teams)})"
        if self.unchecked:
            text += f"; membership of {', '.join(self.unchecked)} could not be read"
        return text


def check_approver(repo: GitHubRepo, login: str, approval: Approval) -> ApproverCheck:
    """Ask GitHub about ``login``: permission first, then the teams until one says yes.

    A team lookup GitHub refuses (e.g. the App lacks `members: read`) counts as not a member:
    approval fails closed. Retryable failures are raised so the caller's retry applies.
    """
    required = approval.min_permission
    permission = repo.permission(login) if login else "none"
    check = ApproverCheck(login, permission, required, tuple(approval.teams))
    if not check.has_permission or not check.teams:
        return check
    unchecked: list[str] = []
    for team in check.teams:
        try:
            if repo.is_team_member(team, login):
                return ApproverCheck(login, permission, required, check.teams, in_team=True)
        except IssuebotError as exc:
            if exc.retryable:
                raise
            unchecked.append(team)
    return ApproverCheck(login, permission, required, check.teams, unchecked=tuple(unchecked))
