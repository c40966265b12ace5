"""The pipeline's records: what a run is made of, what it returns, what each step gets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.config import RepoConfig
from bot.errors import GitError
from bot.github.protocol import GitHubRepo
from bot.gitops import GitIdentity, Workspace
from bot.settings import Settings
from bot.store import RunStore
from bot.store.records import Run

STEP_NAMES: tuple[str, ...] = (
    "verify",
    "workspace",
    "spec",
    "generate",
    "test",
    "commit",
    "push",
    "pull_request",
    "report",
)

Output = dict[str, Any]


@dataclass(frozen=True)
class FeatureResult:
    """The issue a feature request became."""

    number: int
    url: str


@dataclass(frozen=True)
class RunResult:
    """What one run produced, for the CLI, the job queue and tests."""

    run_id: str
    repo: str
    issue: int
    status: str
    branch: str | None = None
    head_sha: str | None = None
    pr_number: int | None = None
    pr_url: str | None = None
    files: tuple[str, ...] = ()
    tests: str | None = None
    coverage: float | None = None
    steps: dict[str, str] = field(default_factory=dict)
    durations: dict[str, float] = field(default_factory=dict)


@dataclass
class RunContext:
    """Everything a step may use: the run, its GitHub repo, its store, and earlier outputs."""

    run: Run
    gh: GitHubRepo
    store: RunStore
    config: RepoConfig
    settings: Settings
    identity: GitIdentity
    workdir: Path
    outputs: dict[str, Output] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)
    clone_url: str | None = None
    _workspace: Workspace | None = None

    @property
    def issue(self) -> int:
        """The issue this run implements."""
        return self.run.issue

    def url(self) -> str:
        """A fresh authenticated clone URL (tokens may rotate between steps)."""
        if self.clone_url is None:
            self.clone_url = self.gh.clone_url()
        return self.clone_url

    def workspace(self) -> Workspace:
        """The run's working tree; a resumed run reopens what the interrupted one left."""
        if self._workspace is None:
            self._workspace = Workspace.reopen(self.workdir, self.url())
        if self._workspace is None:
            raise GitError(f"the workspace of run {self.run.id} is gone")
        return self._workspace

    def set_workspace(self, workspace: Workspace) -> None:
        """Adopt the freshly prepared working tree."""
        self._workspace = workspace


@dataclass(frozen=True)
class Step:
    """A named step: ``run`` does the work and returns its output; ``holds`` re-checks it."""

    name: str
    run: Callable[[RunContext], Output]
    holds: Callable[[RunContext, Output], bool]
