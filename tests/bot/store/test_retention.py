"""`db prune`: old history goes, and nothing the bot still reads is lost."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from bot.errors import TestsFailedError
from bot.store import FAILED, SUCCEEDED, RunStore
from bot.store.base import now_utc


def test_prune_removes_old_history_but_keeps_each_issues_latest_run_and_approvals(
    store: RunStore,
) -> None:
    first = store.create_run("acme/x", 1, trigger="label", actor="m")
    store.start_step(first.id, "verify")
    store.finish_step(first.id, "verify", outcome="ok", output={})
    store.set_status(first.id, FAILED, error=TestsFailedError("red"))
    latest = store.create_run("acme/x", 1, trigger="retry", actor="m")
    store.set_status(latest.id, SUCCEEDED)
    only = store.create_run("acme/x", 2, trigger="label", actor="m")
    store.set_status(only.id, FAILED, error=TestsFailedError("red"))
    running = store.create_run("acme/x", 3, trigger="label", actor="m")
    store.record_delivery("d-1", "issues", None)
    store.audit("run-failed", actor="m", repo="acme/x", issue=1, run_id=first.id, data={})
    store.audit("approval.accepted", actor="m", repo="acme/x", issue=1, run_id=None, data={})

    nothing = store.prune(timedelta(days=30))
    assert (nothing.runs, nothing.deliveries, nothing.audit) == (0, 0, 0)

    later = now_utc() + timedelta(days=31)
    report = store.prune(timedelta(days=30), now=later)

    assert report.runs == 1 and report.steps == 1
    assert store.get_run(first.id) is None
    assert store.get_run(latest.id) is not None  # the issue's latest run answers /status
    assert store.get_run(only.id) is not None
    assert store.get_run(running.id) is not None  # active runs are never pruned
    assert report.deliveries == 1 and store.get_delivery("d-1") is None
    kinds = [entry.kind for entry in store.audit_entries(repo="acme/x")]
    assert kinds == ["approval.accepted"]
    assert "pruned 1 runs (1 steps), 1 deliveries" in report.line()


def test_db_prune_from_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    RunStore.open(url).close()
    env = {**os.environ, "DATABASE_URL": url}
    cli = [sys.executable, "-m", "bot.cli.main", "db", "prune"]
    done = subprocess.run([*cli, "--older-than", "7d"], env=env, capture_output=True, text=True,
                          timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("pruned 0 runs (0 steps), 0 deliveries")
    bad = subprocess.run([*cli, "--older-than", "soon"], env=env, capture_output=True, text=True,
                         timeout=60, check=False)  # fmt: skip
    assert bad.returncode == 2
    assert bad.stderr.strip() == "usage: --older-than must look like 30d or 12h, not 'soon'"
