"""A run survives its worker's death: driven from outside, as an operator would see it.

`issuebot serve` gets GitHub's webhooks from the emulator; `issuebot worker` processes run the
jobs. Ten approvals on three repositories (each delivery redelivered), then one worker dies
the way a host crash or the OOM killer kills it: SIGKILL to the worker, its work horse, the
horse's pytest and its fast-lane companion at once. A replacement starts. Every run must end
succeeded with one PR each, no lease left behind, and the stranded run must be finished by a
healthy worker within a minute of the kill. The same for the embedded default (SQLite and
the in-process queue inside `serve`) by killing `serve` and starting it again; and by hand:
`issuebot runs resume` takes over a run whose holder was killed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest
import redis

from bot.config import RepoConfig
from bot.emulator.testing import EmulatorHandle, start_emulator
from bot.emulator.webhooks import Delivery
from bot.issuespec.render import render_issue_body
from bot.issuespec.request import FeatureRequest
from bot.locks import RedisLockManager, SqlLockManager, issue_lock_key
from bot.queue import RqQueue
from bot.scaffold.write import scaffold_files
from bot.store import Run, RunStore
from tests.bot.queue.faults import approved_request
from tests.bot.queue.test_rq import drop_queue
from tests.bot.store.helpers import pg_schema_url
from tests.bot.widget import BOT, WIDGET

__all__ = ["pg_schema_url"]
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
SECRET = "death-secret"
# Seconds; production's default is 30. Short so a dead holder's lease expires quickly (the
# heartbeat renews it every third of this), which is most of what these tests wait for.
LEASE_TTL = 6
MAINTENANCE = 2  # seconds between recovery passes (production: 5)
# `runs resume` must still find the killed holder's lease when it starts (a Python process,
# seconds on a busy machine) to show that it waits one TTL and takes over: 15 s, not 30.
RESUME_LEASE_TTL = 15
STRANDED_WITHIN = 60.0
APPROVALS = 6  # the issue's target: resumed by a healthy worker within a minute


@dataclass
class Operator:
    """The emulator, the bot's processes and what the tests read back."""

    gh: EmulatorHandle
    env: dict[str, str]
    cwd: Path
    store: RunStore
    logs: Path
    repos: list[str] = field(default_factory=list)
    issues: list[tuple[str, int]] = field(default_factory=list)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        """`issuebot ARGS` in a session of its own: killing its group kills all it started."""
        log = self.logs / f"{len(self.processes)}-{args[0]}.log"
        with log.open("wb") as out:  # for the reader of a failure
            process = subprocess.Popen(
                [sys.executable, "-m", "bot.cli.main", *args], cwd=self.cwd,
                env={**os.environ, **self.env}, start_new_session=True,
                stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        self.processes.append(process)
        return process

    def serve(self, *, reconcile: bool = False) -> tuple[subprocess.Popen[bytes], str]:
        """Start `issuebot serve` on a free port and point the emulator's webhook at it.

        With ``reconcile`` its reconciler watches our repositories: jobs of the in-process
        queue (an approval not yet run) die with the process, and that brings them back.
        """
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        watched = [arg for repo in self.repos for arg in ("--reconcile-repo", repo)]
        every = "5" if reconcile else "0"
        process = self.start("serve", "--port", str(port), "--reconcile-every", every, *watched)
        url = f"http://127.0.0.1:{port}"
        _until(lambda: _answers(url + "/healthz"), "serve to listen", 120)
        self.gh.set_webhook(url + "/webhook", SECRET)
        return process, url

    def file_requests(self, repos: int, approvals: int) -> None:
        """Fresh repositories made ready by `issuebot init`, each with entity requests."""
        self.repos = [f"acme/death-{uuid.uuid4().hex[:8]}-{k}" for k in range(repos)]
        for repo in self.repos:
            self.gh.create_target_repo(repo, scaffold_files())
        labels = RepoConfig().labels  # what `issuebot init` writes
        for n in range(approvals):
            repo = self.repos[n % repos]
            request = FeatureRequest(
                title=f"Widget entity and API ({n})", description="Track widgets.",
                user_story="As an operator I want widgets so that I can sell them.",
                acceptance_criteria=["CRUD API endpoints working"],
                entity_definition=WIDGET, api_endpoints=["GET /widgets - List widgets"],
            )  # fmt: skip
            issue = self.gh.github("writer").get_repo(repo).create_issue(
                request.title, render_issue_body(request, labels=labels),
                labels=[labels.needs_review, labels.entity_request],
            )  # fmt: skip
            self.issues.append((repo, issue.number))

    def approve_all(self) -> None:
        """A maintainer approves each request; GitHub delivers each approval twice."""
        for repo, number in self.issues:
            issue = self.gh.github("maintainer").get_repo(repo).get_issue(number)
            issue.remove_from_labels(RepoConfig().labels.needs_review)
            delivery = self.gh.wait_for_delivery(
                "issues", "unlabeled", partial(_about, repo, number), timeout=30
            )
            self.gh.redeliver(delivery.id)

    def runs(self) -> list[Run]:
        return [r for r in self.store.list_runs(limit=1000) if r.repo in self.repos]

    def pulls(self) -> list[tuple[str, str]]:
        gh = self.gh.github("maintainer")
        return [(repo, p.head.ref) for repo in self.repos
                for p in gh.get_repo(repo).get_pulls(state="all")]  # fmt: skip

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                _kill_group(process.pid)
                process.wait(timeout=30)


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorHandle]:
    with start_emulator() as handle:
        yield handle


