"""Repository config: what a target repo may tune, read from `.github/issuebot.yml`.

Versioned pydantic model (kodiak's `.kodiak.toml` habit): unknown keys are errors, so a typo
is reported back to the user instead of silently ignored. The same keys may live in
`pyproject.toml` under `[tool.issuebot]`; the YAML file wins when both exist. Parsing is pure;
``read_repo_config`` takes whatever function reads a file (GitHub API, local disk).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from typing import Annotated, Any, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from bot.errors import ConfigError

CONFIG_PATH = ".github/issuebot.yml"
PYPROJECT_PATH = "pyproject.toml"

Permission = Literal["read", "triage", "write", "maintain", "admin"]
PERMISSION_RANK: dict[str, int] = {
    "none": 0,
    "read": 1,
    "triage": 2,
    "write": 3,
    "maintain": 4,
    "admin": 5,
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Labels(_Strict):
    """Label names the bot reads and writes."""

    needs_review: str = "needs-review"
    entity_request: str = "entity-request"
    approved: str = "approved"
    spec_invalid: str = "spec-invalid"
    in_progress: str = "in-progress"
    pr_opened: str = "pr-opened"
    bot_failed: str = "bot-failed"
    bot_generated: str = "bot-generated"
    needs_human_review: str = "needs-human-review"
    hold: str = "hold"
    incident: str = "issuebot-incident"


class Approval(_Strict):
    """Who may approve a request or send commands."""

    min_permission: Permission = "write"
    teams: tuple[str, ...] = ()


GENERATED_GLOBS: tuple[str, ...] = (
    "pytest.ini",
    "alembic.ini",
    "app/__init__.py",
    "app/main.py",
    "app/db.py",
    "app/common.py",
    "app/settings.py",
    "app/auth.py",
    "app/keys.py",
    "app/actions.py",
    "app/models/**",
    "app/schemas/**",
    "app/api/**",
    "app/hooks/__init__.py",
    "migrations/**",
    "tests/__init__.py",
    "tests/conftest.py",
    "tests/test_*.py",
    "ui/package.json",
    "ui/package-lock.json",
    "ui/tsconfig.json",
    "ui/vite.config.ts",
    "ui/index.html",
    "ui/.gitignore",
    "ui/scripts/openapi.py",
    "ui/src/*.ts",
    "ui/src/*.tsx",
    "ui/src/*.css",
    "ui/src/components/*.tsx",
    "ui/src/workbenches/*Workbench.tsx",
)
HOOK_GLOBS: tuple[str, ...] = ("app/hooks/*.py", "ui/src/custom/**")
_DRIVE = re.compile(r"^[A-Za-z]:")


def _confined(value: str) -> str:
    """Refuse a path (or glob) that could name something outside the repository checkout.

    The config comes from the target repository, i.e. from anyone who can push to it: the bot
    reads, writes and gates by these paths, so they must stay relative, `/`-separated and
    free of `..`, whatever the OS the bot runs on.
    """
    problem = (
        "is empty" if not value.strip()
        else "contains a backslash" if "\\" in value
        else "contains a NUL byte" if "\0" in value
        else "is absolute" if value.startswith("/")
        else "starts with a drive letter" if _DRIVE.match(value)
        else "starts with ~" if value.startswith("~")
        else "has a '..' segment" if ".." in value.split("/")
        else None
    )  # fmt: skip
    if problem:
        raise ValueError(
            f"{value!r} {problem}: paths are relative to the repository root, "
            "with '/' between directories and no '..'"
        )
    return value


RepoPath = Annotated[str, AfterValidator(_confined)]
"""A path or glob inside the repository (see `_confined`)."""


class Paths(_Strict):
    """Where the spec lives and where generated code goes, relative to the repo root.

    ``generated`` and ``hooks`` are glob patterns (``**`` crosses directories) relative to
    ``output``: the gate lets a bot PR auto-merge only when it stays inside them.
    """

    spec: RepoPath = "specs/entities.json"
    output: RepoPath = "."
    generated: tuple[RepoPath, ...] = GENERATED_GLOBS
    hooks: tuple[RepoPath, ...] = HOOK_GLOBS


class Tests(_Strict):
    """How the target repo's tests run in the hard gate."""

    command: tuple[str, ...] = ("python", "-m", "pytest", "-q", "-p", "no:cacheprovider")
    timeout_seconds: int = Field(default=600, ge=10, le=7200)
    coverage_min: int = Field(default=90, ge=0, le=100)
    # How repository code is isolated (README "Test sandbox"); `none` needs the operator's
    # ISSUEBOT_ALLOW_UNSANDBOXED=1, so a repository cannot switch its own sandbox off.
    sandbox: Literal["auto", "bwrap", "container", "uid", "none"] = "auto"


