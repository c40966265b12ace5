"""GitHub posts webhooks to a running server: signed ones are queued once, others refused."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine

from bot.events.event import sign
from bot.queue import RqQueue
from bot.server.app import create_app
from bot.server.background import serve_in_thread
from bot.settings import Settings
from bot.store import RunStore
from tests.bot.server.conftest import SECRET, RecordingQueue, Server
from tests.plugins.github_data import webhook_example


def comment_body(text: str = "/implement", comment_id: int = 1) -> bytes:
    data: dict[str, Any] = webhook_example("issue_comment", "created")
    data["comment"].update(body=text, id=comment_id)
    return json.dumps(data).encode()


def deliver(
    url: str,
    body: bytes,
    *,
    event: str = "issue_comment",
    delivery: str | None = None,
    secret: str | None = SECRET,
    client: httpx.Client | None = None,
) -> httpx.Response:
    headers = {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/test",
    }
    if secret is not None:
        headers["X-Hub-Signature-256"] = sign(body, secret)
    return (client or httpx).post(f"{url}/webhook", content=body, headers=headers, timeout=30)


def test_a_signed_webhook_is_acknowledged_with_202_and_queued(server: Server) -> None:
    response = deliver(server.url, comment_body(), delivery="d-1")
    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    assert server.queue.delivery_ids() == ["d-1"]
    func_path, job = server.queue.jobs[0]
    assert func_path == "bot.events.jobs:process_webhook"
    assert job["event"] == "issue_comment"
    assert job["payload"]["comment"]["body"] == "/implement"


def test_a_tampered_body_is_refused_and_nothing_is_queued(server: Server) -> None:
    body = comment_body()
    headers = {
        "X-GitHub-Event": "issue_comment",
        "X-GitHub-Delivery": "d-2",
        "X-Hub-Signature-256": sign(body, SECRET),
    }
    tampered = body.replace(b"/implement", b"/cancel!!!")
    response = httpx.post(f"{server.url}/webhook", content=tampered, headers=headers)
    assert response.status_code == 401
    assert server.queue.jobs == []


def test_a_wrong_secret_is_refused(server: Server) -> None:
    assert deliver(server.url, comment_body(), secret="not-the-secret").status_code == 401
    assert server.queue.jobs == []


def test_unverified_event_names_never_become_metric_labels(server: Server) -> None:
    deliver(server.url, comment_body(), event="x-attacker-chosen", secret="nope")
    metrics = httpx.get(f"{server.url}/metrics").text
    assert "x-attacker-chosen" not in metrics
    assert 'issuebot_deliveries_total{event="unverified",outcome="bad-signature"}' in metrics


def test_a_missing_signature_is_refused(server: Server) -> None:
    response = deliver(server.url, comment_body(), secret=None)
    assert response.status_code == 401
    assert response.json()["error"] == "bad-signature"
    assert server.queue.jobs == []


def test_a_redelivered_webhook_is_acknowledged_but_processed_once(server: Server) -> None:
    first = deliver(server.url, comment_body(), delivery="same-id")
    again = deliver(server.url, comment_body(), delivery="same-id")
    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json()["status"] == "duplicate"
    assert server.queue.delivery_ids() == ["same-id"]


def test_the_same_command_under_a_new_delivery_id_is_processed_once(server: Server) -> None:
    deliver(server.url, comment_body(comment_id=5))
    second = deliver(server.url, comment_body(comment_id=5))
    assert second.json()["status"] == "duplicate"
    assert len(server.queue.jobs) == 1


def test_200_concurrent_deliveries_are_all_acknowledged_and_each_queued_once(
    server: Server,
) -> None:
    ids = [f"burst-{i}" for i in range(200)]
    # Every delivery also arrives a second time, interleaved, as GitHub's redelivery would.
    work = [(d, i) for i, d in enumerate(ids)] + [(d, i) for i, d in enumerate(ids)][::7]
    with httpx.Client(limits=httpx.Limits(max_connections=32)) as client:

        def post(item: tuple[str, int]) -> int:
            delivery, n = item
            body = comment_body("/status", comment_id=1000 + n)
            return deliver(server.url, body, delivery=delivery, client=client).status_code

        with ThreadPoolExecutor(max_workers=32) as pool:
            statuses = list(pool.map(post, work))
    assert statuses == [202] * len(work)
    assert sorted(server.queue.delivery_ids()) == sorted(ids)


def test_events_that_ask_for_nothing_are_acknowledged_but_not_queued(server: Server) -> None:
    ping = json.dumps(webhook_example("ping")).encode()
    chatter = comment_body("Thanks, looks good")
    assert deliver(server.url, ping, event="ping").json()["status"] == "ignored"
    assert deliver(server.url, chatter).json()["status"] == "ignored"
    assert server.queue.jobs == []


def test_a_bot_comment_is_never_queued(server: Server) -> None:
    data = json.loads(comment_body())
    data["sender"] = {"login": "issuebot[bot]", "type": "Bot"}
    response = deliver(server.url, json.dumps(data).encode())
    assert response.json()["status"] == "ignored"
    assert server.queue.jobs == []


def test_a_body_over_25_mb_is_refused_with_413(server: Server) -> None:
    body = b"{" + b" " * (25 * 1024 * 1024) + b"}"
    assert deliver(server.url, body).status_code == 413
    assert server.queue.jobs == []


def test_a_streamed_body_over_25_mb_is_cut_off_with_413(server: Server) -> None:
    chunk = b" " * (1024 * 1024)

    def stream() -> Iterator[bytes]:
        for _ in range(26):
            yield chunk

    headers = {"X-GitHub-Event": "issues", "X-GitHub-Delivery": "big", "X-Hub-Signature-256": "x"}
    response = httpx.post(f"{server.url}/webhook", content=stream(), headers=headers, timeout=60)
    assert response.status_code == 413
    assert server.queue.jobs == []


def test_unreadable_json_is_a_400(server: Server) -> None:
    assert deliver(server.url, b"not json").status_code == 400


def test_a_down_queue_is_reported_as_503_and_by_readiness(server: Server) -> None:
    server.queue.broken = True
    assert deliver(server.url, comment_body()).status_code == 503
    ready = httpx.get(f"{server.url}/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["queue"] == "unavailable: ConnectionError"


def test_a_delivery_refused_while_the_queue_was_down_is_accepted_when_redelivered(
    server: Server,
) -> None:
    server.queue.broken = True
    assert deliver(server.url, comment_body(), delivery="during-outage").status_code == 503
    server.queue.broken = False
    again = deliver(server.url, comment_body(), delivery="during-outage")
    assert (again.status_code, again.json()["status"]) == (202, "queued")
    assert server.queue.delivery_ids() == ["during-outage"]


def test_the_server_enqueues_reconcile_jobs_periodically(store: RunStore) -> None:
    queue = RecordingQueue()
    app = create_app(
        Settings(ISSUEBOT_WEBHOOK_SECRET=SECRET),
        store=store,
        queue=queue,
        reconcile_every=0.05,
        reconcile_repos=["octo/app"],
    )
    with serve_in_thread(app) as url:
        deliver(url, comment_body())  # a repository seen in a webhook is reconciled too
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            repos = {job["repo"] for path, job in queue.jobs if path.endswith("reconcile_job")}
            if repos == {"octo/app", "Codertocat/Hello-World"}:
                break
            time.sleep(0.05)
    assert repos == {"octo/app", "Codertocat/Hello-World"}


def test_health_readiness_and_metrics(server: Server) -> None:
    deliver(server.url, comment_body(), delivery="m-1")
    assert httpx.get(f"{server.url}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{server.url}/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"store": "ok", "queue": "ok"}
    metrics = httpx.get(f"{server.url}/metrics").text
    assert 'issuebot_deliveries_total{event="issue_comment",outcome="queued"}' in metrics
    assert "issuebot_queue_depth 1.0" in metrics


def test_readiness_fails_when_the_store_is_unreachable() -> None:
    unreachable = RunStore(create_engine("sqlite:////nonexistent-dir/runs.db"))
    app = create_app(
        Settings(ISSUEBOT_WEBHOOK_SECRET=SECRET),
        store=unreachable,
        queue=RecordingQueue(),
    )
    with serve_in_thread(app) as url:
        ready = httpx.get(f"{url}/readyz")
        health = httpx.get(f"{url}/healthz")
    assert (ready.status_code, health.status_code) == (503, 200)
    assert ready.json()["checks"]["store"].startswith("unavailable")


@pytest.mark.redis
def test_with_redis_each_delivery_becomes_one_rq_job(store: RunStore, redis_url: str) -> None:
    queue = RqQueue(redis_url, name=f"test-webhook-{uuid.uuid4().hex[:8]}")
    app = create_app(Settings(ISSUEBOT_WEBHOOK_SECRET=SECRET), store=store, queue=queue)
    try:
        with serve_in_thread(app) as url:
            for delivery, comment in (("r-1", 1), ("r-2", 2), ("r-1", 1)):
                deliver(url, comment_body(comment_id=comment), delivery=delivery)
            ready = httpx.get(f"{url}/readyz").json()
        assert ready["checks"] == {"store": "ok", "queue": "ok"}
        jobs = queue.fast.get_jobs()  # webhook handling goes to the fast lane, never behind runs
        assert sorted(job.args[1]["delivery_id"] for job in jobs) == ["r-1", "r-2"]
        assert jobs[0].args[0] == "bot.events.jobs:process_webhook"
    finally:
        for lane in (queue.queue, queue.fast):
            lane.empty()
            lane.delete(delete_jobs=True)
