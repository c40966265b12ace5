"""Exactly one branch, PR and summary comment: after a kill -9, under concurrency, on cancel."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.errors import CancelledError, LockConflictError
from bot.github.markers import marker_tag
from bot.pipeline import RunResult
from tests.bot.pipeline.conftest import Target

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]
CRASHING_WORKER = """
import os, signal, sys
from bot.pipeline import Orchestrator

repo, issue, crash_after = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def die(step):
    if step == crash_after:
        os.kill(os.getpid(), signal.SIGKILL)  # no cleanup, no lease release: a real crash

Orchestrator(repo=repo, lock_ttl_seconds=2, after_step=die).implement_issue(issue)
"""


def pulls(target: Target) -> list[int]:
    repo = target.emulator.github("reader").get_repo(target.full_name)
    return [p.number for p in repo.get_pulls(state="all")]


def summaries(target: Target, number: int) -> int:
    tag = marker_tag("run-summary")
    return sum(c.body.startswith(tag) for c in target.bot.list_comments(number))


def bot_env(target: Target) -> dict[str, str]:
    return {
        **os.environ,
        "GITHUB_API_URL": target.settings.github_api_url,
        "GITHUB_TOKEN": target.emulator.token("issuebot[bot]"),
        "DATABASE_URL": target.settings.database_url,
        "ISSUEBOT_WORK_DIR": str(target.settings.work_dir),
        "ISSUEBOT_BOT_LOGIN": "issuebot[bot]",
        "ISSUEBOT_LOG_JSON": "false",
    }


def crash_after(target: Target, number: int, step: str) -> str:
    env = bot_env(target)
    worker = subprocess.run(
        [sys.executable, "-c", CRASHING_WORKER, target.full_name, str(number), step],
        check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert worker.returncode == -9, worker.stderr[-2000:]
    (run,) = target.store.list_runs(repo=target.full_name, issue=number)
    assert run.status == "running"
    return run.id


def resume_when_lease_expires(target: Target, run_id: str, *, via_cli: bool) -> RunResult:
    deadline = time.monotonic() + 30
    while True:
        try:
            if not via_cli:
                return target.orchestrator().resume(run_id)
            cli = subprocess.run(
                [sys.executable, "-m", "bot.cli.main", "runs", "resume", run_id],
                check=False, cwd=ROOT, env=bot_env(target), capture_output=True, text=True,
                timeout=300,
            )  # fmt: skip
            if cli.returncode == LockConflictError.exit_code:
                raise LockConflictError(cli.stderr)
            assert cli.returncode == 0, cli.stderr[-2000:]
            assert f"run {run_id}: succeeded" in cli.stdout
            return target.orchestrator().resume(run_id)  # a finished run just reports itself
        except LockConflictError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def latest_outcomes(target: Target, run_id: str) -> dict[str, str | None]:
    return {s.name: s.outcome for s in target.store.steps(run_id)}


@pytest.mark.parametrize(
    ("killed_after", "skipped", "redone", "via_cli"),
    [
        ("generate", {"workspace", "spec", "generate"}, {"test", "commit", "push"}, True),
        (
            "push",
            {"workspace", "spec", "generate", "test", "commit", "push"},
            {"pull_request"},
            False,
        ),
    ],
)
def test_a_killed_run_resumes_to_one_pr_and_one_comment(
    make_target: Callable[..., Target],
    killed_after: str,
    skipped: set[str],
    redone: set[str],
    via_cli: bool,
) -> None:
    target = make_target()
    number = target.file_request()
    run_id = crash_after(target, number, killed_after)
    assert pulls(target) == []

    result = resume_when_lease_expires(target, run_id, via_cli=via_cli)

    assert result.status == "succeeded" and result.run_id == run_id
    outcomes = latest_outcomes(target, run_id)
    assert {name for name, outcome in outcomes.items() if outcome == "skipped"} == skipped
    assert all(outcomes[name] == "ok" for name in redone | {"verify", "report"})
    assert pulls(target) == [result.pr_number]
    assert summaries(target, number) == 1
    assert target.remote_sha(f"feat/issue-{number}-widget") == result.head_sha


def test_five_simultaneous_requests_make_one_run_and_one_pr(
    make_target: Callable[..., Target],
) -> None:
    target = make_target()
    number = target.file_request()
    start = threading.Barrier(5)
    results: list[RunResult] = []
    conflicts: list[LockConflictError] = []

    def attempt() -> None:
        orchestrator = target.orchestrator()
        start.wait()
        try:
            results.append(orchestrator.implement_issue(number))
        except LockConflictError as exc:
            conflicts.append(exc)

    threads = [threading.Thread(target=attempt) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert len(results) == 1 and len(conflicts) == 4
    assert all("already running" in c.message for c in conflicts)
    assert len(target.store.list_runs(repo=target.full_name, issue=number)) == 1
    assert pulls(target) == [results[0].pr_number]
    assert summaries(target, number) == 1


def test_cancel_during_a_run_stops_it_and_removes_its_branch(
    make_target: Callable[..., Target],
) -> None:
    target = make_target()
    number = target.file_request()
    messages: list[str] = []

    def cancel_after_push(step: str) -> None:
        if step == "push":
            messages.append(target.orchestrator().cancel(number, actor="maintainer"))

    with pytest.raises(CancelledError):
        target.orchestrator(after_step=cancel_after_push).implement_issue(number)

    assert messages and "will stop" in messages[0]
    assert target.remote_sha(f"feat/issue-{number}-widget") is None
    assert pulls(target) == []
    (run,) = target.store.list_runs(repo=target.full_name, issue=number)
    assert run.status == "cancelled"
    assert "in-progress" not in target.bot.get_issue(number).labels
    tag = marker_tag("run-summary")
    (summary,) = [c.body for c in target.bot.list_comments(number) if c.body.startswith(tag)]
    assert "cancelled" in summary and "deleted" in summary
