"""The product as users meet it: comments and labels on the emulator, its signed webhooks to our
server, the queue, and the real run pipeline opening (or not opening) a pull request.

Nothing is faked: emulator, real git, uvicorn, SQLite run store, in-process queue, issue-spec,
Orchestrator and the target repository's own generated tests.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bot.config import Labels
from bot.emulator.testing import EmulatorHandle, start_emulator
from bot.github import ClientOptions, GitHubRepo, connect_repo
from bot.gitops import ls_remote
from bot.issuespec.render import render_issue_body
from bot.issuespec.request import FeatureRequest
from bot.queue import InProcessQueue
from bot.scaffold.write import scaffold_files
from bot.server.stack import run_bot
from bot.settings import Settings
from bot.store import Run, RunStore
from tests.bot.widget import BOT, WIDGET

pytestmark = pytest.mark.slow
SECRET = "pipeline-e2e-secret"
_names = itertools.count(1)


@dataclass
class Live:
    """A target repository made ready by `issuebot init`, with the bot listening to it."""

    gh: EmulatorHandle
    full_name: str
    store: RunStore
    queue: InProcessQueue
    url: str

    def as_user(self, login: str) -> GitHubRepo:
        settings = Settings(GITHUB_API_URL=self.gh.api_url, GITHUB_TOKEN=self.gh.token(login))
        return connect_repo(settings, self.full_name, self.store, ClientOptions.fast())

    @property
    def bot(self) -> GitHubRepo:
        return self.as_user(BOT)

    def file_request(self, *, approve: bool) -> int:
        """A writer files the Widget request; with ``approve`` a maintainer removes the label."""
        labels = Labels()
        req = FeatureRequest(
            title="Widget entity and API",
            description="Track widgets.",
            user_story="As an operator I want widgets so that I can sell them.",
            acceptance_criteria=["CRUD API endpoints working"],
            entity_definition=WIDGET,
            api_endpoints=["GET /widgets - List widgets"],
        )
        body = render_issue_body(req, labels=labels)
        number = (
            self.as_user("writer")
            .create_issue(req.title, body, labels=[labels.needs_review, labels.entity_request])
            .number
        )
        if approve:
            self.as_user("maintainer").remove_label(number, labels.needs_review)
        return number

    def comment(self, login: str, number: int, text: str) -> None:
        """``login`` comments on the issue through PyGithub, as a person would."""
        self.gh.github(login).get_repo(self.full_name).get_issue(number).create_comment(text)

    def runs(self, number: int) -> list[Run]:
        return self.store.list_runs(repo=self.full_name, issue=number)

    def remote_sha(self, branch: str) -> str | None:
        return ls_remote(self.gh.clone_url(self.full_name, "reader"), branch)

    def wait(self, what: Callable[[], object], timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while not what():
            assert time.monotonic() < deadline, "timed out"
            time.sleep(0.2)

    def settle(self) -> None:
        assert self.queue.wait(240), "queue did not drain"


@pytest.fixture(scope="module")
def gh() -> Iterator[EmulatorHandle]:
    """One emulator per module; each test gets its own target repository in it."""
    with start_emulator() as handle:
        yield handle


@pytest.fixture(scope="module")
def work_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Shared by the module's runs, so the target's test virtualenv is built once."""
    return tmp_path_factory.mktemp("issuebot-work")


@pytest.fixture
def live(
    gh: EmulatorHandle, tmp_path: Path, work_dir: Path, request: pytest.FixtureRequest
) -> Iterator[Live]:
    full_name = f"acme/e2e-{next(_names)}"
    gh.create_target_repo(full_name, {**scaffold_files(), **getattr(request, "param", {})})
    settings = Settings(
        GITHUB_API_URL=gh.api_url,
        GITHUB_TOKEN=gh.token(BOT),
        DATABASE_URL=f"sqlite:///{tmp_path}/runs.db",
        ISSUEBOT_WORK_DIR=work_dir,
        ISSUEBOT_BOT_LOGIN=BOT,
        ISSUEBOT_WEBHOOK_SECRET=SECRET,
    )
    # No environment variables: the demo's one-process bot runs with these settings only.
    with run_bot(settings) as bot:
        gh.set_webhook(bot.webhook_url, SECRET)
        try:
            yield Live(gh, full_name, bot.store, bot.queue, bot.url)
        finally:
            gh.set_webhook(None, None)
            bot.wait_idle(240)


