"""The layers around every route: faults first, then auth, rate limits, ETag and errors.

Kept apart from the routes so that each answers exactly as GitHub's front end would before
a handler runs: bad tokens, spent budgets and injected faults never reach the routers.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.emulator import auth
from bot.emulator.core import Emulator
from bot.emulator.requestlog import RequestRecord
from bot.emulator.web import ApiError

Handler = Callable[[Request], Awaitable[Response]]
Middleware = Callable[[Request, Handler], Awaitable[Response]]
GIT_PATH = re.compile(r"^/[^/]+/[^/]+\.git(/|$)")
RATE_LIMIT = 5000
ANONYMOUS_RATE_LIMIT = 60
SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try "
    "again. If you reach out to GitHub Support for help, please include the request ID {rid}."
)
SECONDARY_DOCS = (
    "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api"
    "#about-secondary-rate-limits"
)


def _is_api(path: str) -> bool:
    return not path.startswith("/_emulator") and GIT_PATH.match(path) is None


class RateLimits:
    """Per-credential hourly counters behind the ``X-RateLimit-*`` headers."""

    def __init__(self) -> None:
        self._windows: dict[str, tuple[int, int]] = {}

    def count(self, key: str, limit: int) -> dict[str, str]:
        """Count one call for ``key`` and return the headers describing its window."""
        now = int(time.time())
        reset, used = self._windows.get(key, (now + 3600, 0))
        if reset <= now:
            reset, used = now + 3600, 0
        used += 1
        self._windows[key] = (reset, used)
        return self.headers(key, limit)

    def exhausted(self, key: str, limit: int) -> bool:
        """Whether ``key`` has made more calls than ``limit`` in its window."""
        return self._windows.get(key, (0, 0))[1] > limit

    def peek(self, key: str, limit: int) -> dict[str, int]:
        """The current window of ``key`` as ``GET /rate_limit`` reports it."""
        now = int(time.time())
        reset, used = self._windows.get(key, (now + 3600, 0))
        return {"limit": limit, "remaining": max(limit - used, 0), "reset": reset, "used": used}

    def headers(self, key: str, limit: int) -> dict[str, str]:
        """The ``X-RateLimit-*`` headers for ``key``."""
        now = int(time.time())
        reset, used = self._windows.get(key, (now + 3600, 0))
        return {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(max(limit - used, 0)),
            "X-RateLimit-Reset": str(reset),
            "X-RateLimit-Used": str(used),
            "X-RateLimit-Resource": "core",
        }


async def _with_body(response: Response) -> tuple[Response, bytes]:
    chunks = [chunk async for chunk in response.body_iterator]  # type: ignore[attr-defined]
    body = b"".join(c if isinstance(c, bytes) else c.encode() for c in chunks)
    return response, body


def _fault_response(kind: str, delay: float, rid: str, path: str, body: Any) -> Response:
    if kind == "502":
        return ApiError(502, "Server Error").response()
    if kind == "secondary_rate_limit":
        error = ApiError(
            403,
            SECONDARY_MESSAGE.format(rid=rid),
            headers={"Retry-After": str(max(1, math.ceil(delay)))},
            documentation_url=SECONDARY_DOCS,
        )
        return error.response()
    reset = int(time.time() + max(1.0, delay))
    headers = {
        "X-RateLimit-Limit": str(RATE_LIMIT),
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Used": str(RATE_LIMIT),
        "X-RateLimit-Reset": str(reset),
        "X-RateLimit-Resource": "core",
    }
    return ApiError(403, "API rate limit exceeded.", headers=headers).response()


def _primary_limit(login: str | None, host: str, headers: dict[str, str]) -> Response:
    """GitHub's answer once the hourly budget is spent."""
    if login is None:
        message = (
            f"API rate limit exceeded for {host}. (But here's the good news: Authenticated "
            "requests get a higher rate limit. Check out the documentation for more details.)"
        )
    else:
        message = f"API rate limit exceeded for user {login}."
    return ApiError(403, message, headers=headers).response()


def already_exists_error(path: str, body: Any) -> ApiError:
    """The 422 GitHub gives when a create collides with an existing object."""
    match = re.match(r"^/repos/([^/]+)/[^/]+/pulls/?$", path)
    if match and isinstance(body, dict):
        head = str(body.get("head", ""))
        owner_head = head if ":" in head else f"{match.group(1)}:{head}"
        message = f"A pull request already exists for {owner_head}."
        return ApiError(
            422,
            "Validation Failed",
            errors=[{"resource": "PullRequest", "code": "custom", "message": message}],
        )
    if path.endswith("/git/refs"):
        return ApiError(422, "Reference already exists")
    resource = "Label" if "/labels" in path else "Resource"
    return ApiError(
        422,
        "Validation Failed",
        errors=[{"resource": resource, "code": "already_exists", "field": "name"}],
    )


