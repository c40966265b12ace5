"""A feature request as the API and CLI receive it, bounded so hostile sizes fail early.

The limits keep a rendered issue under GitHub's 65,536-character body cap and keep every
later step (rendering, parsing, generating) cheap; they are checked before anything else.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from bot.errors import UsageError

MAX_TITLE = 256  # GitHub's own limit for issue titles
MAX_TEXT = 20_000
MAX_ITEMS = 100
MAX_ITEM = 500
MAX_DEFINITION_CHARS = 40_000
MAX_DEPTH = 32
MAX_REQUEST_FILE_BYTES = 256_000

Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_ITEM)]


class InvalidRequestError(UsageError):
    """A request file or payload is malformed (not the entity spec itself: that is SpecError)."""

    kind = "invalid-request"


def json_depth(value: object, _depth: int = 0) -> int:
    """Nesting depth of decoded JSON, stopping early past MAX_DEPTH (no deep recursion)."""
    if _depth > MAX_DEPTH:
        return _depth
    if isinstance(value, dict):
        return max((json_depth(v, _depth + 1) for v in value.values()), default=_depth + 1)
    if isinstance(value, list):
        return max((json_depth(v, _depth + 1) for v in value), default=_depth + 1)
    return _depth


class FeatureRequest(BaseModel):
    """Everything `request_feature` turns into an issue (the seed's keyword arguments)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TITLE)
    ]
    description: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT)
    ]
    user_story: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT)
    ]
    acceptance_criteria: list[Line] = Field(default_factory=list, max_length=MAX_ITEMS)
    entity_definition: dict[str, Any]
    api_endpoints: list[Line] = Field(default_factory=list, max_length=MAX_ITEMS)
    ui_requirements: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_TEXT)] | None
    ) = None

    @field_validator("title", "acceptance_criteria", "api_endpoints")
    @classmethod
    def _one_line(cls, value: str | list[str]) -> str | list[str]:
        items = [value] if isinstance(value, str) else value
        if any("\n" in item or "\r" in item for item in items):
            raise ValueError("must be a single line (no line breaks)")
        return value

    @field_validator("ui_requirements")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("entity_definition")
    @classmethod
    def _bounded(cls, value: dict[str, Any]) -> dict[str, Any]:
        if json_depth(value) > MAX_DEPTH:
            raise ValueError(f"is nested deeper than {MAX_DEPTH} levels")
        try:
            size = len(json.dumps(value, ensure_ascii=True))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"is not plain JSON data ({exc})") from exc
        if size > MAX_DEFINITION_CHARS:
            raise ValueError(f"is {size} characters as JSON; at most {MAX_DEFINITION_CHARS}")
        return value


def request_from_data(data: object, *, source: str = "request") -> FeatureRequest:
    """Validate already-decoded data as a request, one InvalidRequestError listing every problem."""
    if not isinstance(data, dict):
        raise InvalidRequestError(f"{source} must be a mapping with the request's keys")
    try:
        return FeatureRequest.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}"
            for err in exc.errors(include_url=False)
        ]
        raise InvalidRequestError(f"{source} is invalid: " + "; ".join(problems)) from exc


def load_request_text(text: str, *, source: str = "request") -> FeatureRequest:
    """Parse JSON or YAML text (safe_load only, aliases refused) into a FeatureRequest."""
    if len(text) > MAX_REQUEST_FILE_BYTES:
        raise InvalidRequestError(f"{source} is larger than {MAX_REQUEST_FILE_BYTES} characters")
    stripped = text.lstrip("\ufeff \t\r\n")
    try:
        if stripped.startswith("{"):
            data = json.loads(stripped)
        else:
            if any(
                isinstance(ev, yaml.AliasEvent) for ev in yaml.parse(stripped, yaml.CSafeLoader)
            ):
                raise InvalidRequestError(f"{source} uses YAML aliases, which are not accepted")
            data = yaml.load(stripped, Loader=yaml.CSafeLoader)
    except json.JSONDecodeError as exc:
        raise InvalidRequestError(
            f"{source} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc
    except yaml.YAMLError as exc:
        raise InvalidRequestError(f"{source} is not valid YAML or JSON: {exc}") from exc
    except (RecursionError, ValueError) as exc:
        raise InvalidRequestError(f"{source} cannot be decoded: {exc}") from exc
    return request_from_data(data, source=source)


def load_request_file(path: Path) -> FeatureRequest:
    """Read a request file (JSON or YAML with the same keys) from disk."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidRequestError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidRequestError(f"{path} is not UTF-8 text (byte {exc.start})") from exc
    return load_request_text(text, source=str(path))
