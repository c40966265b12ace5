"""The webhook server: verify, record, enqueue, answer 202, all without touching GitHub or git.

GitHub gives a webhook 10 seconds and then marks it failed, so the request path does only
local work (HMAC, one insert, one enqueue); the queue's worker does the rest (kodiak's
ingest → queue → worker split). Redeliveries are recognised by the store's unique key.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import AbstractContextManager, asynccontextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Protocol

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from bot.config import RepoConfig
from bot.errors import IssuebotError
from bot.events.event import (
    MAX_BODY_BYTES,
    BadEventError,
    BadSignatureError,
    Event,
    PayloadTooLargeError,
)
from bot.events.jobs import PROCESS_WEBHOOK, RECONCILE
from bot.events.router import prefilter, route
from bot.observability import DELIVERIES_TOTAL, get_logger
from bot.queue import Queue
from bot.server.limits import ServerLimits
from bot.server.metrics import metrics_router, metrics_token
from bot.server.readiness import install as install_full_readiness
from bot.settings import Settings

log = get_logger("issuebot.server")

DEFAULT_CONFIG = RepoConfig()
JOB_RETRIES = 2  # a retried job keeps its semantic claim: it is the same delivery
BUSY_RETRY_AFTER = 5  # seconds; GitHub does not honour it, but proxies and senders may


class BodyTimeoutError(IssuebotError):
    """The client did not send its whole body within the deadline."""

    kind = "body-timeout"

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the request body did not arrive within {seconds:g} s")


STATUS_OF: dict[type[IssuebotError], int] = {
    BadSignatureError: 401,
    PayloadTooLargeError: 413,
    BadEventError: 400,
    BodyTimeoutError: 408,
}


class DeliveryLog(Protocol):
    """Where deliveries are recorded; False means this id (or semantic key) was seen."""

    def record_delivery(self, delivery_id: str, event: str, semantic_key: str | None) -> bool:
        """Insert under a unique constraint; never a read-then-write."""
        ...

    def forget_delivery(self, delivery_id: str) -> None:
        """Undo a recorded delivery whose job never reached the queue."""
        ...

    def ping(self) -> None:
        """Raise unless the store answers (for /readyz)."""
        ...


@dataclass
class ServerState:
    """What the running app knows: repositories seen (for the reconciler) and its wiring."""

    store: DeliveryLog
    queue: Queue
    job: str
    secret: str | None
    bot_login: str
    repos_seen: set[str] = field(default_factory=set)
    write_lock: AbstractContextManager[object] = field(default_factory=nullcontext)


def create_app(
    settings: Settings,
    *,
    store: DeliveryLog,
    queue: Queue,
    job: str = PROCESS_WEBHOOK,
    reconcile_every: float | None = None,
    reconcile_repos: Sequence[str] = (),
    serialize_writes: bool = False,
    limits: ServerLimits | None = None,
) -> FastAPI:
    """The FastAPI app: `/webhook`, `/healthz`, `/readyz` (store and queue), `/metrics`.

    `/metrics` is left out when `ISSUEBOT_METRICS_ADDRESS` serves it elsewhere, and needs
    `ISSUEBOT_METRICS_TOKEN` as a bearer token when that is set. Unauthenticated reads of
    webhook bodies are bounded in time and number by ``limits`` (from settings by default).

    With ``reconcile_every`` seconds, the app also enqueues a reconcile job for every
    repository in ``reconcile_repos`` and every repository a webhook came from.
    ``serialize_writes`` queues delivery inserts on one in-process lock: for SQLite, whose
    busy-wait backoff under concurrent writers otherwise dominates the tail latency.
    """
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    state = ServerState(store, queue, job, secret, settings.bot_login)
    limits = limits or ServerLimits.from_settings(settings)
    # Each unverified body being read holds a slot; when all are taken, answer 503 at once
    # rather than queue more sockets behind slow clients.
    reads = asyncio.Semaphore(limits.max_pending_reads)
    if serialize_writes:
        state.write_lock = threading.Lock()
    readiness = (("store", store.ping), ("queue", queue.ping))
    state.repos_seen.update(reconcile_repos)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        """Run the periodic reconciler while the app serves."""
        task = None
        if reconcile_every:
            task = asyncio.create_task(_reconcile_forever(state, reconcile_every))
        try:
            yield
        finally:
            if task is not None:
                task.cancel()

    app = FastAPI(
        title="issuebot", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )
    app.state.issuebot = state
    install_full_readiness(app, settings)  # /readyz?full=1: the doctor's gates

    @app.post("/webhook", status_code=202)
    async def webhook(request: Request) -> Response:
        """Verify, record, enqueue; 202 at once, 401/413/400 for what cannot be trusted."""
        length = request.headers.get("content-length", "0")
        if length.isdigit() and int(length) > MAX_BODY_BYTES:  # refused before reading a byte
            return _refuse(request, PayloadTooLargeError(f"body of {length} bytes is over 25 MB"))
        if reads.locked():
            return _busy(request)
        async with reads:
            try:
                async with asyncio.timeout(limits.body_timeout):
                    body = await _read_capped(request)
            except TimeoutError:
                return _refuse(request, BodyTimeoutError(limits.body_timeout))
            except ClientDisconnect:  # the sender gave up; nobody reads the answer
                return Response(status_code=400)
            if body is None:
                return _refuse(request, PayloadTooLargeError("streamed body is over 25 MB"))
            try:
                event = Event.from_http(request.headers, body, state.secret)
            except IssuebotError as exc:
                return _refuse(request, exc)
        if event.repo:
            state.repos_seen.add(event.repo)
        reason = prefilter(event, bot_login=state.bot_login)
        if reason is not None:  # nothing will ever run for it: no insert, no thread hop
            return _answer(event, "ignored", reason)
        return await run_in_threadpool(_accept, state, event)

    _install_probes(app, readiness)
    if settings.metrics_bind() is None:
        app.include_router(metrics_router(queue, metrics_token(settings)))
    return app


def _install_probes(app: FastAPI, readiness: Iterable[tuple[str, Callable[[], object]]]) -> None:
    """`/healthz` (the process answers) and `/readyz` (its store and queue answer)."""

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        """The process answers."""
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz() -> JSONResponse:
        """Store and queue answer (503 and which one does not, otherwise)."""
        checks = dict(_probe(readiness))
        ready = all(value == "ok" for value in checks.values())
        return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)


async def _read_capped(request: Request) -> bytes | None:
    """The body, or None once it grows past the limit (a chunked body declares no length)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _refuse(request: Request, exc: IssuebotError) -> JSONResponse:
    event = request.headers.get("x-github-event", "unknown")[:50]
    status = STATUS_OF.get(type(exc), 400)
    # Unverified headers never become metric labels: random values would explode the series.
    DELIVERIES_TOTAL.labels(event="unverified", outcome=exc.kind).inc()
    log.warning("webhook_refused", status=status, reason=exc.message, github_event=event)
    # An unread or half-read body must not be drained: closing the connection drops it.
    close = {"Connection": "close"} if status in (408, 413) else None
    return JSONResponse(
        {"error": exc.kind, "message": exc.message}, status_code=status, headers=close
    )