def _operator(
    emulator: EmulatorHandle, env: dict[str, str], repo_root: Path, logs: Path
) -> Operator:
    base = {
        "GITHUB_API_URL": emulator.api_url,
        "GITHUB_TOKEN": emulator.token(BOT),
        "ISSUEBOT_BOT_LOGIN": BOT,
        "ISSUEBOT_WEBHOOK_SECRET": SECRET,
        "ISSUEBOT_LEASE_TTL": str(LEASE_TTL),
        "ISSUEBOT_MAINTENANCE": str(MAINTENANCE),
        "ISSUEBOT_LOG_JSON": "true",
    }
    logs.mkdir(parents=True, exist_ok=True)
    store = RunStore.open(env["DATABASE_URL"])
    return Operator(emulator, {**base, **env}, repo_root, store, logs)


@pytest.mark.redis
@pytest.mark.postgres
def test_a_worker_killed_with_its_horse_mid_run_loses_no_run_on_postgres_and_redis(
    emulator: EmulatorHandle, pg_schema_url: str, redis_url: str, repo_root: Path,
    tmp_path: Path,
) -> None:  # fmt: skip
    name = f"issuebot-test-{uuid.uuid4().hex[:12]}"
    op = _operator(emulator, {"DATABASE_URL": pg_schema_url, "QUEUE_URL": redis_url,
                              "ISSUEBOT_QUEUE_NAME": name,
                              "ISSUEBOT_WORK_DIR": str(tmp_path / "work")}, repo_root,
                 Path(os.environ.get("ISSUEBOT_TEST_LOGS", tmp_path / "logs")))  # fmt: skip
    locks = RedisLockManager(redis_url)
    try:
        # Six approvals on three repositories keep both workers busy with runs and queued work
        # when one dies (ten proved nothing more and cost a minute).
        op.file_requests(repos=3, approvals=APPROVALS)
        op.serve()
        workers = [op.start("worker"), op.start("worker")]
        op.approve_all()

        # Wait for a run in the middle of its work (generating or testing) on one worker.
        victim: tuple[Run, int] | None = None

        def mid_run() -> bool:
            nonlocal victim
            for run in op.runs():
                steps = [s.name for s in op.store.steps(run.id)]
                holder = locks.holder(issue_lock_key(run.repo, run.issue))
                if run.status == "running" and steps[-1:] in (["generate"], ["test"]) and holder:
                    horse = int(holder.split(":")[-2])  # host:pid:run, pid of the work horse
                    if _parent_of(horse) in {w.pid for w in workers}:
                        victim = (run, horse)
                        return True
            return False

        _until(mid_run, "a run mid-way on a worker", 300)
        assert victim is not None
        stranded, horse = victim
        worker = _parent_of(horse)
        assert worker is not None
        # The host dies under it: the worker (with its fast companion and scheduler) and the
        # horse with its pytest (RQ puts each horse in a process group of its own).
        os.killpg(worker, signal.SIGSTOP)
        os.killpg(horse, signal.SIGSTOP)
        _kill_group(worker)
        _kill_group(horse)
        killed = datetime.now(UTC)
        time.sleep(2)
        op.start("worker")  # the replacement

        _until(lambda: _all_done(op, APPROVALS), "every run to end", 600)
        _assert_every_request_has_one_successful_run_and_one_pr(op)
        # Released by the live workers (a leaked lease would be renewed for ever).
        _until(lambda: all(_leases_free(locks, op)), "every lease to be released", 10)
        resumed, finished = _resumed_and_finished(op.store, stranded.id, killed)
        print(f"\nstranded run resumed {resumed:.1f} s and finished {finished:.1f} s after the "
              f"kill (lease TTL {LEASE_TTL} s)")  # fmt: skip
        assert resumed < STRANDED_WITHIN
    finally:
        op.stop()
        queue = RqQueue(redis_url, name=name)
        drop_queue(queue.redis, queue)
        queue.close()
        _drop_lock_keys(redis_url, op.repos)
        locks.close()
        op.store.close()


