"""The doctor's gates in the server: logged at start (never blocking) and at `/readyz?full=1`.

Plain `/readyz` (store and queue, cheap enough for a load balancer) is untouched; `full=1`
runs every readiness gate, which costs a few GitHub requests, so it is for people and deploy
scripts. `repo=OWNER/NAME` adds that repository's gates.
"""

from __future__ import annotations

import hmac
import re
import threading
from collections.abc import Awaitable, Callable, Sequence

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from bot.doctor import ready, run_doctor
from bot.observability import get_logger
from bot.server.metrics import metrics_token
from bot.settings import Settings

log = get_logger("issuebot.readiness")
_REPO = re.compile(r"^[A-Za-z0-9-]{1,39}/(?!\.\.?$)[A-Za-z0-9_.-]{1,100}$")  # GitHub owner/name


def _runs_tests(settings: Settings) -> bool:
    """Whether this server process runs generated tests: only without a queue (its threads)."""
    return not settings.queue_url or settings.queue_url.startswith("inprocess://")


def install(app: FastAPI, settings: Settings) -> None:
    """Answer `GET /readyz?full=1[&repo=O/N]` with every gate's verdict (503 when one fails).

    The verdicts describe the App's setup and each one calls GitHub, so they are for the
    operator: a loopback caller, or one presenting `ISSUEBOT_METRICS_TOKEN` as a bearer token.
    """
    token = metrics_token(settings)
    expected = f"Bearer {token}".encode() if token else None

    @app.middleware("http")
    async def full_readiness(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        wants = request.query_params.get("full") in ("1", "true")
        if request.method != "GET" or request.url.path != "/readyz" or not wants:
            return await call_next(request)
        if not _may_see_gates(request, expected):  # each check costs GitHub API calls
            return JSONResponse(
                {"error": "unauthorized", "message": "full readiness needs the operator token"},
                status_code=401,
            )
        repo = request.query_params.get("repo")
        if repo is not None and not _REPO.match(repo):
            return JSONResponse({"error": "repo must be OWNER/NAME"}, status_code=400)
        verdicts = await run_in_threadpool(
            run_doctor, settings, repo, sandbox_here=_runs_tests(settings)
        )
        ok = ready(verdicts)
        body = {"ready": ok, "gates": [v.to_dict() for v in verdicts]}
        return JSONResponse(body, status_code=200 if ok else 503)


def _may_see_gates(request: Request, expected: bytes | None) -> bool:
    if expected is not None:
        given = request.headers.get("authorization", "").encode()
        return hmac.compare_digest(given, expected)
    host = request.client.host if request.client else ""
    return host in {"127.0.0.1", "::1", "localhost"}


def warn_at_start(settings: Settings, repos: Sequence[str] = ()) -> threading.Thread:
    """Run the gates once in the background; each failure is a warning, the server serves on."""

    def check() -> None:
        targets: list[str | None] = [*repos] or [None]
        for repo in targets:
            try:
                verdicts = run_doctor(settings, repo, sandbox_here=_runs_tests(settings))
            except Exception as exc:  # a readiness check must never take the server down
                log.warning("readiness_check_crashed", repo=repo, error=str(exc))
                continue
            for v in verdicts:
                if v.status == "fail":
                    log.warning("readiness_gate_failed", gate=v.gate, repo=repo,
                                detail=v.detail, fix=v.fix)  # fmt: skip
            log.info("readiness_checked", repo=repo, ready=ready(verdicts))

    thread = threading.Thread(target=check, name="issuebot-readiness", daemon=True)
    thread.start()
    return thread
