"""A starting worker re-queues the runs the store still calls active, once per interruption."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.locks import SqlLockManager, issue_lock_key
from bot.queue import RqQueue
from bot.queue.recovery import IMPLEMENT_JOB, requeue_active_runs
from bot.store import RunStore
from tests.bot.queue.test_rq import drop_queue

pytestmark = pytest.mark.redis


@pytest.fixture
def rq_queue(redis_url: str) -> Iterator[RqQueue]:
    queue = RqQueue(redis_url, name=f"issuebot-test-{uuid.uuid4().hex[:12]}")
    yield queue
    drop_queue(queue.redis, queue)
    queue.close()


def test_interrupted_runs_are_requeued_once_each_and_finished_runs_not_at_all(
    rq_queue: RqQueue, tmp_path: Path
) -> None:
    store = RunStore.open(f"sqlite:///{tmp_path / 'runs.db'}")
    crashed = store.create_run("acme/shop", 1, trigger="label", actor="m")
    store.start_step(crashed.id, "verify")
    done = store.create_run("acme/shop", 2, trigger="label", actor="m")
    store.set_status(done.id, "succeeded")

    first = requeue_active_runs(store, rq_queue)
    again = requeue_active_runs(store, rq_queue)  # a second worker starting at the same time
    assert first == again and len(first) == 1
    assert rq_queue.depth() == 1
    job = rq_queue.queue.fetch_job(first[0])
    assert job is not None
    assert job.args == [IMPLEMENT_JOB, {"repo": "acme/shop", "issue": 1, "run_id": crashed.id,
                                        "trigger": "resume"}]  # fmt: skip

    store.start_step(crashed.id, "workspace")  # resumed, then interrupted again later
    later = requeue_active_runs(store, rq_queue)
    assert later != first and rq_queue.depth() == 2
    store.close()


def test_only_runs_whose_lease_holder_is_gone_are_requeued_and_ahead_of_new_runs(
    rq_queue: RqQueue, tmp_path: Path
) -> None:
    store = RunStore.open(f"sqlite:///{tmp_path / 'runs.db'}")
    leases = SqlLockManager(store, lease_ttl=30)
    alive = store.create_run("acme/shop", 1, trigger="label", actor="m")
    stranded = store.create_run("acme/shop", 2, trigger="label", actor="m")
    held = leases.acquire(issue_lock_key("acme/shop", 1), 600, owner="live-worker")
    dead = leases.acquire(issue_lock_key("acme/shop", 2), 600, owner="dead-worker")
    assert held is not None and dead is not None
    dead.release()  # what the TTL does once the dead worker's heartbeat stopped
    rq_queue.enqueue(IMPLEMENT_JOB, {"repo": "acme/shop", "issue": 3}, lane="runs")

    [job_id] = requeue_active_runs(store, rq_queue, leases=leases)
    assert requeue_active_runs(store, rq_queue, leases=leases) == [job_id]  # once per death
    job = rq_queue.queue.fetch_job(job_id)
    assert job is not None and job.args[1]["run_id"] == stranded.id
    assert rq_queue.queue.get_job_ids()[0] == job_id  # before the run that waited

    again = leases.acquire(issue_lock_key("acme/shop", 2), 600, owner="resumer")
    assert again is not None
    again.release()  # the resumer died too: a new resume job, not the finished one's id
    [second] = requeue_active_runs(store, rq_queue, leases=leases)
    assert second != job_id
    held.release()
    assert alive.id in {
        j.args[1]["run_id"]
        for j in map(rq_queue.queue.fetch_job, requeue_active_runs(store, rq_queue, leases=leases))
        if j is not None
    }
    store.close()
