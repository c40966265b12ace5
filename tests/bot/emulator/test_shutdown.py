"""`issuebot emulator` stops promptly on SIGINT/SIGTERM, with its exit code, leaving nothing behind.

The real console script runs in a child process with its own TMPDIR, so the test can see
the temporary directory holding the git repositories appear and then disappear.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ISSUEBOT = Path(sys.executable).with_name("issuebot")
STOP_WITHIN_SECONDS = 2.0


def _start(tmp: Path) -> tuple[subprocess.Popen[str], str]:
    """The emulator as a user starts it, answering requests; returns the process and URL."""
    proc = subprocess.Popen(
        [str(ISSUEBOT), "emulator", "--port", "0", "--log-level", "warning"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "TMPDIR": str(tmp)},
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = re.search(r"http://[\d.]+:\d+", line)
    assert match, f"no URL in {line!r}"
    url = match.group(0)
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{url}/_emulator/health").raise_for_status()
            return proc, url
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                proc.kill()
                raise
            time.sleep(0.02)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("sig", "exit_code"), [(signal.SIGINT, 130), (signal.SIGTERM, 0)], ids=["SIGINT", "SIGTERM"]
)
def test_a_signal_stops_the_emulator_quickly_and_removes_its_temp_dir(
    tmp_path: Path, sig: signal.Signals, exit_code: int
) -> None:
    proc, url = _start(tmp_path)
    try:
        work_dirs = list(tmp_path.glob("issuebot-emulator-*"))
        assert len(work_dirs) == 1, "the emulator keeps its git repositories in a temp dir"
        repo = httpx.get(f"{url}/repos/acme/widgets", headers={"Authorization": "token x"})
        assert repo.status_code == 401  # serving; an idle keep-alive client stays connected
        keep_alive = httpx.Client(base_url=url)
        assert keep_alive.get("/_emulator/health").status_code == 200

        started = time.monotonic()
        proc.send_signal(sig)
        code = proc.wait(timeout=15)
        took = time.monotonic() - started
        keep_alive.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    stderr = proc.stderr.read() if proc.stderr else ""
    assert code == exit_code, stderr
    assert took < STOP_WITHIN_SECONDS, f"stopping took {took:.2f}s"
    assert not work_dirs[0].exists(), "the temp dir is left behind"
    assert "Traceback" not in stderr
