"""Job functions the queue tests enqueue by import path (run in threads or RQ work horses)."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Any

from bot.errors import GitHubUnavailableError, LockConflictError
from bot.locks import RedisLockManager, default_owner, hold, issue_lock_key
from bot.store import ActiveRunExistsError, RunStore


def record(payload: dict[str, Any]) -> str:
    """Append the payload's value to a file shared with the test, and return it."""
    line = f"{payload['value']}\n".encode()
    fd = os.open(payload["path"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)
    return str(payload["value"])


def sleep(payload: dict[str, Any]) -> None:
    """Take longer than the job's timeout."""
    time.sleep(float(payload["seconds"]))


def github_down(payload: dict[str, Any]) -> None:
    """Fail the way a run does when GitHub keeps answering 502."""
    raise GitHubUnavailableError("GitHub answered 502 three times")


def flaky(payload: dict[str, Any]) -> str:
    """Fail on the first call, succeed on the next (counted in a file)."""
    marker = Path(payload["path"])
    if not marker.exists():
        marker.write_text("failed once\n")
        raise GitHubUnavailableError("GitHub answered 502")
    return "second time lucky"


def wait_for(payload: dict[str, Any]) -> None:
    """Block until the test creates a file (to keep a worker thread busy)."""
    deadline = time.monotonic() + 20
    while not Path(payload["path"]).exists() and time.monotonic() < deadline:
        time.sleep(0.02)


RUN_STEPS = ("verify", "workspace", "spec", "generate", "test", "commit", "push", "pull_request",
             "report")  # fmt: skip
_stores: dict[str, RunStore] = {}


def simulated_run(payload: dict[str, Any]) -> str:
    """What a run does to the shared backends (lease, run row, nine steps, one "PR")."""
    url = payload["database_url"]
    store = _stores.get(url) or _stores.setdefault(url, RunStore.open(url))
    repo, issue = str(payload["repo"]), int(payload["issue"])
    locks = RedisLockManager(payload["redis_url"], prefix=payload["lock_prefix"])
    try:
        with hold(locks, issue_lock_key(repo, issue), 60, owner=default_owner("sim")) as lease:
            if any(r.status == "succeeded" for r in store.list_runs(repo=repo, issue=issue)):
                return "already-done"
            run = store.create_run(repo, issue, trigger="label", actor="sim")
            store.set_status(run.id, "running")
            for step in RUN_STEPS:
                lease.extend()
                store.start_step(run.id, step)
                time.sleep(float(payload.get("step_ms", 0)) / 1000)
                store.finish_step(run.id, step, outcome="ok", output={})
                if step == "pull_request":
                    store.audit("pr_opened", actor="sim", repo=repo, issue=issue,
                                run_id=run.id, data={})  # fmt: skip
            store.set_status(run.id, "succeeded")
            return run.id
    except (LockConflictError, ActiveRunExistsError):
        return "busy"  # another worker holds this issue: its run is the one
    finally:
        locks.close()


def spawn_and_wait(payload: dict[str, Any]) -> None:
    """Start a long child in a session of its own (as the sandbox does) and wait for it."""
    child = subprocess.Popen(["sleep", "120"], start_new_session=True)
    Path(payload["path"]).write_text(str(child.pid))
    child.wait()
