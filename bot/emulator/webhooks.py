"""Webhook delivery as GitHub's Hookshot does it: signed POSTs, in order, every one recorded.

Events are queued by the routes and sent by one background thread, so API calls answer at
once and receivers see events in the order the state changed. A redelivery re-sends the
recorded body with the same ``X-GitHub-Delivery`` GUID (GitHub keeps the GUID on redelivery).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import queue
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.emulator.state import now_iso

if TYPE_CHECKING:
    import httpx

HOOKSHOT_AGENT = "GitHub-Hookshot/6a7f3c1"
HOOK_ID = 424242


@dataclass
class Delivery:
    """One webhook delivery attempt and what the receiver answered."""

    id: str
    event: str
    action: str | None
    payload: dict[str, Any]
    body: bytes
    url: str | None = None
    status_code: int | None = None
    response: str | None = None
    error: str | None = None
    redelivery: bool = False
    delivered_at: str | None = None
    done: threading.Event = field(default_factory=threading.Event, repr=False)


def signature(secret: str, body: bytes) -> str:
    """``X-Hub-Signature-256``: HMAC-SHA256 of the exact body bytes."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookSender:
    """Queues, signs, sends and records deliveries to the one configured URL."""

    def __init__(self, url: str | None = None, secret: str | None = None) -> None:
        self.url = url
        self.secret = secret
        self._records: list[Delivery] = []
        self._lock = threading.Condition()
        self._queue: queue.Queue[Delivery | None] = queue.Queue()
        self._client: httpx.Client | None = None  # created on first send: TLS setup is slow
        self._thread = threading.Thread(target=self._run, name="emulator-hookshot", daemon=True)
        self._thread.start()

    def configure(self, url: str | None, secret: str | None) -> None:
        """Point deliveries at ``url`` signed with ``secret`` (None stops delivering)."""
        self.url = url
        self.secret = secret

    def emit(self, event: str, payload: dict[str, Any]) -> Delivery:
        """Record and queue one event; returns the delivery (sent in the background)."""
        body = json.dumps(payload, separators=(",", ":")).encode()
        action = payload.get("action")
        delivery = Delivery(
            id=str(uuid.uuid4()),
            event=event,
            action=action if isinstance(action, str) else None,
            payload=payload,
            body=body,
        )
        self._enqueue(delivery)
        return delivery

    def redeliver(self, delivery_id: str) -> Delivery:
        """Send a recorded delivery again: same GUID and body, a new record."""
        with self._lock:
            original = next((d for d in self._records if d.id == delivery_id), None)
        if original is None:
            raise KeyError(delivery_id)
        again = Delivery(
            id=original.id,
            event=original.event,
            action=original.action,
            payload=original.payload,
            body=original.body,
            redelivery=True,
        )
        self._enqueue(again)
        return again

    def _enqueue(self, delivery: Delivery) -> None:
        with self._lock:
            self._records.append(delivery)
        self._queue.put(delivery)

    def deliveries(self) -> list[Delivery]:
        """Every delivery so far, oldest first (including ones not yet sent)."""
        with self._lock:
            return list(self._records)

    def wait_for(
        self,
        event: str,
        action: str | None = None,
        predicate: Callable[[Delivery], bool] | None = None,
        timeout: float = 10.0,
    ) -> Delivery:
        """The first finished delivery matching event/action/predicate; TimeoutError if none."""
        deadline = time.monotonic() + timeout
        while True:
            # The predicate runs outside the lock: it may call the API, which emits events.
            for delivery in self.deliveries():
                if (
                    delivery.done.is_set()
                    and delivery.event == event
                    and (action is None or delivery.action == action)
                    and (predicate is None or predicate(delivery))
                ):
                    return delivery
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                seen = [f"{d.event}.{d.action}" for d in self.deliveries()]
                raise TimeoutError(f"no {event}.{action} delivery within {timeout}s; saw {seen}")
            with self._lock:
                self._lock.wait(min(remaining, 0.05))

    def headers(self, delivery: Delivery, target_id: int) -> dict[str, str]:
        """The headers Hookshot sends with a delivery."""
        headers = {
            "Content-Type": "application/json",
            "User-Agent": HOOKSHOT_AGENT,
            "X-GitHub-Event": delivery.event,
            "X-GitHub-Delivery": delivery.id,
            "X-GitHub-Hook-ID": str(HOOK_ID),
            "X-GitHub-Hook-Installation-Target-ID": str(target_id),
            "X-GitHub-Hook-Installation-Target-Type": "repository",
        }
        if self.secret:
            headers["X-Hub-Signature-256"] = signature(self.secret, delivery.body)
            sha1 = hmac.new(self.secret.encode(), delivery.body, hashlib.sha1).hexdigest()
            headers["X-Hub-Signature"] = f"sha1={sha1}"
        return headers

    def _run(self) -> None:
        while True:
            delivery = self._queue.get()
            if delivery is None:
                return
            self._send(delivery)

    def _send(self, delivery: Delivery) -> None:
        url = self.url
        delivery.url = url
        delivery.delivered_at = now_iso()
        if url:
            repo = delivery.payload.get("repository")
            target = repo.get("id", 0) if isinstance(repo, dict) else 0
            # httpx is imported on the first delivery: it costs the emulator's start ~0.3 s.
            import httpx  # noqa: PLC0415

            if self._client is None:
                self._client = httpx.Client(timeout=10.0)
            try:
                answer = self._client.post(
                    url, content=delivery.body, headers=self.headers(delivery, int(target))
                )
                delivery.status_code = answer.status_code
                delivery.response = answer.text[:2000]
            except httpx.HTTPError as exc:
                delivery.error = f"{type(exc).__name__}: {exc}"
        with self._lock:
            delivery.done.set()
            self._lock.notify_all()

    def close(self, timeout: float = 15.0) -> None:
        """Finish queued deliveries (for up to ``timeout`` s) and stop the sender thread."""
        self._queue.put(None)
        self._thread.join(timeout=timeout)
        if self._client is not None and not self._thread.is_alive():
            self._client.close()
