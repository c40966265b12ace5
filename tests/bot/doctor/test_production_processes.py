"""The README's production layout, without containers: `issuebot db upgrade`, `serve` and two
`worker`s on PostgreSQL and an append-only Redis, as a GitHub App, against the emulator.

One request goes from a filed issue to a merged PR through real processes: the emulator's
signed webhooks reach `issuebot serve`, which queues on Redis; a worker generates, tests and
opens the PR; CI's green checks arrive as webhooks and a worker's merge gate merges it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.config import Labels
from bot.demo.story import required_check_names
from bot.emulator.testing import EmulatorHandle, start_emulator
from bot.issuespec.render import render_issue_body
from bot.issuespec.request import FeatureRequest
from bot.scaffold.write import initialised_files
from tests.bot.queue.test_durability import PrivateRedis
from tests.bot.store.helpers import pg_schema_url
from tests.bot.widget import WIDGET

__all__ = ["pg_schema_url"]
pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]
REPO = "acme/shop"
SECRET = "production-layout-secret"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Processes:
    """The operator's processes, each started as the README writes it; stopped at the end."""

    def __init__(self, repo_root: Path, env: dict[str, str], logs: Path) -> None:
        self.cli = str(repo_root / ".venv" / "bin" / "issuebot")
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "ISSUEBOT_"))}
        self.env = clean | env
        self.logs = logs
        self.running: list[subprocess.Popen[bytes]] = []

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.cli, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def start(self, name: str, *args: str) -> None:
        with (self.logs / f"{name}.log").open("wb") as log:
            self.running.append(
                subprocess.Popen([self.cli, *args], env=self.env, stdout=log, stderr=log)
            )

    def tail(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-2000:]}" for p in self.logs.glob("*.log"))

    def stop(self) -> None:
        for process in self.running:
            process.terminate()
        for process in self.running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    """Redis run as compose runs it (`--appendonly yes`), private so no other test's worker
    takes our jobs."""
    (tmp_path / "redis").mkdir()
    server = PrivateRedis(tmp_path / "redis", appendonly=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def gh() -> Iterator[EmulatorHandle]:
    """The emulator with a scaffolded, protected repository the App is installed on."""
    with start_emulator() as handle:
        files = initialised_files()
        handle.create_target_repo(REPO, files)
        handle.set_required_checks(REPO, "main", required_check_names(files))
        handle.emulator.store.apps[handle.app_id].repos.append(REPO)
        yield handle


def _wait(what: str, probe: object, procs: Processes, timeout: float = 240) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe() if callable(probe) else None
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"{what}: nothing after {timeout:.0f} s\n{procs.tail()}")


def test_the_documented_processes_take_a_request_to_a_merged_pr(
    gh: EmulatorHandle,
    pg_schema_url: str,
    private_redis: PrivateRedis,
    repo_root: Path,
    tmp_path: Path,
) -> None:
    port = _free_port()
    env = {
        "GITHUB_API_URL": gh.api_url,
        "GITHUB_APP_ID": str(gh.app_id),
        "GITHUB_APP_PRIVATE_KEY": gh.app_private_key(),
        "GITHUB_APP_INSTALLATION_ID": str(gh.installation_id()),
        "ISSUEBOT_WEBHOOK_SECRET": SECRET,
        "DATABASE_URL": pg_schema_url,
        "QUEUE_URL": private_redis.url,
        "ISSUEBOT_WORK_DIR": str(tmp_path / "work"),
        "ISSUEBOT_LOG_JSON": "false",
    }
    (tmp_path / "logs").mkdir()
    procs = Processes(repo_root, env, tmp_path / "logs")
    try:
        upgraded = procs.run("db", "upgrade")
        assert upgraded.returncode == 0, upgraded.stderr
        procs.start("server", "serve", "--host", "127.0.0.1", "--port", str(port),
                    "--reconcile-every", "0")  # fmt: skip
        procs.start("worker-1", "worker")
        procs.start("worker-2", "worker")
        base = f"http://127.0.0.1:{port}"

        def healthy() -> bool:
            try:
                return httpx.get(f"{base}/readyz", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        _wait("the server's /readyz", healthy, procs, timeout=60)
        gh.set_webhook(f"{base}/webhook", SECRET)

        labels = Labels()
        request = FeatureRequest(
            title="Widget entity and API",
            description="Track widgets.",
            user_story="As an operator I want widgets so that I can sell them.",
            acceptance_criteria=["CRUD API endpoints working"],
            entity_definition=WIDGET,
            api_endpoints=["GET /widgets - List widgets"],
        )
        repo = gh.github("maintainer").get_repo(REPO)
        issue = (
            gh.github("writer")
            .get_repo(REPO)
            .create_issue(
                request.title,
                body=render_issue_body(request, labels=labels),
                labels=[labels.needs_review, labels.entity_request],
            )
        )
        repo.get_issue(issue.number).remove_from_labels(labels.needs_review)

        def opened() -> object:
            pulls = [p for p in repo.get_pulls(state="open")
                     if p.head.ref.startswith(f"feat/issue-{issue.number}-")]  # fmt: skip
            return pulls[0] if pulls else None

        pull = _wait("the bot's pull request", opened, procs)
        assert pull.user.login == "issuebot[bot]"  # type: ignore[attr-defined]
        for name in required_check_names(initialised_files()):
            gh.post_check(REPO, pull.head.sha, name, "success")  # type: ignore[attr-defined]

        number = pull.number  # type: ignore[attr-defined]
        merged = _wait("the merge", lambda: repo.get_pull(number).merged, procs)
        assert merged is True
        _wait("the issue closed", lambda: repo.get_issue(issue.number).state == "closed", procs)
        # The server ran the doctor's gates at start, in the background, and logged them.
        assert "readiness_checked" in (tmp_path / "logs" / "server.log").read_text()
        served = [d for d in gh.deliveries() if d.url and d.url.startswith(base)]
        assert served and all(d.status_code == 202 for d in served if d.event != "ping")
    finally:
        procs.stop()
