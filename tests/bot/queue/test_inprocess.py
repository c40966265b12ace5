"""The embedded queue: jobs by import path in a bounded thread pool, timeouts reported."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.queue import InProcessQueue, QueueFullError, RqQueue, make_queue
from bot.settings import Settings

JOBS = "tests.bot.queue.jobs"


@pytest.fixture
def queue() -> Iterator[InProcessQueue]:
    q = InProcessQueue(max_workers=2)
    yield q
    q.close(wait=False)


def test_a_job_runs_its_function_with_the_payload_once_per_job_id(
    queue: InProcessQueue, tmp_path: Path
) -> None:
    out = tmp_path / "out.txt"
    first = queue.enqueue(f"{JOBS}.record", {"path": str(out), "value": "a"}, job_id="run-1")
    again = queue.enqueue(f"{JOBS}.record", {"path": str(out), "value": "a"}, job_id="run-1")
    other = queue.enqueue(f"{JOBS}:record", {"path": str(out), "value": "b"})
    assert queue.wait(timeout=20)
    assert first == again == "run-1" and other != first
    assert sorted(out.read_text().split()) == ["a", "b"]
    state = queue.status("run-1")
    assert state is not None and (state.status, state.result) == ("finished", "a")
    assert queue.depth() == 0


def test_a_job_past_its_timeout_is_reported_failed_with_a_clear_message(
    queue: InProcessQueue,
) -> None:
    job = queue.enqueue(f"{JOBS}.sleep", {"seconds": 1.5}, job_id="slow", timeout_seconds=1)
    assert queue.wait(timeout=20)
    state = queue.status(job)
    assert state is not None and state.status == "failed"
    assert state.error == (
        "timeout: job slow exceeded its 1 s timeout and was stopped (it can be retried with /retry)"
    )


def test_failing_jobs_are_retried_then_fail_with_one_line(
    queue: InProcessQueue, tmp_path: Path
) -> None:
    lucky = queue.enqueue(f"{JOBS}.flaky", {"path": str(tmp_path / "m")}, retries=1)
    down = queue.enqueue(f"{JOBS}.github_down", {}, retries=2)
    missing = queue.enqueue("tests.bot.queue.jobs.no_such_function", {})
    assert queue.wait(timeout=20)
    assert queue.status(lucky) is not None
    assert queue.status(lucky).result == "second time lucky"  # type: ignore[union-attr]
    assert queue.status(down).error == (  # type: ignore[union-attr]
        "GitHubUnavailableError: GitHub answered 502 three times"
    )
    assert "no job function" in (queue.status(missing).error or "")  # type: ignore[union-attr]


def test_payloads_must_be_json_like_on_a_redis_worker(queue: InProcessQueue) -> None:
    with pytest.raises(ConfigError):
        queue.enqueue(f"{JOBS}.record", {"value": object()})


def test_the_queue_is_bounded_and_says_so_with_a_retryable_error(tmp_path: Path) -> None:
    queue = InProcessQueue(max_workers=1, max_pending=1)
    gate = tmp_path / "open"
    try:
        queue.enqueue(f"{JOBS}.wait_for", {"path": str(gate)}, job_id="busy")
        _until(lambda: _status(queue, "busy") == "started")
        queue.enqueue(f"{JOBS}.wait_for", {"path": str(gate)}, job_id="waiting")
        assert queue.depth() == 1
        with pytest.raises(QueueFullError) as full:
            queue.enqueue(f"{JOBS}.wait_for", {"path": str(gate)}, job_id="one-too-many")
        assert full.value.retryable
        gate.write_text("go")
        assert queue.wait(timeout=20)
    finally:
        queue.close(wait=False)


def test_queue_url_picks_the_backend(redis_url: str) -> None:
    assert isinstance(make_queue(Settings(queue_url=None)), InProcessQueue)
    assert isinstance(make_queue(Settings(queue_url=redis_url)), RqQueue)
    with pytest.raises(ConfigError) as bad:
        make_queue(Settings(queue_url="amqp://broker"))
    assert "amqp://" in bad.value.message


def _status(queue: InProcessQueue, job_id: str) -> str | None:
    state = queue.status(job_id)
    return None if state is None else state.status


def _until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 20
    while not condition():
        assert time.monotonic() < deadline, "condition never held"
        time.sleep(0.01)


def test_a_command_is_handled_at_once_while_every_run_thread_is_busy(
    queue: InProcessQueue, tmp_path: Path
) -> None:
    release = tmp_path / "release"
    for n in range(3):  # two runs hold both run threads, a third waits for one
        queue.enqueue(f"{JOBS}.wait_for", {"path": str(release)}, job_id=f"run-{n}", lane="runs")
    out = tmp_path / "out.txt"
    started = time.monotonic()
    ack = queue.enqueue(f"{JOBS}.record", {"path": str(out), "value": "status"})
    _until(lambda: _status(queue, ack) == "finished")
    assert time.monotonic() - started < 2.0
    assert _status(queue, "run-0") == "started" and _status(queue, "run-2") == "queued"
    release.touch()
    assert queue.wait(10)


def test_a_resumed_run_goes_ahead_of_runs_that_wait(queue: InProcessQueue, tmp_path: Path) -> None:
    release, out = tmp_path / "release", tmp_path / "out.txt"
    for _ in range(2):
        queue.enqueue(f"{JOBS}.wait_for", {"path": str(release)}, lane="runs")
    queue.enqueue(f"{JOBS}.record", {"path": str(out), "value": "new"}, lane="runs")
    queue.enqueue(f"{JOBS}.record", {"path": str(out), "value": "resumed"}, lane="runs",
                  at_front=True)  # fmt: skip
    release.touch()
    assert queue.wait(10)
    assert out.read_text().split() == ["resumed", "new"]


def test_check_events_on_one_head_lead_to_one_evaluation_after_the_last(
    queue: InProcessQueue, tmp_path: Path
) -> None:
    out = tmp_path / "out.txt"
    first = time.monotonic()
    for n in range(6):  # a check_run.completed per check, then the suite's event
        queue.enqueue_coalesced(
            f"{JOBS}.record", {"path": str(out), "value": f"e{n}"}, key="acme/shop#3@abc", delay=0.5
        )
        time.sleep(0.1)
    queue.enqueue_coalesced(
        f"{JOBS}.record", {"path": str(out), "value": "other"}, key="acme/shop#3@def", delay=0.5
    )
    assert queue.wait(10)
    assert sorted(out.read_text().split()) == ["e5", "other"]  # the last payload, once per head
    assert time.monotonic() - first >= 1.0  # 0.5 s after the last event, not after the first
