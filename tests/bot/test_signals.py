"""Ctrl-C and SIGTERM stop `demo`, `serve` and `worker` within 2 s, children and temp dirs too.

Each command runs as the operator runs it (a real process, real children: the demo's git and
sandbox processes, a worker's RQ work horse, its fast-lane companions and the job's own child
in a session of its own). The signal goes to the command's pid only, as `kill` or systemd
sends it, so nothing but the command itself can stop its children. Afterwards no process that
inherited the test's marker variable may be left, and the private temp dirs are gone.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.emulator.testing import EmulatorHandle
from bot.interrupt import descendants
from bot.queue import RqQueue
from tests.bot.queue.test_rq import drop_queue

STOP_WITHIN = 2.0
MARK = "ISSUEBOT_SIGNAL_TEST"


@dataclass
class Command:
    """A started `issuebot …` process, its private TMPDIR and its marker."""

    process: subprocess.Popen[str]
    tmpdir: Path
    mark: str

    def stop(self, sig: signal.Signals) -> tuple[int, float, str]:
        """Send ``sig``; (exit code, seconds until exit, what it printed)."""
        sent = time.monotonic()
        self.process.send_signal(sig)
        try:
            out, _ = self.process.communicate(timeout=15)
        finally:
            self.process.kill()
        return self.process.returncode, time.monotonic() - sent, out

    def leftovers(self) -> list[str]:
        """Processes still alive that the command started (they carry its marker)."""
        found = []
        for entry in Path("/proc").iterdir():
            try:
                environ = (entry / "environ").read_bytes()
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if f"{MARK}={self.mark}".encode() in environ.split(b"\0") and state != "Z":
                found.append(f"{entry.name}: {(entry / 'cmdline').read_bytes()!r}")
        return found


@pytest.fixture
def start(tmp_path: Path, repo_root: Path) -> Iterator[Callable[..., Command]]:
    started: list[Command] = []

    def start(*args: str, env: dict[str, str] | None = None) -> Command:
        tmpdir = tmp_path / f"tmp-{len(started)}"
        tmpdir.mkdir()
        mark = uuid.uuid4().hex
        environment = {**os.environ, **(env or {}), "TMPDIR": str(tmpdir), MARK: mark,
                       "PYTHONUNBUFFERED": "1"}  # fmt: skip
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli.main", *args], cwd=repo_root, env=environment,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        command = Command(process, tmpdir, mark)
        started.append(command)
        return command

    yield start
    for command in started:
        if command.process.poll() is None:
            command.process.kill()
        for line in command.leftovers():  # never leave a stray process to other tests
            os.kill(int(line.split(":")[0]), signal.SIGKILL)


def _read_until(command: Command, marker: str, timeout: float) -> str:
    """The output up to and including the first line holding ``marker``."""
    assert command.process.stdout is not None
    seen = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = command.process.stdout.readline()
        if not line:
            break
        seen += line
        if marker in line:
            return seen
    pytest.fail(f"no {marker!r} in time; output so far:\n{seen}")


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _until(what: str, probe: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not probe():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {timeout} s")
        time.sleep(0.05)


@pytest.mark.slow
def test_ctrl_c_stops_the_demo_mid_run_says_what_it_did_and_leaves_nothing(
    start: Callable[..., Command],
) -> None:
    demo = start("demo")
    before = _read_until(demo, "2. maintainer removed", timeout=120)
    # The run is under way: its git (and later sandbox) processes are the demo's children.
    _until("the run's first child process", lambda: bool(descendants(demo.process.pid)), 60)
    code, took, out = demo.stop(signal.SIGINT)
    assert code == 130, before + out
    out = " ".join(out.split())  # as a terminal of any width shows it
    assert took < STOP_WITHIN, f"stopped after {took:.1f} s"
    assert "interrupted after" in out and "done: issue #1" in out, out
    assert "request" in out.split("finished phases:", 1)[1]
    assert "Traceback" not in out and "run_failed" not in out  # no job saw GitHub vanish
    assert demo.leftovers() == []
    assert list(demo.tmpdir.iterdir()) == []  # emulator, database, clones, sandbox: all gone


@pytest.fixture
def serve_env(emulator: EmulatorHandle, tmp_path: Path) -> dict[str, str]:
    """The environment of `issuebot serve` against the emulator, embedded queue and SQLite."""
    return {
        "GITHUB_API_URL": emulator.api_url,
        "GITHUB_TOKEN": emulator.token("issuebot[bot]"),
        "ISSUEBOT_WEBHOOK_SECRET": "signals-secret",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'issuebot.db'}",
        "ISSUEBOT_WORK_DIR": str(tmp_path / "work"),
        "ISSUEBOT_LOG_JSON": "true",
    }


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_serve_stops_at_once_even_while_a_client_is_still_sending(
    start: Callable[..., Command], serve_env: dict[str, str], sig: signal.Signals, code: int
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    serve = start("serve", "--port", str(port), "--reconcile-every", "0", env=serve_env)
    _read_until(serve, "issuebot listening on", timeout=60)
    # A webhook whose body never finishes: uvicorn's graceful shutdown would wait for it.
    with socket.create_connection(("127.0.0.1", port)) as client:
        client.sendall(b"POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{")
        time.sleep(0.2)
        exit_code, took, out = serve.stop(sig)
    assert exit_code == code, out
    assert took < STOP_WITHIN, f"stopped after {took:.1f} s"
    assert f"interrupted by {sig.name}" in out
    assert "Traceback" not in out
    assert serve.leftovers() == []
    assert list(serve.tmpdir.iterdir()) == []


@pytest.mark.redis
@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_worker_stops_mid_job_with_its_horse_companions_and_the_jobs_children(
    start: Callable[..., Command],
    redis_url: str,
    tmp_path: Path,
    sig: signal.Signals,
    code: int,
) -> None:
    queue = RqQueue(redis_url, name=f"issuebot-test-{uuid.uuid4().hex[:12]}")
    pid_file = tmp_path / "child.pid"
    env = {"QUEUE_URL": redis_url, "DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}"}
    try:
        worker = start("worker", "--queue", queue.name, "--no-requeue-interrupted", env=env)
        queue.enqueue("tests.bot.queue.jobs.spawn_and_wait", {"path": str(pid_file)})
        _until("the job's child process", pid_file.exists, 60)
        # worker, two companions, the horse and the job's child (in a session of its own)
        assert len(worker.leftovers()) >= 5
        exit_code, took, out = worker.stop(sig)
        assert exit_code == code, out
        assert took < STOP_WITHIN, f"stopped after {took:.1f} s"
        assert worker.leftovers() == []
        assert not _alive(int(pid_file.read_text()))  # a zombie waiting for init is no process
        assert list(worker.tmpdir.iterdir()) == []
    finally:
        drop_queue(queue.redis, queue)
        queue.close()