def test_killing_serve_mid_run_and_starting_it_again_finishes_every_run_on_the_embedded_default(
    emulator: EmulatorHandle, repo_root: Path, tmp_path: Path
) -> None:
    database = f"sqlite:///{tmp_path / 'state' / 'issuebot.db'}"
    (tmp_path / "state").mkdir()
    op = _operator(emulator, {"DATABASE_URL": database,
                              "ISSUEBOT_WORK_DIR": str(tmp_path / "work")}, repo_root,
                 Path(os.environ.get("ISSUEBOT_TEST_LOGS", tmp_path / "logs")))  # fmt: skip
    store_locks = SqlLockManager(op.store)
    try:
        op.file_requests(repos=2, approvals=3)
        server, _ = op.serve()
        op.approve_all()

        def mid_run() -> bool:
            for run in op.runs():
                steps = [s.name for s in op.store.steps(run.id)]
                if run.status == "running" and steps[-1:] in (["generate"], ["test"]):
                    return True
            return False

        _until(mid_run, "a run mid-way", 300)
        _kill_group(server.pid)  # serve, its run threads and the generated tests they run
        server.wait(timeout=30)
        killed = datetime.now(UTC)
        stranded = [r for r in op.runs() if r.status == "running"]
        assert stranded
        op.serve(reconcile=True)  # started again: it resumes what the dead one left

        _until(lambda: _all_done(op, 3), "every run to end", 600)
        _until(lambda: all(_leases_free(store_locks, op)), "every lease to be released", 10)
    finally:
        op.stop()
    try:
        _assert_every_request_has_one_successful_run_and_one_pr(op)
        times = [_resumed_and_finished(op.store, run.id, killed) for run in stranded]
        resumed, finished = max(t[0] for t in times), max(t[1] for t in times)
        print(f"\nstranded runs resumed {resumed:.1f} s and finished {finished:.1f} s after the "
              f"kill, serve's restart included (lease TTL {LEASE_TTL} s)")  # fmt: skip
        assert resumed < STRANDED_WITHIN
    finally:
        op.store.close()


