"""Queued jobs across a Redis crash: kept with AOF persistence, lost without it (say which)."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from bot.queue import RqQueue
from tests.bot.queue.test_rq import run_burst_worker

pytestmark = [pytest.mark.redis, pytest.mark.slow]
JOBS = "tests.bot.queue.jobs"


class PrivateRedis:
    """A redis-server of our own (the shared one must not be restarted under other tests)."""

    def __init__(self, data_dir: Path, *, appendonly: bool) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.data_dir, self.appendonly = data_dir, appendonly
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.data_dir), "--save", "",
             "--appendonly", "yes" if self.appendonly else "no", "--appendfsync", "always"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "private redis-server did not start"
                time.sleep(0.05)
        client.close()

    def crash(self) -> None:
        """SIGKILL: no shutdown hook gets to save anything."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture(params=[True, False], ids=["appendonly-yes", "appendonly-no"])
def private_redis(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path, appendonly=bool(request.param))
    server.start()
    yield server
    server.stop()


def test_jobs_queued_before_a_redis_crash_survive_only_with_the_append_only_file(
    private_redis: PrivateRedis, repo_root: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.txt"
    queue = RqQueue(private_redis.url, name="issuebot")
    for n in range(5):
        queue.enqueue(f"{JOBS}.record", {"path": str(out), "value": f"run-{n}"}, job_id=f"run-{n}")
    queue.close()
    private_redis.crash()
    private_redis.start()
    queue = RqQueue(private_redis.url, name="issuebot")
    kept = queue.depth()
    run_burst_worker(private_redis.url, "issuebot", repo_root)
    queue.close()
    ran = sorted(out.read_text().split()) if out.exists() else []
    if private_redis.appendonly:
        assert kept == 5 and ran == [f"run-{n}" for n in range(5)]
    else:  # this machine's shared Redis runs like this: the run store must re-enqueue
        assert kept == 0 and ran == []
