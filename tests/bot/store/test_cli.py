"""`issuebot runs list/show`, `db upgrade` and `worker` as an operator uses them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from bot.cli.store import register
from bot.errors import ConfigError, GitHubUnavailableError, NotFoundError
from bot.queue import RqQueue
from bot.store import RunStore
from tests.bot.queue.test_rq import drop_queue


def _app() -> typer.Typer:
    app = typer.Typer()
    runs = typer.Typer()
    app.add_typer(runs, name="runs")
    register(app, {"runs": runs, "spec": typer.Typer()})
    return app


def _invoke(*args: str) -> str:
    result = CliRunner().invoke(_app(), list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def seeded(monkeypatch: pytest.MonkeyPatch, database_url: str) -> dict[str, str]:
    """A store with a finished run, a failed one (with a merge decision audited) and a live one."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    store = RunStore.open(database_url)
    done = store.create_run("acme/shop", 1, trigger="label", actor="maintainer")
    store.set_status(done.id, "succeeded")
    failed = store.create_run("acme/shop", 2, trigger="comment", actor="maintainer")
    store.start_step(failed.id, "verify")
    store.finish_step(failed.id, "verify", outcome="ok", output={})
    store.start_step(failed.id, "generate")  # the worker died here
    store.start_step(failed.id, "generate")
    store.finish_step(
        failed.id, "generate", outcome="failed",
        output={"error": {"kind": "github-unavailable", "message": "502 \x1b[31mbad\x1b[0m"}},
    )  # fmt: skip
    store.set_status(failed.id, "failed", error=GitHubUnavailableError("GitHub answered 502"))
    store.audit(
        "merge_decision", actor="issuebot[bot]", repo="acme/shop", issue=2, run_id=failed.id,
        data={"outcome": "needs-review", "rule": "workflow file changed"},
    )  # fmt: skip
    store.record(  # the merge gate, later, could not tell which run made the PR
        {"kind": "merge-decision", "repo": "acme/shop", "issue": 2, "run_id": None,
         "actor": "issuebot[bot]", "outcome": "low-risk", "merged": True}
    )  # fmt: skip
    store.audit("merge-decision", actor="bot", repo="acme/shop", issue=1, data={})  # other issue
    live = store.create_run("acme/other", 3, trigger="label", actor="m")
    store.close()
    return {"done": done.id, "failed": failed.id, "live": live.id}


def test_runs_list_shows_newest_first_with_errors_and_filters(seeded: dict[str, str]) -> None:
    lines = _invoke("runs", "list").splitlines()
    assert lines[0].split()[:3] == ["RUN", "REPO#ISSUE", "STATUS"]
    assert [ln.split()[0] for ln in lines[1:]] == [seeded["live"], seeded["failed"], seeded["done"]]
    assert "github-unavailable, retryable: GitHub answered 502" in lines[2]
    only = json.loads(_invoke("runs", "list", "--repo", "acme/shop", "--issue", "2", "--json"))
    assert [(r["id"], r["status"], r["error_kind"]) for r in only] == [
        (seeded["failed"], "failed", "github-unavailable")
    ]


def test_runs_show_tells_the_story_of_a_failed_run(seeded: dict[str, str]) -> None:
    out = _invoke("runs", "show", seeded["failed"])
    assert f"run {seeded['failed']}  acme/shop#2  failed" in out
    assert "error: github-unavailable, retryable: GitHub answered 502" in out
    assert f"`issuebot runs resume {seeded['failed']}`" in out
    steps = [ln.split()[:4] for ln in out.splitlines() if ln.startswith("  ") and "#" in ln]
    assert steps[:3] == [
        ["verify", "#1", "ok", steps[0][3]],
        ["generate", "#1", "-", "interrupted"],
        ["generate", "#2", "failed", steps[2][3]],
    ]
    assert "\x1b" not in out  # escape sequences from untrusted text are neutralised
    assert 'merge_decision by issuebot[bot]: {"outcome": "needs-review"' in out
    assert 'merge-decision by issuebot[bot]: {"merged": true, "outcome": "low-risk"}' in out
    assert "merge-decision by bot" not in out
    data = json.loads(_invoke("runs", "show", seeded["live"], "--json"))
    assert (data["run"]["status"], data["steps"], data["audit"]) == ("queued", [], [])


def test_runs_show_of_an_unknown_run_is_a_not_found_error(seeded: dict[str, str]) -> None:
    with pytest.raises(NotFoundError):
        _invoke("runs", "show", "no-such-run")


def test_db_upgrade_reports_the_revision_without_the_password(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x' / 'runs.db'}")
    assert "is at revision 0001" in _invoke("db", "upgrade")


def test_worker_without_a_redis_queue_refuses_and_explains_that_none_is_needed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("QUEUE_URL", raising=False)
    with pytest.raises(ConfigError, match="no worker is needed"):
        _invoke("worker")


@pytest.mark.redis
@pytest.mark.slow
def test_issuebot_worker_burst_works_off_the_redis_queue(
    redis_url: str, repo_root: Path, tmp_path: Path
) -> None:
    queue = RqQueue(redis_url, name=f"issuebot-test-{uuid.uuid4().hex[:12]}")
    out = tmp_path / "out.txt"
    try:
        queue.enqueue("tests.bot.queue.jobs.record", {"path": str(out), "value": "ok"})
        env = {
            **os.environ,
            "QUEUE_URL": redis_url,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'runs.db'}",
        }
        subprocess.run(
            [sys.executable, "-m", "bot.cli.main", "worker", "--burst", "--queue", queue.name],
            cwd=repo_root, env=env, check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        assert out.read_text() == "ok\n"
    finally:
        drop_queue(queue.redis, queue)
        queue.close()
