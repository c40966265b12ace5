"""Repository lookup with GitHub's permission answers (404 hides, 401 asks, 403 refuses)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from bot.emulator.core import Emulator, emulator_of
from bot.emulator.state import Issue, Repo, Store
from bot.emulator.web import ApiError, identity, not_found

NO_RIGHTS = "Must have admin rights to Repository."


@dataclass(frozen=True)
class RepoAccess:
    """A request's emulator, target repository and caller."""

    emulator: Emulator
    repo: Repo
    login: str | None

    @property
    def store(self) -> Store:
        """The emulator's state."""
        return self.emulator.store

    def can(self, needed: str) -> bool:
        """Whether the caller holds ``needed`` on the repository."""
        return self.store.can(self.repo, self.login, needed)

    def require(self, needed: str) -> str:
        """The caller's login if they hold ``needed``; GitHub's 401/403/404 otherwise."""
        if not self.can("read"):
            raise not_found()
        if self.login is None:
            raise ApiError(401, "Requires authentication")
        if not self.can(needed):
            raise ApiError(403, NO_RIGHTS)
        return self.login

    def require_author_or(self, author: str, needed: str) -> None:
        """Editing someone's issue, PR or comment: its author, or a caller holding ``needed``."""
        if author != self.login and not self.can(needed):
            raise ApiError(403, NO_RIGHTS)

    def issue(self, number: int) -> Issue:
        """Issue (or PR) ``number``; 404 if missing."""
        found = self.repo.issues.get(number)
        if found is None:
            raise not_found()
        return found


def repo_access(request: Request, owner: str, name: str) -> RepoAccess:
    """The repository a route names, readable by the caller, or 404."""
    emulator = emulator_of(request)
    who = identity(request)
    if who.app_id is not None and who.login is None:
        raise ApiError(403, "Resource not accessible by integration")
    repo = emulator.store.repo(owner, name)
    if repo is None or not emulator.store.can(repo, who.login, "read"):
        raise not_found()
    return RepoAccess(emulator, repo, who.login)