def _busy(request: Request) -> JSONResponse:
    """503 + Retry-After: every slot for unauthenticated reads is held (GitHub redelivers)."""
    DELIVERIES_TOTAL.labels(event="unverified", outcome="busy").inc()
    log.warning("webhook_busy", github_event=request.headers.get("x-github-event", "")[:50])
    return JSONResponse(
        {"error": "busy", "message": "too many webhook bodies are being read; retry shortly"},
        status_code=503,
        headers={"Retry-After": str(BUSY_RETRY_AFTER), "Connection": "close"},
    )


def _accept(state: ServerState, event: Event) -> JSONResponse:
    """Record the delivery under its unique id, then enqueue it (runs in a worker thread)."""
    pre_key = None
    if event.name != "issues":
        # Outside `issues`, routing needs no repo config, so the semantic key is exact here.
        pre_key = route(event, DEFAULT_CONFIG, bot_login=state.bot_login).dedupe_key or None
    with state.write_lock:
        fresh = state.store.record_delivery(event.delivery_id, event.name, pre_key)
    if not fresh:
        return _answer(event, "duplicate")
    try:
        state.queue.enqueue(
            state.job,
            event.job_payload(),
            job_id=f"delivery-{event.delivery_id}",
            retries=JOB_RETRIES,
        )
    except Exception as exc:  # the queue backend is down: tell GitHub, the reconciler catches up
        log.error("enqueue_failed", delivery_id=event.delivery_id, error=str(exc))
        with state.write_lock:  # GitHub's redelivery of this id must get in, not be a duplicate
            state.store.forget_delivery(event.delivery_id)
        return _answer(event, "enqueue-failed", status=503)
    return _answer(event, "queued")


def _answer(event: Event, outcome: str, reason: str = "", status: int = 202) -> JSONResponse:
    DELIVERIES_TOTAL.labels(event=event.name, outcome=outcome).inc()
    log.info("webhook_received", delivery_id=event.delivery_id, github_event=event.name,
             outcome=outcome, reason=reason)  # fmt: skip
    return JSONResponse({"status": outcome, "reason": reason}, status_code=status)


async def _reconcile_forever(state: ServerState, every: float) -> None:
    """Periodically hand one reconcile job per known repository to the queue."""
    while True:
        await asyncio.sleep(every)
        for repo in sorted(state.repos_seen):
            try:
                await run_in_threadpool(state.queue.enqueue, RECONCILE, {"repo": repo})
            except Exception as exc:  # keep reconciling the others; next round retries
                log.error("reconcile_enqueue_failed", repo=repo, error=str(exc))


def _probe(readiness: Iterable[tuple[str, Callable[[], object]]]) -> Iterable[tuple[str, str]]:
    for name, check in readiness:
        try:
            check()
        except Exception as exc:  # readiness reports any failure, it never raises
            yield name, f"unavailable: {type(exc).__name__}"
        else:
            yield name, "ok"
