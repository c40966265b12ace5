"""Which kind of file a changed path is, so the risk rules can say why a PR needs a human."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import PurePosixPath

from bot.config import Paths


class PathKind(StrEnum):
    """What a changed file is, from the gate's point of view."""

    SPEC = "spec"
    GENERATED = "generated"
    HOOK = "hook"
    WORKFLOW = "workflow"
    CONFIG = "config"
    DEPENDENCY = "dependency"
    OTHER = "other"


PROTECTED_KINDS = frozenset({PathKind.WORKFLOW, PathKind.CONFIG, PathKind.DEPENDENCY})

# Files that change how CI, the bot or the build behave: always a human's call.
WORKFLOW_GLOBS = (".github/workflows/**", ".github/actions/**", "action.yml", "action.yaml")
CONFIG_GLOBS = (
    ".github/**",
    "CODEOWNERS",
    "docs/CODEOWNERS",
    ".pre-commit-config.yaml",
    ".gitattributes",
    ".gitignore",
    "alembic.ini",
    "Makefile",
    "Dockerfile",
    "**/Dockerfile",
    "docker-compose*.yml",
    "setup.cfg",
    "tox.ini",
    "noxfile.py",
    "pytest.ini",
    "mypy.ini",
    "ruff.toml",
    ".ruff.toml",
    ".env*",
    "**/.env*",
    "conftest.py",
    ".ci/**",
)
# Dependency manifests and lockfiles, wherever they sit in the tree.
DEPENDENCY_NAMES = re.compile(
    r"^(pyproject\.toml|setup\.py|Pipfile(\.lock)?|poetry\.lock|uv\.lock|pdm\.lock"
    r"|requirements[\w.-]*\.(txt|in)|constraints[\w.-]*\.txt|package(-lock)?\.json"
    r"|yarn\.lock|pnpm-lock\.yaml|go\.(mod|sum)|Cargo\.(toml|lock)|Gemfile(\.lock)?)$"
)


@cache
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """Translate a glob where ``*`` stays inside one directory and ``**`` crosses them."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append(r"(?:[^/]+/)*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(r".*")
            i += 2
        elif pattern[i] == "*":
            out.append(r"[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append(r"[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def glob_match(path: str, pattern: str) -> bool:
    """Whether a repo-relative POSIX path matches a glob pattern."""
    return _glob_regex(pattern).match(path) is not None


def is_safe_path(path: str) -> bool:
    """A plain repo-relative path: no absolute root, no `..`, no empty segments."""
    if not path or path.startswith("/") or "\\" in path:
        return False
    return all(part not in ("", ".", "..") for part in path.split("/"))


@dataclass(frozen=True)
class PathRules:
    """The globs one repository's config resolves to (output prefix applied)."""

    spec: str
    generated: tuple[str, ...]
    hooks: tuple[str, ...]
    protected: tuple[str, ...] = ()

    @classmethod
    def from_config(cls, paths: Paths, protected: tuple[str, ...] = ()) -> PathRules:
        """Resolve generated/hook globs against the configured output directory."""
        out = PurePosixPath(paths.output).as_posix().strip("/")
        prefix = "" if out in ("", ".") else out + "/"
        return cls(
            spec=PurePosixPath(paths.spec).as_posix().lstrip("/"),
            generated=tuple(prefix + g for g in paths.generated),
            hooks=tuple(prefix + h for h in paths.hooks),
            protected=protected,
        )


def classify_path(path: str, rules: PathRules) -> PathKind:
    """The kind of one changed file.

    Workflows, dependency manifests and the repo's own protected globs always need a human;
    a generated file (per the config on the base branch) may be an `.ini` the generator
    owns; any other config-like file is protected.
    """
    if not is_safe_path(path):
        return PathKind.OTHER
    if any(glob_match(path, g) for g in WORKFLOW_GLOBS):
        return PathKind.WORKFLOW
    if DEPENDENCY_NAMES.match(PurePosixPath(path).name):
        return PathKind.DEPENDENCY
    if any(glob_match(path, g) for g in rules.protected):
        return PathKind.CONFIG
    if path == rules.spec:
        return PathKind.SPEC
    generated = any(glob_match(path, g) for g in rules.generated)
    if not generated and any(glob_match(path, g) for g in rules.hooks):
        return PathKind.HOOK
    if generated and not path.startswith(".github/"):
        return PathKind.GENERATED
    if any(glob_match(path, g) for g in CONFIG_GLOBS):
        return PathKind.CONFIG
    return PathKind.OTHER
