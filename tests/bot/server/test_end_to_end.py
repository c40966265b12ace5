"""The whole webhook path: a maintainer acts on the emulator, GitHub-style webhooks reach our
server over HTTP, the signature is checked, the delivery queued, and a worker thread runs it.

Only the run pipeline is a recording fake of our `Runner` Protocol; everything else is real:
emulator, webhooks, uvicorn, run store on SQLite, the in-process queue, the GitHub layer.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.emulator.testing import EmulatorHandle, start_emulator
from bot.events.handlers import Services
from bot.events.jobs import use_wiring
from bot.events.wiring import StoreDedupe, Wiring
from bot.github import GitHubRepo, connect_repo
from bot.issuespec import on_issue_changed, preview_issue
from bot.locks import SqlLockManager
from bot.queue import InProcessQueue
from bot.server.app import create_app
from bot.server.background import serve_in_thread
from bot.settings import Settings
from bot.store import RunStore
from tests.bot.events.test_handlers_emulator import BOT, REPO, RecordingRunner

SECRET = "e2e-secret"


@dataclass
class Stack:
    gh: EmulatorHandle
    runner: RecordingRunner
    queue: InProcessQueue
    repo: GitHubRepo

    def wait_for_calls(self, count: int, timeout: float = 15) -> list[tuple[str, str, int, str]]:
        deadline = time.monotonic() + timeout
        while len(self.runner.calls) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        self.queue.wait(timeout)
        return self.runner.calls


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    store = RunStore.open(f"sqlite:///{tmp_path / 'runs.db'}")
    queue = InProcessQueue()
    runner = RecordingRunner()
    with start_emulator() as gh:
        settings = Settings(
            GITHUB_API_URL=gh.api_url,
            GITHUB_TOKEN=gh.token(BOT),
            ISSUEBOT_BOT_LOGIN=BOT,
            ISSUEBOT_WEBHOOK_SECRET=SECRET,
        )
        repo = connect_repo(settings, REPO, store)
        services = Services(runner, on_issue_changed, preview_issue, BOT)
        use_wiring(
            Wiring(
                lambda _name: repo,
                services,
                dedupe=StoreDedupe(store),
                runs=store,
                locks=SqlLockManager(store),
            )
        )
        app = create_app(settings, store=store, queue=queue)
        try:
            with serve_in_thread(app) as url:
                gh.set_webhook(f"{url}/webhook", SECRET)
                yield Stack(gh, runner, queue, repo)
        finally:
            use_wiring(None)
            queue.close()
            store.close()


def test_removing_needs_review_reaches_the_runner_through_the_webhook_server(
    stack: Stack,
) -> None:
    issue = (
        stack.gh.github("maintainer")
        .get_repo(REPO)
        .create_issue("RawDataSource", body="spec", labels=["entity-request", "needs-review"])
    )
    issue.remove_from_labels("needs-review")
    assert stack.wait_for_calls(1) == [("implement", REPO, issue.number, "maintainer")]
    delivery = stack.gh.wait_for_delivery("issues", "unlabeled")
    assert delivery.status_code == 202


def test_a_redelivery_through_the_server_does_not_run_twice(stack: Stack) -> None:
    issue = (
        stack.gh.github("writer")
        .get_repo(REPO)
        .create_issue("RawDataSource", body="spec", labels=["entity-request"])
    )
    issue.create_comment("/implement")
    stack.wait_for_calls(1)
    delivery = stack.gh.wait_for_delivery("issue_comment", "created")
    stack.gh.redeliver(delivery.id)
    stack.queue.wait(10)
    assert stack.runner.calls == [("implement", REPO, issue.number, "writer")]


def test_a_reader_gets_one_refusal_through_the_server(stack: Stack) -> None:
    number = stack.gh.github("maintainer").get_repo(REPO).create_issue("x", body="y").number
    reader_issue = stack.gh.github("reader").get_repo(REPO).get_issue(number)
    reader_issue.create_comment("/implement")
    reader_issue.create_comment("/implement")
    deadline = time.monotonic() + 15
    refusals: list[str] = []
    while time.monotonic() < deadline:
        stack.queue.wait(5)
        bodies = [c.body for c in stack.repo.list_comments(number) if c.author == BOT]
        refusals = [b for b in bodies if "permission" in b]
        user_hooks = [
            d
            for d in stack.gh.deliveries()
            if d.event == "issue_comment" and d.payload["sender"]["login"] == "reader"
        ]
        if len(user_hooks) == 2 and refusals:
            break
        time.sleep(0.1)
    stack.queue.wait(10)
    assert len(refusals) == 1
    assert stack.runner.calls == []
