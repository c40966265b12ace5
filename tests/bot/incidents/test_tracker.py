"""A repository whose runs keep failing gets one incident issue and one notification per severity.

Runs are real rows in a run store; the tracking issue lives on the emulator; notifications go
through apprise's `json://` target to a local receiver, as an operator's webhook would get them.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot.config import Notify, NotifyTarget, RepoConfig
from bot.emulator.testing import EmulatorHandle
from bot.errors import TestsFailedError
from bot.github import ClientOptions, GitHubRepo, MemoryAuditSink, connect_repo
from bot.incidents import AppriseNotifier, IncidentTracker, targets_for
from bot.settings import Settings
from bot.store import FAILED, SUCCEEDED, RunStore

BOT = "issuebot[bot]"
REPO = "acme/widgets"


class Receiver:
    """A local endpoint standing in for Slack/PagerDuty: records apprise's JSON posts."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.posts.append({"path": self.path, **json.loads(body)})
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"json://127.0.0.1:{self.port}/{path}"

    def paths(self) -> list[str]:
        return [post["path"] for post in self.posts]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.server.shutdown()
    found.server.server_close()


def repo_as(emulator: EmulatorHandle, login: str) -> GitHubRepo:
    settings = Settings(
        GITHUB_API_URL=emulator.api_url, GITHUB_TOKEN=SecretStr(emulator.token(login))
    )
    return connect_repo(settings, REPO, MemoryAuditSink(), ClientOptions.fast())


def finish(store: RunStore, issue: int, status: str) -> None:
    run = store.create_run(REPO, issue, trigger="label", actor="maintainer")
    error = TestsFailedError("3 tests failed") if status == FAILED else None
    store.set_status(run.id, status, error=error)


def incident_issues(repo: GitHubRepo) -> list[Any]:
    return [i for i in repo.list_open_issues(label="issuebot-incident")]


def test_three_then_five_failures_open_and_escalate_one_incident_and_a_success_closes_it(
    emulator: EmulatorHandle, receiver: Receiver, tmp_path: Path
) -> None:
    store = RunStore.open(f"sqlite:///{tmp_path / 'runs.db'}")
    bot = repo_as(emulator, BOT)
    config = RepoConfig(notify=Notify(urls=(NotifyTarget(env="ISSUEBOT_NOTIFY_TEAM"),)))
    targets = targets_for(
        f"critical,resolved={receiver.url('pager')}",  # the operator's pager: no 'degraded'
        config.notify.urls,
        {"ISSUEBOT_NOTIFY_TEAM": receiver.url("team")},  # the team's channel, by reference
    )
    tracker = IncidentTracker(bot, store, config, bot_login=BOT, notifier=AppriseNotifier(),
                              targets=targets)  # fmt: skip

    for issue in (1, 2):
        finish(store, issue, FAILED)
        tracker.update()
    assert incident_issues(bot) == [] and receiver.posts == []

    finish(store, 3, FAILED)
    assert tracker.update().change == "opened"
    [incident] = incident_issues(bot)
    assert "Degraded" in incident.body and "3** runs failed" in incident.body
    assert "tests-failed" in incident.body and "#3" in incident.body
    assert receiver.paths() == ["/team"]
    assert receiver.posts[0]["type"] == "failure" and "DEGRADED" in receiver.posts[0]["message"]

    finish(store, 4, FAILED)
    tracker.update()
    tracker.update()  # a second worker evaluating the same streak: nothing new
    [same] = incident_issues(bot)
    assert same.number == incident.number and "4** runs failed" in same.body
    assert receiver.paths() == ["/team"]

    finish(store, 5, FAILED)
    assert tracker.update().change == "escalated"
    [escalated] = incident_issues(bot)
    assert escalated.number == incident.number and "Critical" in escalated.body
    assert sorted(receiver.paths()) == ["/pager", "/team", "/team"]

    finish(store, 6, SUCCEEDED)
    assert tracker.update().change == "resolved"
    assert incident_issues(bot) == []
    closed = bot.get_issue(incident.number)
    assert closed.state == "closed"
    assert any("Resolved" in c.body for c in bot.list_comments(incident.number))
    assert (
        sorted(receiver.paths())[-2:] == ["/team", "/team"] or receiver.paths().count("/pager") == 2
    )
    assert receiver.paths().count("/pager") == 2 and receiver.paths().count("/team") == 3


def test_an_issue_someone_else_labelled_as_an_incident_is_not_the_bots_record(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    store = RunStore.open(f"sqlite:///{tmp_path / 'runs.db'}")
    maintainer, bot = repo_as(emulator, "maintainer"), repo_as(emulator, BOT)
    maintainer.ensure_label("issuebot-incident", "b60205")
    maintainer.create_issue("fake", "<!-- issuebot:incident severity=critical -->",
                            labels=["issuebot-incident"])  # fmt: skip
    tracker = IncidentTracker(bot, store, RepoConfig(), bot_login=BOT, notifier=AppriseNotifier(),
                              targets=[])  # fmt: skip
    assert tracker.recorded().issue is None
    for issue in (1, 2, 3):
        finish(store, issue, FAILED)
    assert tracker.update().change == "opened"


def test_a_repository_cannot_name_a_plain_url_or_another_secret_as_its_target() -> None:
    with pytest.raises(ValueError, match="ISSUEBOT_NOTIFY_"):
        NotifyTarget(env="GITHUB_APP_PRIVATE_KEY")
    with pytest.raises(ValueError):
        NotifyTarget(env="json://evil.example/hook")  # type: ignore[arg-type]
