"""A stranger on the network cannot hold the webhook server: slow, huge or many requests.

Every test talks raw HTTP to a real uvicorn on a real socket, because what is under test is
what happens to bytes on the wire before the app ever sees a request.
"""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.events.event import sign
from bot.server.app import create_app
from bot.server.background import serve_in_thread
from bot.server.limits import ServerLimits
from bot.settings import Settings
from bot.store import RunStore
from tests.bot.server.conftest import SECRET, RecordingQueue
from tests.bot.server.test_webhook import comment_body, deliver

FAST = ServerLimits(header_timeout=0.5, body_timeout=0.5, keep_alive_timeout=1)


def running(store: RunStore, limits: ServerLimits, **env: str) -> Iterator[str]:
    settings = Settings(ISSUEBOT_WEBHOOK_SECRET=SECRET, **env)  # type: ignore[arg-type]
    app = create_app(settings, store=store, queue=RecordingQueue(), limits=limits)
    with serve_in_thread(app, limits=limits) as url:
        yield url


@pytest.fixture
def url(store: RunStore) -> Iterator[str]:
    yield from running(store, FAST)


def connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=5)


def closed_by_server(
    sock: socket.socket, wait: float, *, answer_ends: bool = False
) -> bytes | None:
    """What the server sent before closing within ``wait`` seconds, or None if still open.

    ``answer_ends``: an answer that came before the close counts (a loaded machine may close
    a moment later); without it, a kept-alive connection's answer is not a close.
    """
    received = b""
    deadline = time.monotonic() + wait
    while (left := deadline - time.monotonic()) > 0:
        readable, _, _ = select.select([sock], [], [], left)
        if not readable:
            break
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return received
        if not chunk:
            return received
        received += chunk
    return (received or None) if answer_ends else None


def trickle(
    sock: socket.socket, data: bytes, every: float, budget: float
) -> tuple[int, float, bytes]:
    """Send ``data`` a byte per ``every`` seconds until the server hangs up (or budget ends).

    Returns the bytes sent, the seconds it took and what the server said before hanging up.
    """
    started = time.monotonic()
    for sent, byte in enumerate(data):
        try:
            sock.sendall(bytes([byte]))
        except (BrokenPipeError, ConnectionResetError):
            return sent, time.monotonic() - started, b""
        if (answer := closed_by_server(sock, every, answer_ends=True)) is not None:
            return sent + 1, time.monotonic() - started, answer
        if time.monotonic() - started > budget:
            break
    return len(data), time.monotonic() - started, b""


def request_head(body: bytes, length: int | None = None) -> bytes:
    return (
        "POST /webhook HTTP/1.1\r\nHost: bot\r\nX-GitHub-Event: issue_comment\r\n"
        "X-GitHub-Delivery: slow-1\r\nContent-Type: application/json\r\n"
        f"X-Hub-Signature-256: {sign(body, SECRET)}\r\n"
        f"Content-Length: {len(body) if length is None else length}\r\n\r\n"
    ).encode()


def test_a_client_trickling_its_headers_is_cut_off_at_the_header_deadline(url: str) -> None:
    head = request_head(comment_body()) + b"X-Padding: " + b"a" * 200
    with connect(url) as sock:
        sent, elapsed, _ = trickle(sock, head, every=0.05, budget=5)
    assert sent < len(head), "the server let a slow client send its whole header block"
    assert 0.4 < elapsed < 3


def test_a_kept_alive_connection_trickling_its_next_request_is_cut_off_too(url: str) -> None:
    body = comment_body()
    with connect(url) as sock:
        sock.sendall(request_head(body) + body)
        assert closed_by_server(sock, 0.3) is None  # answered, connection kept alive
        sent, elapsed, _ = trickle(sock, request_head(body), every=0.05, budget=5)
    assert sent < len(request_head(body))
    assert elapsed < 3


def test_a_client_trickling_its_body_gets_408_and_is_disconnected(url: str) -> None:
    body = comment_body()
    with connect(url) as sock:
        sock.sendall(request_head(body))
        sent, elapsed, answer = trickle(sock, body, every=0.05, budget=5)
    assert sent < len(body)
    assert elapsed < 3
    assert answer.startswith(b"HTTP/1.1 408"), answer[:100]
    assert b'"error":"body-timeout"' in answer


def test_an_oversize_content_length_is_refused_before_any_body_byte_is_sent(url: str) -> None:
    with connect(url) as sock:
        sock.sendall(request_head(b"{}", length=26 * 1024 * 1024))
        answer = closed_by_server(sock, 2)  # well inside the body deadline: nothing was awaited
    assert answer is not None and answer.startswith(b"HTTP/1.1 413"), answer