def api_layer(emulator: Emulator, limits: RateLimits) -> Middleware:
    """Authenticate, count and limit the call, then add GitHub's headers (and ETag/304)."""

    async def layer(request: Request, call_next: Handler) -> Response:
        response = await _answer(request, call_next)
        body = getattr(response, "body", None)
        if emulator.requests.keep_bodies and isinstance(body, bytes):
            request.state.answer_body = body  # the request log's record (outer layer) keeps it
        return response

    async def _answer(request: Request, call_next: Handler) -> Response:
        path = request.url.path
        if not _is_api(path):
            return await call_next(request)
        try:
            who = auth.resolve(emulator.store, request.headers.get("authorization"))
        except ApiError as exc:  # failed logins still count against the caller's address
            host = request.client.host if request.client else "127.0.0.1"
            exc.headers |= limits.count(f"ip:{host}", ANONYMOUS_RATE_LIMIT)
            return exc.response()
        request.state.identity = who
        limit = RATE_LIMIT if who.token_key else ANONYMOUS_RATE_LIMIT
        host = request.client.host if request.client else "127.0.0.1"
        key = who.token_key or f"ip:{host}"
        # GET /rate_limit does not count against the limit, as on GitHub.
        counted = path != "/rate_limit"
        rate_headers = limits.count(key, limit) if counted else limits.headers(key, limit)
        if (
            rate_headers["X-RateLimit-Remaining"] == "0"
            and counted
            and limits.exhausted(key, limit)
        ):
            return _primary_limit(who.login, host, rate_headers)
        response, body = await _with_body(await call_next(request))
        headers = dict(response.headers) | rate_headers
        headers["X-GitHub-Request-Id"] = uuid.uuid4().hex[:20].upper()
        headers["X-GitHub-Api-Version-Selected"] = "2022-11-28"
        headers.pop("content-length", None)
        if request.method == "GET" and response.status_code == 200:
            etag = 'W/"' + hashlib.sha256(body).hexdigest()[:40] + '"'
            headers["ETag"] = etag
            if request.headers.get("if-none-match") == etag:
                headers.pop("content-type", None)
                return Response(status_code=304, headers=headers)
        return Response(body, status_code=response.status_code, headers=headers)

    return layer


def fault_layer(emulator: Emulator) -> Middleware:
    """Apply the next planned fault matching this call, if any, and log what was answered."""

    async def layer(request: Request, call_next: Handler) -> Response:
        path = request.url.path
        if path.startswith("/_emulator"):
            return await call_next(request)
        arrived = time.monotonic()
        response = await _faulty(request, call_next)
        body = getattr(response, "body", None)
        if not isinstance(body, bytes):  # passed through this layer as a stream
            body = getattr(request.state, "answer_body", None)
        body = body if emulator.requests.keep_bodies else None
        record = RequestRecord(
            request.method,
            path,
            response.status_code,
            arrived,
            body if isinstance(body, bytes) else None,
        )
        emulator.requests.add(record)
        return response

    async def _faulty(request: Request, call_next: Handler) -> Response:
        path = request.url.path
        fault = emulator.faults.take(request.method, path)
        if fault is None:
            return await call_next(request)
        if fault.kind == "slow":
            await asyncio.sleep(fault.delay)
            return await call_next(request)
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        if fault.kind == "already_exists":
            await call_next(request)
            return already_exists_error(path, body).response()
        if fault.kind == "502_after_write":
            await _with_body(await call_next(request))  # the write completes, the answer is lost
            return ApiError(502, "Server Error").response()
        rid = uuid.uuid4().hex[:16].upper()
        return _fault_response(fault.kind, fault.delay, rid, path, body)

    return layer


def install_error_handlers(app: FastAPI) -> None:
    """Every error leaves in GitHub's ``{"message", "documentation_url", "status"}`` shape."""

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> Response:
        return exc.response()

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> Response:
        message = "Not Found" if exc.status_code == 404 else str(exc.detail)
        return ApiError(exc.status_code, message).response()

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith("/_emulator"):  # a bad admin call: say what was wrong
            return ApiError(422, f"{type(exc).__name__}: {exc}").response()
        return ApiError(500, "Server Error").response()

    @app.exception_handler(RequestValidationError)
    async def _bad_path(_request: Request, _exc: RequestValidationError) -> Response:
        return ApiError(404, "Not Found").response()  # e.g. /issues/abc: GitHub has no such page
