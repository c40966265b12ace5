"""`GET /metrics`, optionally behind a bearer token or on its own address.

Metrics name repositories and counts of what the bot did; an operator who exposes the webhook
port to the internet can keep them private with `ISSUEBOT_METRICS_TOKEN` (Prometheus sends
it as `authorization: Bearer …`) or `ISSUEBOT_METRICS_ADDRESS` (a separate listener, e.g. on
an internal interface).
"""

from __future__ import annotations

import hmac
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from bot.incidents.policy import failing_streak, severity_of
from bot.observability import QUEUE_DEPTH, SCRAPE_TIME, get_logger, render_metrics
from bot.queue import Queue
from bot.settings import Settings
from bot.store import RunStore
from bot.store.records import Run

log = get_logger("issuebot.server")
# How far back the incident gauge looks: enough runs to see 5 failures in a row per repository
# for every repository active recently; older streaks are out of sight (and out of mind).
INCIDENT_WINDOW_RUNS = 1000
SEVERITY_LEVEL = {"degraded": 1, "critical": 2}


class RunStoreCollector(Collector):
    """Gauges read from the run store when Prometheus scrapes: what no single process counts.

    Any process may have started a run or be stuck in one; the store knows them all, so the
    process serving /metrics asks it (two cheap queries per scrape).
    """

    def __init__(self, store: RunStore) -> None:
        self.store = store

    def collect(self) -> Iterator[Metric]:
        """Active runs, the oldest one's silence, and each repository's incident severity."""
        try:
            active = self.store.stale_runs(older_than_seconds=0)
            recent = self.store.list_runs(limit=INCIDENT_WINDOW_RUNS)
        except Exception as exc:  # a scrape must not fail because the store is down
            log.warning("run_store_metrics_unavailable", error=str(exc))
            return
        now = datetime.now(UTC)
        yield GaugeMetricFamily(
            "issuebot_active_runs", "Runs queued or running, in any process.", value=len(active)
        )
        silence = max(((now - run.updated_at).total_seconds() for run in active), default=0.0)
        yield GaugeMetricFamily(
            "issuebot_oldest_active_run_age_seconds",
            "Seconds since the least recently updated active run last recorded progress.",
            value=max(silence, 0.0),
        )
        by_repo: dict[str, list[Run]] = defaultdict(list)
        for run in recent:  # newest first, as the incident policy reads them
            by_repo[run.repo].append(run)
        incidents = GaugeMetricFamily(
            "issuebot_incident_severity",
            "Open incident per repository: 1 degraded (3 failed runs in a row), 2 critical (5).",
            labels=["repo"],
        )
        for repo, runs in sorted(by_repo.items()):
            severity = severity_of(len(failing_streak(runs)))
            if severity is not None:
                incidents.add_metric([repo], SEVERITY_LEVEL[severity])
        yield incidents


_watched: list[RunStoreCollector] = []


def watch_run_store(store: RunStore) -> None:
    """Expose the store's gauges on this process's /metrics (what `issuebot serve` does)."""
    for old in _watched:  # one store at a time: a second call replaces the first
        SCRAPE_TIME.unregister(old)
    _watched[:] = [RunStoreCollector(store)]
    SCRAPE_TIME.register(_watched[0])


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
