"""Many approvals, redelivered, worked by four worker processes: one run and one PR each."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from bot.queue import RqQueue
from bot.store import RunStore
from tests.bot.queue.test_rq import drop_queue
from tests.bot.store.helpers import pg_schema_url

__all__ = ["pg_schema_url"]
pytestmark = [pytest.mark.slow, pytest.mark.redis, pytest.mark.postgres]
SIMULATED_RUN = "tests.bot.queue.jobs:simulated_run"


@pytest.fixture
def lock_prefix(redis_url: str) -> Iterator[str]:
    prefix = f"issuebot-test:{uuid.uuid4().hex}:lock:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=prefix + "*"):
        client.delete(key)
    client.close()


APPROVALS, REPOS = 100, 20  # the issue's scale: 100 approvals across 20 repositories


def test_redelivered_approvals_on_four_workers_give_one_run_and_one_pr_each(
    pg_schema_url: str, redis_url: str, lock_prefix: str, repo_root: Path
) -> None:
    store = RunStore.open(pg_schema_url)
    queue = RqQueue(redis_url, name=f"issuebot-test-{uuid.uuid4().hex[:12]}")
    approvals = [(f"acme/shop-{n % REPOS}", n // REPOS + 1) for n in range(APPROVALS)]
    try:
        accepted = 0
        for repo, issue in approvals:
            payload = {"repo": repo, "issue": issue, "database_url": pg_schema_url,
                       "redis_url": redis_url, "lock_prefix": lock_prefix}  # fmt: skip
            key = f"{repo}#{issue}:implement"
            # GitHub redelivers the same id; a second event means the same thing (new id).
            for delivery in (f"d-{repo}-{issue}", f"d-{repo}-{issue}", f"d2-{repo}-{issue}"):
                if store.record_delivery(delivery, "issues", key):  # what the server does
                    accepted += 1
                    queue.enqueue(SIMULATED_RUN, payload)
            queue.enqueue(SIMULATED_RUN, payload)  # the reconciler racing the webhook
        assert accepted == APPROVALS and queue.depth() == 2 * APPROVALS

        command = [sys.executable, "-m", "bot.queue.worker", redis_url, "--queue", queue.name,
                   "--burst", "--preload", "tests.bot.queue.jobs"]  # fmt: skip
        workers = [subprocess.Popen(command, cwd=repo_root, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL) for _ in range(4)]  # fmt: skip
        for worker in workers:
            assert worker.wait(timeout=300) == 0

        runs = store.list_runs(limit=1000)
        assert sorted((r.repo, r.issue) for r in runs) == sorted(approvals)
        assert {r.status for r in runs} == {"succeeded"}
        prs = [(e.repo, e.issue) for e in store.audit_entries(limit=1000) if e.kind == "pr_opened"]
        assert sorted(prs) == sorted(approvals)  # no issue without, none with two
        client = redis.Redis.from_url(redis_url)
        held = [k for k in client.scan_iter(match=lock_prefix + "*") if not k.endswith(b":fence")]
        client.close()
        assert held == []
        assert queue.depth() == 0 and queue.failed_job_ids() == []
    finally:
        drop_queue(queue.redis, queue)
        queue.close()
        store.close()
