"""The Redis queue with a real RQ worker process (burst mode) on the machine's Redis."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from rq import Worker

from bot.queue import QueueUnavailableError, RqQueue
from bot.queue.worker import FAST_SLOTS

pytestmark = [pytest.mark.redis, pytest.mark.slow]
JOBS = "tests.bot.queue.jobs"


def run_burst_worker(redis_url: str, queue_name: str, cwd: Path) -> None:
    """What `issuebot worker --burst` does: work every queued job, then exit."""
    subprocess.run(
        [sys.executable, "-m", "bot.queue.worker", redis_url, "--queue", queue_name, "--burst"],
        cwd=cwd,
        check=True,
        capture_output=True,
        timeout=120,
    )


def drop_queue(client: redis.Redis[bytes], queue: RqQueue) -> None:
    """Remove every key RQ created for this test's queue and its jobs."""
    job_ids = set(queue.failed_job_ids())
    for lane in (queue.queue, queue.fast):
        job_ids |= set(lane.finished_job_registry.get_job_ids()) | set(lane.get_job_ids())
        job_ids |= set(lane.scheduled_job_registry.get_job_ids())
    for job_id in job_ids:
        client.delete(f"rq:job:{job_id}", f"rq:results:{job_id}")
    for pattern in (f"rq:*:{queue.name}*", f"issuebot:coalesce:{queue.fast.name}:*"):
        for key in client.scan_iter(match=pattern):
            client.delete(key)
    client.srem("rq:queues", f"rq:queue:{queue.name}", f"rq:queue:{queue.fast.name}")


@pytest.fixture
def rq_queue(redis_url: str) -> Iterator[RqQueue]:
    queue = RqQueue(redis_url, name=f"issuebot-test-{uuid.uuid4().hex[:12]}", retry_intervals=(0,))
    yield queue
    drop_queue(queue.redis, queue)
    queue.close()


def test_a_worker_process_runs_queued_jobs_and_a_repeated_job_id_runs_once(
    rq_queue: RqQueue, redis_url: str, repo_root: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.txt"
    ids = [
        rq_queue.enqueue(f"{JOBS}.record", {"path": str(out), "value": "run-a"}, job_id="run-a"),
        rq_queue.enqueue(f"{JOBS}.record", {"path": str(out), "value": "run-a"}, job_id="run-a"),
        rq_queue.enqueue(
            f"{JOBS}.record", {"path": str(out), "value": "acme/x#1"}, job_id="acme/x#1"
        ),
    ]
    assert ids[0] == ids[1] == "run-a" and ids[2] != "acme/x#1"  # mapped to a valid RQ id
    assert rq_queue.depth() == 2
    rq_queue.ping()
    run_burst_worker(redis_url, rq_queue.name, repo_root)
    assert sorted(out.read_text().split()) == ["acme/x#1", "run-a"]
    assert rq_queue.depth() == 0
    done = rq_queue.status("acme/x#1")
    assert done is not None and (done.status, done.result) == ("finished", "acme/x#1")


def test_a_job_past_its_timeout_is_killed_and_failed_with_a_clear_message(
    rq_queue: RqQueue, redis_url: str, repo_root: Path
) -> None:
    job = rq_queue.enqueue(f"{JOBS}.sleep", {"seconds": 30}, job_id="slow-run", timeout_seconds=1)
    run_burst_worker(redis_url, rq_queue.name, repo_root)
    state = rq_queue.status(job)
    assert state is not None and state.status == "failed"
    assert state.error == (
        "timeout: job slow-run exceeded its 1 s timeout and was stopped "
        "(it can be retried with /retry)"
    )
    assert rq_queue.failed_job_ids() == ["slow-run"]


def test_failures_are_retried_by_rq_and_the_last_one_is_kept_in_one_line(
    rq_queue: RqQueue, redis_url: str, repo_root: Path, tmp_path: Path
) -> None:
    lucky = rq_queue.enqueue(f"{JOBS}.flaky", {"path": str(tmp_path / "m")}, retries=1)
    down = rq_queue.enqueue(f"{JOBS}.github_down", {}, job_id="down")
    run_burst_worker(redis_url, rq_queue.name, repo_root)
    assert rq_queue.status(lucky) is not None
    assert rq_queue.status(lucky).result == "second time lucky"  # type: ignore[union-attr]
    failed = rq_queue.status(down)
    assert failed is not None and failed.status == "failed"
    assert failed.error is not None and failed.error.endswith("GitHub answered 502 three times")
    assert "\n" not in failed.error


def test_an_unreachable_redis_is_a_retryable_queue_error() -> None:
    queue = RqQueue("redis://127.0.0.1:1/0")
    with pytest.raises(QueueUnavailableError) as down:
        queue.ping()
    assert down.value.retryable
    with pytest.raises(QueueUnavailableError):
        queue.enqueue(f"{JOBS}.record", {}, job_id="never")


def test_a_command_is_taken_by_the_fast_slot_while_the_worker_runs_and_checks_coalesce(
    rq_queue: RqQueue, redis_url: str, repo_root: Path, tmp_path: Path
) -> None:
    release, out = tmp_path / "release", tmp_path / "out.txt"
    worker = subprocess.Popen(
        [sys.executable, "-m", "bot.queue.worker", redis_url, "--queue", rq_queue.name],
        cwd=repo_root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        # The worker and its fast-only companions are up (they start in parallel).
        _until(lambda: len(Worker.all(queue=rq_queue.fast)) == 1 + FAST_SLOTS, 60)
        rq_queue.enqueue(f"{JOBS}.wait_for", {"path": str(release)}, job_id="run", lane="runs")
        _until(lambda: _status(rq_queue, "run") == "started", 30)  # the worker is busy
        started = time.monotonic()
        rq_queue.enqueue(f"{JOBS}.record", {"path": str(out), "value": "ack"}, job_id="ack")
        _until(lambda: _status(rq_queue, "ack") == "finished", 10)
        took = time.monotonic() - started
        assert _status(rq_queue, "run") == "started" and took < 5.0

        ids = set()
        for n in range(5):  # five check events on one head within the window
            payload = {"path": str(out), "value": f"gate-{n}"}
            ids.add(rq_queue.enqueue_coalesced(f"{JOBS}.record", payload, key="h1", delay=1.5))
            time.sleep(0.2)
        assert len(ids) == 1
        _until(lambda: _status(rq_queue, ids.copy().pop()) == "finished", 15)
        release.touch()
        _until(lambda: _status(rq_queue, "run") == "finished", 30)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
    ack, *gates = out.read_text().split()
    assert ack == "ack" and len(gates) == 1  # one evaluation for the five events


def _status(queue: RqQueue, job_id: str) -> str | None:
    state = queue.status(job_id)
    return None if state is None else state.status


def _until(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition never held"
        time.sleep(0.05)