def test_a_header_block_growing_past_16_kib_is_a_400_and_the_connection_closes(
    url: str,
) -> None:
    unfinished = request_head(comment_body()).removesuffix(b"\r\n") + b"X-Pad: " + b"a" * 17_000
    with connect(url) as sock:
        sock.sendall(unfinished)  # never finished: the server must not keep buffering it
        answer = closed_by_server(sock, 3)
    assert answer is not None and answer.startswith(b"HTTP/1.1 400"), answer


def test_when_every_read_slot_is_held_a_delivery_gets_503_with_retry_after(
    store: RunStore,
) -> None:
    limits = ServerLimits(header_timeout=5, body_timeout=5, max_pending_reads=2)
    for url in running(store, limits):
        body = comment_body()
        holders = [connect(url) for _ in range(2)]
        for sock in holders:
            sock.sendall(request_head(body) + body[:10])  # headers, then silence
        deadline = time.monotonic() + 5
        while (busy := deliver(url, body)).status_code != 503 and time.monotonic() < deadline:
            time.sleep(0.05)  # the holders' requests are still reaching the app
        assert busy.status_code == 503
        assert busy.headers["retry-after"] == "5"
        assert busy.json()["error"] == "busy"
        for sock in holders:
            sock.close()  # slots are given back when the slow senders go away
        deadline = time.monotonic() + 5
        while (again := deliver(url, body)).status_code == 503 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert again.status_code == 202


def test_connections_beyond_the_limit_are_answered_503_by_the_server(store: RunStore) -> None:
    for url in running(store, ServerLimits(max_connections=2)):
        idle = [connect(url) for _ in range(2)]
        try:
            assert httpx.get(f"{url}/healthz").status_code == 503
        finally:
            for sock in idle:
                sock.close()


def test_metrics_need_the_bearer_token_when_one_is_set(store: RunStore) -> None:
    for url in running(store, FAST, ISSUEBOT_METRICS_TOKEN="scrape-me"):
        assert deliver(url, comment_body()).status_code == 202
        anonymous = httpx.get(f"{url}/metrics")
        wrong = httpx.get(f"{url}/metrics", headers={"Authorization": "Bearer guess"})
        right = httpx.get(f"{url}/metrics", headers={"Authorization": "Bearer scrape-me"})
    assert (anonymous.status_code, wrong.status_code) == (401, 401)
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
    assert "issuebot_deliveries_total" not in anonymous.text
    assert right.status_code == 200
    assert 'issuebot_deliveries_total{event="issue_comment",outcome="queued"}' in right.text


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"{url} never answered")


@pytest.mark.slow
def test_issuebot_serve_can_put_metrics_on_their_own_address(tmp_path: Path) -> None:
    web, scrape = free_port(), free_port()
    env = {
        **os.environ,
        "GITHUB_TOKEN": "unused-token",
        "ISSUEBOT_BOT_LOGIN": "issuebot[bot]",  # no GitHub here to ask
        "ISSUEBOT_WEBHOOK_SECRET": SECRET,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'runs.db'}",
        "ISSUEBOT_WORK_DIR": str(tmp_path / "work"),
        "ISSUEBOT_METRICS_ADDRESS": f"127.0.0.1:{scrape}",
        "ISSUEBOT_METRICS_TOKEN": "scrape-me",
    }
    env.pop("QUEUE_URL", None)
    command = [sys.executable, "-m", "bot.cli.main", "serve", "--port", str(web)]
    with subprocess.Popen(
        [*command, "--reconcile-every", "0"], env=env, text=True, cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    ) as process:  # fmt: skip
        try:
            wait_for(f"http://127.0.0.1:{web}/healthz", process)
            wait_for(f"http://127.0.0.1:{scrape}/metrics", process)
            body = json.dumps({"zen": "hi", "hook_id": 1}).encode()
            headers = {"X-GitHub-Event": "ping", "X-GitHub-Delivery": "p-1",
                       "X-Hub-Signature-256": sign(body, SECRET)}  # fmt: skip
            ping = httpx.post(f"http://127.0.0.1:{web}/webhook", content=body, headers=headers)
            public = httpx.get(f"http://127.0.0.1:{web}/metrics")
            auth = {"Authorization": "Bearer scrape-me"}
            private = httpx.get(f"http://127.0.0.1:{scrape}/metrics", headers=auth)
            anonymous = httpx.get(f"http://127.0.0.1:{scrape}/metrics")
        finally:
            process.terminate()
            process.communicate(timeout=30)
    assert ping.status_code == 202
    assert public.status_code == 404
    assert (private.status_code, anonymous.status_code) == (200, 401)
    assert 'issuebot_deliveries_total{event="ping"' in private.text
