"""Fixtures that start the local GitHub emulator (provided by bot/emulator).

- ``emulator``: a fresh ``EmulatorHandle`` per test, default seed (acme/widgets, six users).
- ``webhook_receiver``: a local HTTP endpoint that checks ``X-Hub-Signature-256`` and records.
- ``emulator_with_hooks``: both, with the emulator delivering to the receiver.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from bot.emulator.testing import EmulatorHandle, start_emulator


@dataclass
class ReceivedHook:
    """One POST the receiver got, and whether its signature matched the secret."""

    event: str
    action: str | None
    delivery_id: str
    payload: dict[str, Any]
    headers: dict[str, str]
    body: bytes
    signature_ok: bool


@dataclass
class WebhookReceiver:
    """A signature-verifying webhook endpoint on 127.0.0.1."""

    url: str
    secret: str
    received: list[ReceivedHook] = field(default_factory=list)
    _cond: threading.Condition = field(default_factory=threading.Condition, repr=False)

    def record(self, hook: ReceivedHook) -> None:
        """Store a delivery and wake waiters."""
        with self._cond:
            self.received.append(hook)
            self._cond.notify_all()

    def wait_for(
        self, event: str, action: str | None = None, timeout: float = 10.0
    ) -> ReceivedHook:
        """The first received hook of ``event`` (and ``action``); fails the test on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for hook in self.received:
                    if hook.event == event and (action is None or hook.action == action):
                        return hook
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [f"{h.event}.{h.action}" for h in self.received]
                    raise AssertionError(f"no {event}.{action} webhook within {timeout}s: {seen}")
                self._cond.wait(remaining)


def _handler(receiver: WebhookReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        """Records each POST; answers 202 for a good signature, 401 otherwise."""

        def do_POST(self) -> None:
            """Verify ``X-Hub-Signature-256`` over the raw body and record the delivery."""
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            expected = (
                "sha256=" + hmac.new(receiver.secret.encode(), body, hashlib.sha256).hexdigest()
            )
            given = self.headers.get("X-Hub-Signature-256", "")
            ok = hmac.compare_digest(expected, given)
            payload = json.loads(body) if body else {}
            receiver.record(
                ReceivedHook(
                    event=self.headers.get("X-GitHub-Event", ""),
                    action=payload.get("action"),
                    delivery_id=self.headers.get("X-GitHub-Delivery", ""),
                    payload=payload,
                    headers=dict(self.headers.items()),
                    body=body,
                    signature_ok=ok,
                )
            )
            self.send_response(202 if ok else 401)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output quiet."""

    return Handler


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    """A local webhook endpoint with a random secret; ``.received`` lists what arrived."""
    receiver = WebhookReceiver(url="", secret=secrets.token_hex(16))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/webhook"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def emulator() -> Iterator[EmulatorHandle]:
    """A fresh emulator with the default seed (see bot.emulator.seed.default_seed)."""
    with start_emulator() as handle:
        yield handle


@pytest.fixture
def emulator_with_hooks(
    webhook_receiver: WebhookReceiver,
) -> Iterator[tuple[EmulatorHandle, WebhookReceiver]]:
    """(emulator, receiver): every event of the emulator is delivered to the receiver."""
    with start_emulator(
        webhook_url=webhook_receiver.url, webhook_secret=webhook_receiver.secret
    ) as handle:
        yield handle, webhook_receiver
