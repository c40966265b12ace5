"""Who reviews a PR the gate holds: configured reviewers first, else CODEOWNERS of its files."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.gates.paths import glob_match

CODEOWNERS_PATHS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")


@dataclass(frozen=True)
class Owners:
    """Users and ``org/team`` slugs to ask for a review."""

    users: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.users or self.teams)


def _globs(pattern: str) -> tuple[str, ...]:
    """CODEOWNERS (gitignore-style) pattern → our globs: unanchored names match anywhere."""
    anchored = pattern.startswith("/") or "/" in pattern.rstrip("/")
    core = pattern.strip("/")
    if pattern.endswith("/"):
        core += "/**"
    base = core if anchored else "**/" + core
    return (base,) if base.endswith("**") else (base, base + "/**")


def parse_codeowners(text: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """(globs, owners) rules in file order; owners keep their leading ``@`` stripped."""
    rules: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        pattern, *owners = line.split()
        if pattern == "*":
            globs: tuple[str, ...] = ("**",)
        else:
            globs = _globs(pattern)
        rules.append((globs, tuple(o.lstrip("@") for o in owners if o.startswith("@"))))
    return rules


def owners_for(text: str, paths: Iterable[str]) -> Owners:
    """Owners of the given files: for each file the last matching rule wins (GitHub's rule)."""
    rules = parse_codeowners(text)
    found: dict[str, None] = {}
    for path in paths:
        for globs, owners in reversed(rules):
            if any(glob_match(path, g) for g in globs):
                found.update(dict.fromkeys(owners))
                break
    users = tuple(o for o in found if "/" not in o)
    teams = tuple(o for o in found if "/" in o)
    return Owners(users, teams)


def reviewers(
    configured: tuple[str, ...],
    configured_teams: tuple[str, ...],
    codeowners: str | None,
    paths: Iterable[str],
    *,
    exclude: str,
) -> Owners:
    """Configured reviewers win; CODEOWNERS fills in when none are configured."""
    if configured or configured_teams:
        chosen = Owners(configured, configured_teams)
    elif codeowners:
        chosen = owners_for(codeowners, paths)
    else:
        chosen = Owners()
    users = tuple(u for u in chosen.users if u.lower() != exclude.lower())
    return Owners(users, chosen.teams)
