"""`GET /metrics`, optionally behind a bearer token or on its own address.

Metrics name repositories and counts of what the bot did; an operator who exposes the webhook
port to the internet can keep them private with `ISSUEBOT_METRICS_TOKEN` (Prometheus sends
it as `authorization: Bearer …`) or `ISSUEBOT_METRICS_ADDRESS` (a separate listener, e.g. on
an internal interface).
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response

from bot.observability import QUEUE_DEPTH, get_logger, render_metrics
from bot.queue import Queue
from bot.settings import Settings

log = get_logger("issuebot.server")


def metrics_router(queue: Queue, token: str | None) -> APIRouter:
    """A router with `GET /metrics`; with ``token``, a request without it gets 401."""
    router = APIRouter()
    expected = f"Bearer {token}".encode() if token else None

    @router.get("/metrics")
    def metrics(request: Request) -> Response:
        """Prometheus text: deliveries, runs, step durations, queue depth."""
        if expected is not None:
            given = request.headers.get("authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                return JSONResponse(
                    {"error": "unauthorized", "message": "a bearer token is required"},
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
                )
        try:
            QUEUE_DEPTH.set(queue.depth())
        except Exception as exc:  # a scrape must not fail because the queue is down
            log.warning("queue_depth_unavailable", error=str(exc))
        body, content_type = render_metrics()
        return Response(body, media_type=content_type)

    return router


def metrics_token(settings: Settings) -> str | None:
    """The configured scrape token, if any."""
    return settings.metrics_token.get_secret_value() if settings.metrics_token else None


def create_metrics_app(settings: Settings, queue: Queue) -> FastAPI:
    """The app served on `ISSUEBOT_METRICS_ADDRESS`: only `/metrics`."""
    app = FastAPI(title="issuebot metrics", docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(metrics_router(queue, metrics_token(settings)))
    return app