def _assert_every_request_has_one_successful_run_and_one_pr(op: Operator) -> None:
    runs = op.runs()
    assert sorted((r.repo, r.issue) for r in runs) == sorted(op.issues)  # one run each
    assert {r.status for r in runs} == {"succeeded"}
    pulls = op.pulls()
    assert len(pulls) == len(op.issues) == len(set(pulls))  # one PR each, none twice


def _resumed_and_finished(store: RunStore, run_id: str, killed: datetime) -> tuple[float, float]:
    """Seconds from the kill to the run's first step on a healthy worker, and to its end."""
    run = store.get_run(run_id)
    assert run is not None and run.status == "succeeded"
    later = [s.started_at for s in store.steps(run_id) if s.started_at.replace(tzinfo=UTC) > killed]
    resumed = min(later).replace(tzinfo=UTC) - killed
    return resumed.total_seconds(), (run.updated_at.replace(tzinfo=UTC) - killed).total_seconds()


def _leases_free(locks: RedisLockManager | SqlLockManager, op: Operator) -> list[bool]:
    return [locks.holder(issue_lock_key(repo, n)) is None for repo, n in op.issues]


def _about(repo: str, number: int, delivery: Delivery) -> bool:
    payload = delivery.payload
    return bool(payload["repository"]["full_name"] == repo and payload["issue"]["number"] == number)


def _all_done(op: Operator, count: int) -> bool:
    runs = op.runs()
    return len(runs) >= count and all(not r.active for r in runs)


def _parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])  # the field after the state


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _drop_lock_keys(redis_url: str, repos: list[str]) -> None:
    client = redis.Redis.from_url(redis_url)
    for repo in repos:
        for key in client.scan_iter(match=f"issuebot:lock:*{repo}*"):
            client.delete(key)
    client.close()


def _until(condition: Callable[[], bool], what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.25)


DOOMED_RUN = """
import sys
from bot.pipeline import Orchestrator
Orchestrator(repo=sys.argv[1]).implement_issue(int(sys.argv[2]))
"""


def test_runs_resume_takes_over_a_run_whose_holder_was_killed_instead_of_refusing(
    emulator: EmulatorHandle, repo_root: Path, tmp_path: Path
) -> None:
    target = approved_request(emulator, f"sqlite:///{tmp_path / 'runs.db'}", tmp_path)
    # A short lease TTL: `runs resume` waits one TTL for a holder whose heartbeat stopped.
    env = {**os.environ, **target.env(""), "ISSUEBOT_LEASE_TTL": str(RESUME_LEASE_TTL)}
    env.pop("QUEUE_URL")
    doomed = subprocess.Popen(
        [sys.executable, "-c", DOOMED_RUN, target.repo, str(target.issue)], cwd=repo_root,
        env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _until(lambda: _in_step(target.store, target.repo, "test"), "the test step", 300)
        _kill_group(doomed.pid)  # the run, its heartbeat thread and the generated tests
        doomed.wait(timeout=30)
        [run] = target.store.list_runs(repo=target.repo)
        assert run.status == "running"
        assert SqlLockManager(target.store).holder(issue_lock_key(target.repo, target.issue))

        resumed = subprocess.run(
            [sys.executable, "-m", "bot.cli.main", "runs", "resume", run.id], cwd=repo_root,
            env=env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
    finally:
        if doomed.poll() is None:
            _kill_group(doomed.pid)
        target.store.close()
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert f"run {run.id}: succeeded" in resumed.stdout
    assert f"waiting up to {RESUME_LEASE_TTL} s for its holder" in resumed.stderr  # took over
    assert target.pulls() == [f"feat/issue-{target.issue}-widget"]
    assert target.summary_comments() == 1


def _in_step(store: RunStore, repo: str, step: str) -> bool:
    runs = store.list_runs(repo=repo, limit=1)
    return bool(runs) and [s.name for s in store.steps(runs[0].id)][-1:] == [step]
