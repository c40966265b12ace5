"""Decide, per scaffold file, whether init creates, keeps or overwrites it (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Action(StrEnum):
    """What init does with one file."""

    CREATE = "create"  # missing: written
    UNCHANGED = "unchanged"  # already has exactly our content: left alone
    SKIP = "skip"  # the user's own version: kept (use --force to replace)
    OVERWRITE = "overwrite"  # --force: replaced with the template
    CONFLICT = "conflict"  # a directory or symlink sits there: never touched


@dataclass(frozen=True)
class FileAction:
    """One planned step with the reason a user reads in the summary."""

    path: str
    action: Action
    reason: str

    @property
    def writes(self) -> bool:
        """Whether applying the plan writes this file."""
        return self.action in (Action.CREATE, Action.OVERWRITE)


Existing = str | None | bool
"""A file's current text, None when absent, or False when it is not a regular file."""


def plan_scaffold(
    files: Mapping[str, str],
    existing: Mapping[str, Existing],
    *,
    force: bool,
    write_once: frozenset[str] = frozenset(),
) -> list[FileAction]:
    """Compare the scaffold with what the repository has; sorted by path.

    ``write_once`` paths (user-owned hook modules) are created when missing and otherwise
    never replaced, not even with ``force``: they hold hand-written business logic.
    """
    plan: list[FileAction] = []
    for path in sorted(files):
        current = existing.get(path)
        if current is None:
            plan.append(FileAction(path, Action.CREATE, "new"))
        elif current is False:
            plan.append(FileAction(path, Action.CONFLICT, "not a regular file; left alone"))
        elif current == files[path]:
            plan.append(FileAction(path, Action.UNCHANGED, "already up to date"))
        elif path in write_once:
            plan.append(FileAction(path, Action.SKIP, "user-owned hook; never replaced"))
        elif force:
            plan.append(FileAction(path, Action.OVERWRITE, "replaced (--force)"))
        else:
            plan.append(FileAction(path, Action.SKIP, "exists; kept (use --force to replace)"))
    return plan
