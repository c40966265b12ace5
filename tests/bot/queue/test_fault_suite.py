"""The fault suite: real PostgreSQL, real Redis, real worker processes, the emulator's faults.

Each story runs the real pipeline (generator, the target's tests, git, PR) and checks what a
maintainer would see afterwards: one run that succeeded, one PR, one summary comment.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import create_engine, event, text

from bot.emulator.testing import EmulatorHandle, start_emulator
from bot.errors import GitHubUnavailableError
from bot.locks import RedisLockManager, SqlLockManager, issue_lock_key
from bot.pipeline import Orchestrator
from bot.queue import RqQueue
from tests.bot.queue.faults import Approved, approved_request
from tests.bot.queue.test_rq import drop_queue
from tests.bot.store.helpers import pg_schema_url

__all__ = ["pg_schema_url"]
pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

DOOMED_WORKER = """
import sys
from bot.pipeline import Orchestrator
Orchestrator(repo=sys.argv[1], lock_ttl_seconds=3).implement_issue(int(sys.argv[2]))
"""


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorHandle]:
    with start_emulator() as handle:
        yield handle


@pytest.fixture
def approved(
    emulator: EmulatorHandle, pg_schema_url: str, tmp_path: Path, redis_url: str
) -> Iterator[Approved]:
    target = approved_request(emulator, pg_schema_url, tmp_path)
    yield target
    target.store.close()
    client = redis.Redis.from_url(redis_url)  # the fencing counters of this test's repo
    for key in client.scan_iter(match=f"issuebot:lock:*{target.repo}*"):
        client.delete(key)
    client.close()


def _wait_for(condition: Any, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def test_a_worker_killed_mid_run_is_resumed_by_another_with_one_pr_and_one_comment(
    approved: Approved, emulator: EmulatorHandle, redis_url: str, repo_root: Path
) -> None:
    queue = RqQueue(redis_url, name=f"issuebot-test-{uuid.uuid4().hex[:12]}")
    env = {**os.environ, **approved.env(redis_url)}
    # The PR request hangs long enough for the worker to die while GitHub is creating the PR.
    emulator.inject_fault("POST", rf"^/repos/{approved.repo}/pulls$", "slow", delay=2.0)
    doomed = subprocess.Popen(
        [sys.executable, "-c", DOOMED_WORKER, approved.repo, str(approved.issue)],
        cwd=repo_root, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_for(lambda: _started(approved, "pull_request"), "the pull_request step")
        time.sleep(0.5)
        os.killpg(doomed.pid, signal.SIGKILL)  # the machine dies: worker and children
        doomed.wait(timeout=10)
        [run] = approved.store.list_runs(repo=approved.repo)
        assert run.status == "running"
        locks = RedisLockManager(redis_url)
        key = issue_lock_key(approved.repo, approved.issue)
        _wait_for(lambda: locks.holder(key) is None, "the dead worker's lease to expire", 30)
        locks.close()

        # Another worker starts: it re-queues the interrupted run and resumes it.
        subprocess.run(
            [sys.executable, "-m", "bot.cli.main", "worker", "--burst", "--queue", queue.name],
            cwd=repo_root, env=env, check=True, capture_output=True, timeout=300,
        )  # fmt: skip
    finally:
        if doomed.poll() is None:
            os.killpg(doomed.pid, signal.SIGKILL)
        drop_queue(queue.redis, queue)
        queue.close()
    [resumed] = approved.store.list_runs(repo=approved.repo)
    assert (resumed.id, resumed.status) == (run.id, "succeeded")
    assert approved.pulls() == [f"feat/issue-{approved.issue}-widget"]
    assert approved.summary_comments() == 1
    attempts = [(s.attempt, s.outcome) for s in approved.store.steps(run.id)
                if s.name == "pull_request"]  # fmt: skip
    assert attempts[0] == (1, None) and attempts[-1][1] == "ok"  # interrupted, then redone


def test_github_502s_and_rate_limits_are_absorbed_or_fail_retryably_and_resume_finishes(
    approved: Approved, emulator: EmulatorHandle
) -> None:
    repo = approved.repo
    emulator.inject_fault("POST", rf"^/repos/{repo}/issues/\d+/comments$", "502", count=2)
    emulator.inject_fault("POST", rf"^/repos/{repo}/issues/\d+/labels$", "secondary_rate_limit")
    emulator.inject_fault("GET", rf"^/repos/{repo}/issues/\d+$", "502")
    emulator.inject_fault("POST", rf"^/repos/{repo}/pulls$", "502", count=50)  # GitHub is down
    orchestrator = Orchestrator(
        repo=repo, github=approved.bot(), store=approved.store,
        locks=SqlLockManager(approved.store), settings=approved.settings,
    )  # fmt: skip
    with pytest.raises(GitHubUnavailableError) as down:
        orchestrator.implement_issue(approved.issue)
    assert down.value.retryable
    [run] = approved.store.list_runs(repo=repo)
    assert (run.status, run.error_kind, run.retryable) == ("failed", "github-unavailable", True)
    assert approved.pulls() == []

    emulator.emulator.faults.clear()  # GitHub is back: `runs resume` (or /retry) finishes it
    result = orchestrator.resume(run.id)
    assert (result.run_id, result.status) == (run.id, "succeeded")
    assert approved.pulls() == [f"feat/issue-{approved.issue}-widget"]
    assert approved.summary_comments() == 1
    ran_tests = [s for s in approved.store.steps(run.id) if s.name == "test"]
    assert [s.outcome for s in ran_tests] == ["ok", "skipped"]  # passed tests are not redone


def test_a_postgres_connection_dropped_during_a_step_fails_the_run_cleanly_and_resume_finishes(
    approved: Approved, postgres_url: str
) -> None:
    store = approved.store
    seen = {"step_updates": 0}

    @event.listens_for(store.engine, "before_cursor_execute")
    def _drop(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.startswith("UPDATE steps"):
            return
        seen["step_updates"] += 1
        if seen["step_updates"] == 4:  # recording the end of the 4th step (generate)
            pid = conn.connection.dbapi_connection.info.backend_pid
            with create_engine(postgres_url).begin() as admin:
                admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    orchestrator = Orchestrator(
        repo=approved.repo, github=approved.bot(), store=store,
        locks=SqlLockManager(store), settings=approved.settings,
    )  # fmt: skip
    with pytest.raises(Exception) as failure:
        orchestrator.implement_issue(approved.issue)
    assert getattr(failure.value, "retryable", False), failure.value
    [run] = store.list_runs(repo=approved.repo)
    assert (run.status, run.error_kind, run.retryable) == ("failed", "store-unavailable", True)
    steps = store.steps(run.id)
    assert [(s.name, s.outcome) for s in steps] == [
        ("verify", "ok"),
        ("workspace", "ok"),
        ("spec", "ok"),
        ("generate", None),
    ]  # the lost write left the step open, never half-recorded
    event.remove(store.engine, "before_cursor_execute", _drop)

    result = orchestrator.resume(run.id)
    assert result.status == "succeeded"
    assert approved.pulls() == [f"feat/issue-{approved.issue}-widget"]
    assert approved.summary_comments() == 1


def _started(approved: Approved, step: str) -> bool:
    runs = approved.store.list_runs(repo=approved.repo, limit=1)
    return bool(runs) and any(s.name == step for s in approved.store.steps(runs[0].id))
