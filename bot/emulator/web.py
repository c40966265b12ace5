"""HTTP plumbing shared by every route: GitHub's error bodies, pagination, request identity."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.datastructures import DefaultPlaceholder
from fastapi.responses import JSONResponse, Response

DOCS = "https://docs.github.com/rest"


class ApiError(Exception):
    """An error answer in GitHub's shape: ``{"message", "documentation_url", "status"}``."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        documentation_url: str = DOCS,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors
        self.headers = headers or {}
        self.documentation_url = documentation_url

    def body(self) -> dict[str, Any]:
        """The JSON GitHub sends for this error."""
        data: dict[str, Any] = {"message": self.message}
        if self.errors is not None:
            data["errors"] = self.errors
        data["documentation_url"] = self.documentation_url
        data["status"] = str(self.status)
        return data

    def response(self) -> JSONResponse:
        """The error as a response."""
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def created(data: dict[str, Any]) -> JSONResponse:
    """A 201 with the new object's API URL in ``Location``, as GitHub answers creates."""
    headers = {"Location": str(data["url"])} if isinstance(data.get("url"), str) else {}
    return JSONResponse(data, status_code=201, headers=headers)


def not_found() -> ApiError:
    """GitHub's 404, also used to hide private things from outsiders."""
    return ApiError(404, "Not Found")


def validation_failed(
    resource: str, code: str, field: str | None = None, message: str | None = None
) -> ApiError:
    """GitHub's 422 with one entry in ``errors``."""
    error: dict[str, Any] = {"resource": resource, "code": code}
    if field is not None:
        error["field"] = field
    if message is not None:
        error["message"] = message
    return ApiError(422, "Validation Failed", errors=[error])


@dataclass(frozen=True)
class Identity:
    """Who is calling: a login (user, bot, installation) or an app via its JWT."""

    login: str | None
    app_id: int | None = None
    token_key: str = ""
    installation: bool = False  # an App installation token (acts as the App's bot user)


def identity(request: Request) -> Identity:
    """The caller resolved by the API middleware."""
    found = getattr(request.state, "identity", None)
    return found if isinstance(found, Identity) else Identity(login=None)


def require_login(request: Request) -> str:
    """The caller's login, or GitHub's 401 for anonymous calls."""
    who = identity(request)
    if who.login is None:
        if who.app_id is not None:
            raise ApiError(
                403,
                "Resource not accessible by integration",
                documentation_url=f"{DOCS}/apps",
            )
        raise ApiError(401, "Requires authentication")
    return who.login


async def json_body(request: Request) -> Any:
    """The request body parsed as JSON (GitHub answers 400 "Problems parsing JSON")."""
    raw = await request.body()
    if not raw:
        return {}
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ApiError(400, "Problems parsing JSON") from exc


async def json_object(request: Request) -> dict[str, Any]:
    """The body as a JSON object; other JSON values are GitHub's 422 "Invalid request"."""
    body = await json_body(request)
    if not isinstance(body, dict):
        raise ApiError(422, "Invalid request.\n\nThe request body must be a JSON object.")
    return body


JsonBody = Annotated[Any, Depends(json_body)]
JsonObject = Annotated[dict[str, Any], Depends(json_object)]


def page_params(request: Request) -> tuple[int, int]:
    """(page, per_page) from the query, with GitHub's defaults and cap."""
    try:
        per_page = min(max(int(request.query_params.get("per_page", 30)), 1), 100)
        page = max(int(request.query_params.get("page", 1)), 1)
    except ValueError as exc:
        raise ApiError(400, "Invalid page or per_page parameter") from exc
    return page, per_page


def paginated(request: Request, items: list[Any], status: int = 200) -> Response:
    """One page of ``items`` with GitHub's ``Link`` header (first/prev/next/last)."""
    page, per_page = page_params(request)
    start = (page - 1) * per_page
    chunk = items[start : start + per_page]
    last = max((len(items) + per_page - 1) // per_page, 1)
    links = []

    def link(number: int, rel: str) -> str:
        """One ``<url>; rel="..."`` entry pointing at page ``number``."""
        query = dict(request.query_params) | {"page": str(number), "per_page": str(per_page)}
        base = str(request.url.replace(query=""))
        return f'<{base.rstrip("?")}?{urlencode(query)}>; rel="{rel}"'

    if page < last:
        links += [link(page + 1, "next"), link(last, "last")]
    if page > 1:
        links += [link(1, "first"), link(page - 1, "prev")]
    headers = {"Link": ", ".join(links)} if links else {}
    return JSONResponse(chunk, status_code=status, headers=headers)


class Router(APIRouter):
    """An APIRouter that never builds a response model from a route's return annotation.

    FastAPI turns ``-> dict[str, Any]`` into a pydantic field per route, which costs the
    emulator's start a large share of its import time and every answer a validation pass
    over GitHub-sized JSON; the routes return exactly GitHub's JSON already.
    """

    def add_api_route(
        self, path: str, endpoint: Callable[..., Any], *, response_model: Any = None, **kw: Any
    ) -> None:
        """Register a route, with no response model unless one is given explicitly."""
        if isinstance(response_model, DefaultPlaceholder):
            response_model = None
        super().add_api_route(path, endpoint, response_model=response_model, **kw)