class RiskPolicy(_Strict):
    """Thresholds of the auto-merge decision (bot/gates/risk.py reads nothing else).

    ``required_checks`` adds to the branch protection's required checks; when both are
    empty the gate refuses to auto-merge. ``protected_paths`` adds globs to the built-in
    workflow/config/dependency files that always need a human. A required check counts only
    as a check run reported by the GitHub App ``check_app`` (GitHub Actions by default), or
    as a commit status whose context ``status_creators`` maps to the login that posted it;
    a status never stands in for a check run of the same name.
    """

    auto_merge: bool = True
    merge_method: Literal["squash", "merge", "rebase"] = "squash"
    max_diff_lines: int = Field(default=5000, ge=1)
    required_checks: tuple[str, ...] = ()
    reviewers: tuple[str, ...] = ()
    team_reviewers: tuple[str, ...] = ()
    require_up_to_date: bool = False
    protected_paths: tuple[RepoPath, ...] = ()
    check_app: str = Field(default="github-actions", min_length=1, max_length=100)
    status_creators: dict[str, str] = Field(default_factory=dict)


NotifyEvent = Literal["degraded", "critical", "resolved"]


class NotifyTarget(_Strict):
    """A notification target by reference: the name of a variable the operator set."""

    env: str = Field(pattern=r"^ISSUEBOT_NOTIFY_[A-Z0-9_]{1,64}$")
    on: tuple[NotifyEvent, ...] = ("degraded", "critical", "resolved")


class Notify(_Strict):
    """Where incidents are announced besides the tracking issue (apprise URLs, by reference)."""

    incidents: bool = True
    urls: tuple[NotifyTarget, ...] = ()


# The pinned bot, as pip reads it: `issuebot @ <URL>` (git URL with its tag, wheel URL or
# file) or `issuebot==<version>` from an index. No spaces, quotes or shell characters besides
# the one ` @ `, so it is safe in a workflow's YAML and in a quoted shell word.
BOT_SOURCE_PATTERN = r"^issuebot( @ [A-Za-z0-9._~:/?#\[\]@!&()*+,;=%-]+|==[A-Za-z0-9.+!_-]+)$"
VERSION_PATTERN = r"^[0-9]+(\.[0-9]+)*([a-z0-9.+!_-]*)$"


class BotPin(_Strict):
    """The issuebot this repository runs, as `issuebot init` recorded it.

    The scaffolded workflows install exactly ``source``; `issuebot init --upgrade` moves both
    keys (and those workflows) to the running version. The bot itself never reads them.
    """

    version: str | None = Field(default=None, max_length=64, pattern=VERSION_PATTERN)
    source: str | None = Field(default=None, max_length=500, pattern=BOT_SOURCE_PATTERN)


class RepoConfig(_Strict):
    """The whole `.github/issuebot.yml`; every key optional, defaults documented here."""

    version: Literal[1] = 1
    labels: Labels = Labels()
    approval: Approval = Approval()
    paths: Paths = Paths()
    tests: Tests = Tests()
    risk: RiskPolicy = RiskPolicy()
    notify: Notify = Notify()
    bot: BotPin = BotPin()
    ui: bool = True


def parse_repo_config(text: str | None) -> RepoConfig:
    """Parse `.github/issuebot.yml`'s text (None or empty means all defaults)."""
    if not text or not text.strip():
        return RepoConfig()
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{CONFIG_PATH} is not valid YAML: {exc}") from exc
    return _validate(data, CONFIG_PATH)


def parse_pyproject_config(text: str | None) -> RepoConfig | None:
    """The `[tool.issuebot]` table of a pyproject.toml, or None when there is none."""
    if not text:
        return None
    try:
        table = tomllib.loads(text).get("tool", {}).get("issuebot")
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{PYPROJECT_PATH} is not valid TOML: {exc}") from exc
    return None if table is None else _validate(table, f"{PYPROJECT_PATH} [tool.issuebot]")


def read_repo_config(read_file: Callable[[str], str | None]) -> RepoConfig:
    """The repo's config: `.github/issuebot.yml`, else `[tool.issuebot]`, else defaults."""
    text = read_file(CONFIG_PATH)
    if text is not None:
        return parse_repo_config(text)
    return parse_pyproject_config(read_file(PYPROJECT_PATH)) or RepoConfig()


def _validate(data: Any, where: str) -> RepoConfig:
    if data is None:
        return RepoConfig()
    if not isinstance(data, dict):
        raise ConfigError(f"{where} must be a mapping at the top level")
    try:
        return RepoConfig.model_validate(data)
    except ValidationError as exc:
        problems = [f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()]
        raise ConfigError(f"{where} is invalid: " + "; ".join(problems)) from exc


def has_permission(actual: str, required: str) -> bool:
    """Whether a GitHub permission level meets the required one."""
    return PERMISSION_RANK.get(actual, 0) >= PERMISSION_RANK[required]
