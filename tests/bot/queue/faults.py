"""A target repository on the emulator and the environment a worker process needs, for faults."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from bot.config import parse_repo_config
from bot.emulator.testing import EmulatorHandle
from bot.github import ClientOptions, GitHubRepo, connect_repo
from bot.issuespec.render import render_issue_body
from bot.issuespec.request import FeatureRequest
from bot.scaffold.write import scaffold_files
from bot.settings import Settings
from bot.store import RunStore
from tests.bot.widget import BOT, WIDGET


@dataclass
class Approved:
    """An approved entity request in a fresh repository, and the bot's settings for it."""

    emulator: EmulatorHandle
    repo: str
    issue: int
    settings: Settings
    store: RunStore

    def env(self, queue_url: str) -> dict[str, str]:
        """What a worker process on another machine would be configured with."""
        return {
            "GITHUB_API_URL": self.settings.github_api_url,
            "GITHUB_TOKEN": self.emulator.token(BOT),
            "DATABASE_URL": self.settings.database_url,
            "QUEUE_URL": queue_url,
            "ISSUEBOT_WORK_DIR": str(self.settings.work_dir),
            "ISSUEBOT_BOT_LOGIN": BOT,
        }

    def bot(self) -> GitHubRepo:
        """The repository through our GitHub layer with the small test retry budget."""
        return connect_repo(self.settings, self.repo, self.store, ClientOptions.fast())

    def pulls(self) -> list[str]:
        """Every PR of the repository (any state), by head branch, as GitHub lists them."""
        repo = self.emulator.github("maintainer").get_repo(self.repo)
        return [p.head.ref for p in repo.get_pulls(state="all")]

    def summary_comments(self) -> int:
        """How many run-summary comments the issue carries (there must be one)."""
        issue = self.emulator.github("maintainer").get_repo(self.repo).get_issue(self.issue)
        return sum("issuebot:run-summary" in c.body for c in issue.get_comments())


def approved_request(emulator: EmulatorHandle, database_url: str, tmp: Path) -> Approved:
    """A new repository made ready by `issuebot init`, with one approved entity request."""
    repo = f"acme/fault-{uuid.uuid4().hex[:10]}"
    emulator.create_target_repo(repo, scaffold_files())
    settings = Settings(
        GITHUB_API_URL=emulator.api_url,
        GITHUB_TOKEN=emulator.token(BOT),
        DATABASE_URL=database_url,
        ISSUEBOT_WORK_DIR=tmp / "work",
        ISSUEBOT_BOT_LOGIN=BOT,
    )
    store = RunStore.open(database_url)
    return Approved(emulator, repo, file_approved(emulator, repo, settings, store), settings, store)


def file_approved(emulator: EmulatorHandle, repo: str, settings: Settings, store: RunStore) -> int:
    """A writer files the Widget request; a maintainer approves it by removing the label."""
    writer = settings.model_copy(update={"github_token": SecretStr(emulator.token("writer"))})
    as_writer = connect_repo(writer, repo, store, ClientOptions.fast())
    bot = connect_repo(settings, repo, store, ClientOptions.fast())
    labels = parse_repo_config(bot.read_file(".github/issuebot.yml")).labels
    request = FeatureRequest(
        title="Widget entity and API",
        description="Track widgets.",
        user_story="As an operator I want widgets so that I can sell them.",
        acceptance_criteria=["CRUD API endpoints working"],
        entity_definition=WIDGET,
        api_endpoints=["GET /widgets - List widgets"],
    )
    issue = as_writer.create_issue(
        request.title,
        render_issue_body(request, labels=labels),
        labels=[labels.needs_review, labels.entity_request],
    )
    emulator.github("maintainer").get_repo(repo).get_issue(issue.number).remove_from_labels(
        labels.needs_review
    )
    return issue.number
