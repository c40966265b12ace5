"""The product as users meet it: comments and labels on the emulator, its signed webhooks to our
server, the queue, and the real run pipeline opening (or not opening) a pull request.

Nothing is faked: emulator, real git, uvicorn, SQLite run store, in-process queue, issue-spec,
Orchestrator and the target repository's own generated tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest
from pydantic import SecretStr

from bot.emulator.testing import EmulatorHandle
from bot.events.jobs import use_wiring
from bot.events.wiring import wiring_from_settings
from bot.queue import InProcessQueue
from bot.server.app import create_app
from bot.server.background import serve_in_thread
from bot.store import Run
from tests.bot.pipeline.conftest import (  # noqa: F401 - fixtures used by name
    BOT,
    Target,
    emulator,
    make_target,
)

pytestmark = pytest.mark.slow
SECRET = "pipeline-e2e-secret"


@dataclass
class Live:
    """A target repository with the bot's server listening to its webhooks."""

    target: Target
    queue: InProcessQueue
    url: str

    def runs(self, number: int) -> list[Run]:
        return self.target.store.list_runs(repo=self.target.full_name, issue=number)

    def wait(self, what: Callable[[], object], timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while not what():
            assert time.monotonic() < deadline, "timed out"
            time.sleep(0.2)

    def comment(self, login: str, number: int, text: str) -> None:
        """``login`` comments on the issue through PyGithub, as a person would."""
        gh = self.target.emulator.github(login)
        gh.get_repo(self.target.full_name).get_issue(number).create_comment(text)

    def settle(self) -> None:
        assert self.queue.wait(240), "queue did not drain"


@pytest.fixture
def live(
    make_target: Callable[..., Target],  # noqa: F811 - imported fixture
    emulator: EmulatorHandle,  # noqa: F811 - the pipeline tests' module-scoped emulator
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> Iterator[Live]:
    target = make_target(getattr(request, "param", None))  # extra files in the target repo
    settings = target.settings.model_copy(update={"webhook_secret": SecretStr(SECRET)})
    # Run jobs (bot.pipeline.jobs) build their settings from the environment, as workers do.
    for name, value in {
        "GITHUB_API_URL": settings.github_api_url,
        "GITHUB_TOKEN": emulator.token(BOT),
        "DATABASE_URL": settings.database_url,
        "ISSUEBOT_WORK_DIR": str(settings.work_dir),
        "ISSUEBOT_BOT_LOGIN": BOT,
    }.items():
        monkeypatch.setenv(name, value)
    queue = InProcessQueue(max_workers=3)
    use_wiring(wiring_from_settings(settings, store=target.store, queue=queue))
    app = create_app(settings, store=target.store, queue=queue, serialize_writes=True)
    try:
        with serve_in_thread(app) as url:
            emulator.set_webhook(f"{url}/webhook", SECRET)
            yield Live(target, queue, url)
            emulator.set_webhook(None, None)
            queue.wait(240)
    finally:
        use_wiring(None)
        queue.close()


def test_implement_by_a_writer_produces_the_pull_request(live: Live) -> None:
    target = live.target
    number = target.file_request(approve=False)
    live.comment("writer", number, "/implement")

    live.wait(lambda: any(r.status == "succeeded" for r in live.runs(number)))
    live.settle()

    pull = target.bot.find_pull(f"feat/issue-{number}-widget", state="open")
    assert pull is not None and f"Closes #{number}" in pull.body
    assert [r.actor for r in live.runs(number)] == ["writer"]
    metrics = httpx.get(f"{live.url}/metrics").text
    assert 'issuebot_runs_total{outcome="succeeded"}' in metrics
    assert 'issuebot_step_duration_seconds_count{step="test"}' in metrics
    assert 'issuebot_deliveries_total{event="issue_comment",outcome="queued"}' in metrics


def test_implement_by_a_reader_gets_one_refusal_and_no_branch(live: Live) -> None:
    target = live.target
    number = target.file_request(approve=False)
    live.comment("reader", number, "/implement")
    live.comment("reader", number, "/implement please")

    live.wait(lambda: any("permission" in c.body for c in target.bot.list_comments(number)))
    live.settle()

    refusals = [c for c in target.bot.list_comments(number) if "need **write**" in c.body]
    assert len(refusals) == 1
    assert live.runs(number) == []
    assert target.remote_sha(f"feat/issue-{number}-widget") is None


def test_removing_needs_review_as_maintainer_produces_the_pull_request(live: Live) -> None:
    target = live.target
    number = target.file_request(approve=True)  # the maintainer removes `needs-review`

    live.wait(lambda: any(r.status == "succeeded" for r in live.runs(number)))
    live.settle()

    assert target.bot.find_pull(f"feat/issue-{number}-widget", state="open") is not None
    assert [(r.actor, r.status) for r in live.runs(number)] == [("maintainer", "succeeded")]


def test_cancel_during_a_run_stops_it_without_a_pull_request(live: Live) -> None:
    target = live.target
    number = target.file_request(approve=False)
    live.comment("writer", number, "/implement")

    def in_generate_or_test() -> bool:
        runs = live.runs(number)
        steps = target.store.steps(runs[0].id) if runs else []
        return bool(steps) and steps[-1].name in ("generate", "test")

    live.wait(in_generate_or_test)
    live.comment("writer", number, "/cancel")
    live.wait(lambda: live.runs(number)[0].status == "cancelled")
    live.settle()

    assert [r.status for r in live.runs(number)] == ["cancelled"]
    assert target.bot.find_pull(f"feat/issue-{number}-widget", state="all") is None


BROKEN = {"tests/test_house_rules.py": "def test_house_rule():\n    assert 1 == 2\n"}


@pytest.mark.parametrize("live", [BROKEN], indirect=True, ids=["failing-house-test"])
def test_retry_after_a_failure_reruns_it(live: Live) -> None:
    target = live.target
    number = target.file_request(approve=True)
    live.wait(lambda: any(r.status == "failed" for r in live.runs(number)))
    live.settle()
    assert "bot-failed" in target.bot.get_issue(number).labels

    live.comment("maintainer", number, "/retry")
    live.wait(lambda: len(live.runs(number)) == 2 and not live.runs(number)[0].active)
    live.settle()

    newest, first = live.runs(number)
    assert (first.trigger, newest.trigger) == ("implement", "retry")
    assert newest.actor == "maintainer"
    assert newest.status == "failed"  # the house test still fails: a rerun, not a cover-up
    assert target.remote_sha(f"feat/issue-{number}-widget") is None
