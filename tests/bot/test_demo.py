"""`issuebot demo` is the first thing a new user runs: it must tell the whole story, green."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.slow
def test_demo_runs_the_request_through_approval_pr_and_auto_merge() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "demo", "--timeout", "120"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    out = result.stdout
    assert result.returncode == 0, result.stdout + result.stderr
    assert "labels=['entity-request', 'needs-review']" in out
    assert "feat/issue-1-raw-data-source" in out
    assert "merged: True" in out
    # the reviewer's edit (the seed's `tags` field) reached the generated spec
    assert "RawDataSource, 14 fields" in out and ", tags," in out
    assert "issue #1 is closed" in out
    # the gate explains itself: every rule it checked is listed with its verdict
    assert "outcome low-risk" in out
    assert "fail" not in out.split("5. merge gate", 1)[1].split("────", 1)[0]
    assert "Traceback" not in result.stderr
