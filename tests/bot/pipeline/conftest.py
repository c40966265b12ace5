"""A GitHub emulator, a target repository made ready by `issuebot init`, and the bot's wiring."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.config import parse_repo_config
from bot.emulator.testing import EmulatorHandle, start_emulator
from bot.github import ClientOptions, GitHubRepo, connect_repo
from bot.gitops import ls_remote
from bot.issuespec.render import render_issue_body
from bot.issuespec.request import FeatureRequest
from bot.locks import SqlLockManager
from bot.pipeline import Orchestrator
from bot.scaffold.write import scaffold_files
from bot.settings import Settings
from bot.store import RunStore
from tests.bot.widget import BOT, WIDGET

_names = itertools.count(1)


def scaffold() -> dict[str, str]:
    """What `issuebot init` puts in a repository (its config keeps the 90% coverage gate)."""
    return scaffold_files()


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorHandle]:
    """One emulator per test module; each test gets its own repository in it."""
    with start_emulator() as handle:
        yield handle


@dataclass
class Target:
    """One seeded target repository and everything needed to run the bot against it."""

    emulator: EmulatorHandle
    full_name: str
    settings: Settings
    store: RunStore
    tmp: Path

    def as_user(self, login: str) -> GitHubRepo:
        """The repository through our GitHub layer, acting as ``login``."""
        settings = self.settings.model_copy(
            update={
                "github_token": self.settings.github_token.__class__(self.emulator.token(login))
            }
        )
        return connect_repo(settings, self.full_name, self.store, ClientOptions.fast())

    def remote_sha(self, branch: str) -> str | None:
        """What the emulator's git repository holds for ``branch`` (asked of git itself)."""
        return ls_remote(self.emulator.clone_url(self.full_name, "reader"), branch)

    @property
    def bot(self) -> GitHubRepo:
        """The repository as the bot sees it."""
        return self.as_user(BOT)

    def orchestrator(self, **kwargs: Any) -> Orchestrator:
        """An Orchestrator wired to this repo, the emulator and the test's own store."""
        kwargs.setdefault("locks", SqlLockManager(self.store))
        return Orchestrator(repo=self.full_name, settings=self.settings, store=self.store, **kwargs)

    def file_request(
        self,
        definition: dict[str, Any] | None = None,
        *,
        approve: bool = True,
        via_orchestrator: bool = False,
    ) -> int:
        """File an entity request (as a writer or via the seed API); a maintainer approves it."""
        req = FeatureRequest(
            title="Widget entity and API",
            description="Track widgets.",
            user_story="As an operator I want widgets so that I can sell them.",
            acceptance_criteria=["CRUD API endpoints working"],
            entity_definition=definition or WIDGET,
            api_endpoints=["GET /widgets - List widgets"],
        )
        config = parse_repo_config(self.bot.read_file(".github/issuebot.yml"))
        labels = config.labels
        if via_orchestrator:
            number = self.orchestrator().request_feature(**req.model_dump()).number
        else:
            body = render_issue_body(req, labels=labels)
            number = (
                self.as_user("writer")
                .create_issue(req.title, body, labels=[labels.needs_review, labels.entity_request])
                .number
            )
        if approve:
            self.as_user("maintainer").remove_label(number, labels.needs_review)
        return number


@pytest.fixture(scope="session")
def work_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One work directory for the session: each run works in its own subdirectory, and the
    per-requirements venv cache under it is built once instead of once per test."""
    return tmp_path_factory.mktemp("issuebot-work")


@pytest.fixture
def make_target(emulator: EmulatorHandle, tmp_path: Path, work_dir: Path) -> Callable[..., Target]:
    """Create a fresh target repository (scaffold plus ``extra`` files) and the bot's wiring."""

    def make(extra: dict[str, str] | None = None) -> Target:
        full_name = f"acme/target-{next(_names)}"
        emulator.create_target_repo(full_name, {**scaffold(), **(extra or {})})
        settings = Settings(
            GITHUB_API_URL=emulator.api_url,
            GITHUB_TOKEN=emulator.token(BOT),
            DATABASE_URL=f"sqlite:///{tmp_path}/runs.db",
            ISSUEBOT_WORK_DIR=work_dir,
            ISSUEBOT_BOT_LOGIN=BOT,
        )
        store = RunStore.open(settings.database_url)
        return Target(emulator, full_name, settings, store, tmp_path)

    return make