def test_implement_by_a_writer_produces_the_pull_request(live: Live) -> None:
    number = live.file_request(approve=False)
    live.comment("writer", number, "/implement")

    live.wait(lambda: any(r.status == "succeeded" for r in live.runs(number)))
    live.settle()

    pull = live.bot.find_pull(f"feat/issue-{number}-widget", state="open")
    assert pull is not None and f"Closes #{number}" in pull.body
    assert [r.actor for r in live.runs(number)] == ["writer"]
    metrics = httpx.get(f"{live.url}/metrics").text
    assert 'issuebot_runs_total{outcome="succeeded"}' in metrics
    assert 'issuebot_step_duration_seconds_count{step="test"}' in metrics
    assert 'issuebot_deliveries_total{event="issue_comment",outcome="queued"}' in metrics


def test_implement_by_a_reader_gets_one_refusal_and_no_branch(live: Live) -> None:
    number = live.file_request(approve=False)
    live.comment("reader", number, "/implement")
    live.comment("reader", number, "/implement please")

    live.wait(lambda: any("permission" in c.body for c in live.bot.list_comments(number)))
    live.settle()

    refusals = [c for c in live.bot.list_comments(number) if "need **write**" in c.body]
    assert len(refusals) == 1
    assert live.runs(number) == []
    assert live.remote_sha(f"feat/issue-{number}-widget") is None


def test_removing_needs_review_as_maintainer_produces_the_pull_request(live: Live) -> None:
    number = live.file_request(approve=True)  # the maintainer removes `needs-review`

    live.wait(lambda: any(r.status == "succeeded" for r in live.runs(number)))
    live.settle()

    assert live.bot.find_pull(f"feat/issue-{number}-widget", state="open") is not None
    assert [(r.actor, r.status) for r in live.runs(number)] == [("maintainer", "succeeded")]


def test_cancel_during_a_run_stops_it_without_a_pull_request(live: Live) -> None:
    number = live.file_request(approve=False)
    live.comment("writer", number, "/implement")

    def in_generate_or_test() -> bool:
        runs = live.runs(number)
        steps = live.store.steps(runs[0].id) if runs else []
        return bool(steps) and steps[-1].name in ("generate", "test")

    live.wait(in_generate_or_test)
    live.comment("writer", number, "/cancel")
    live.wait(lambda: live.runs(number)[0].status == "cancelled")
    live.settle()

    assert [r.status for r in live.runs(number)] == ["cancelled"]
    assert live.bot.find_pull(f"feat/issue-{number}-widget", state="all") is None


BROKEN = {"tests/test_house_rules.py": "def test_house_rule():\n    assert 1 == 2\n"}


@pytest.mark.parametrize("live", [BROKEN], indirect=True, ids=["failing-house-test"])
def test_retry_after_a_failure_reruns_it(live: Live) -> None:
    number = live.file_request(approve=True)
    live.wait(lambda: any(r.status == "failed" for r in live.runs(number)))
    live.settle()
    assert "bot-failed" in live.bot.get_issue(number).labels

    live.comment("maintainer", number, "/retry")
    live.wait(lambda: len(live.runs(number)) == 2 and not live.runs(number)[0].active)
    live.settle()

    newest, first = live.runs(number)
    assert (first.trigger, newest.trigger) == ("implement", "retry")
    assert newest.actor == "maintainer"
    assert newest.status == "failed"  # the house test still fails: a rerun, not a cover-up
    assert live.remote_sha(f"feat/issue-{number}-widget") is None
