"""Job functions the queue tests enqueue by import path (run in threads or RQ work horses)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from bot.errors import GitHubUnavailableError


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
