"""Every GitHub operation is READ, WRITE or DESTRUCTIVE; destructive ones need an approval.

``@operation(kind)`` is the one place that knows this: it registers the method's class in
``OPERATIONS`` (inspected by tests and shown by tools), turns PyGithub failures into typed
errors, and for DESTRUCTIVE calls checks the ``approval`` keyword *before* any request and
writes the attempt and its outcome to the audit sink.
"""

from __future__ import annotations

import enum
import functools
import inspect
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Concatenate, ParamSpec, Protocol, TypeVar

import requests
from github.GithubException import GithubException

from bot.errors import IssuebotError, PolicyDeniedError
from bot.github.audit import Approval, AuditSink
from bot.github.failures import translate
from bot.observability import observe_github


class OpClass(enum.Enum):
    """How much harm an operation can do if it runs when it should not."""

    READ = "read"
    WRITE = "write"
    DESTRUCTIVE = "destructive"


OPERATIONS: dict[str, OpClass] = {}
"""Operation name → class, filled by ``@operation`` at import time."""


class OperationHost(Protocol):
    """What ``@operation`` needs from the object whose methods it wraps."""

    @property
    def full_name(self) -> str: ...

    @property
    def audit(self) -> AuditSink: ...


H = TypeVar("H", bound=OperationHost)
P = ParamSpec("P")
R = TypeVar("R")


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def describe(name: str, args: tuple[object, ...]) -> str:
    """A short, escaped description of a call for error messages: `get_issue(7)`."""
    return f"{name}({', '.join(_short(a) for a in args)})"


def _subject(sig: inspect.Signature, args: tuple[object, ...], kwargs: dict[str, object]) -> str:
    bound = sig.bind_partial(None, *args, **kwargs)
    names = list(sig.parameters)
    return str(bound.arguments.get(names[1], "")) if len(names) > 1 else ""


def _audit(host: OperationHost, name: str, subject: str, approval: object, outcome: str) -> None:
    event: dict[str, object] = {
        "at": datetime.now(UTC).isoformat(),
        "kind": "github.destructive",
        "operation": name,
        "repo": host.full_name,
        "subject": subject,
        "outcome": outcome,
        "approval": approval.as_dict() if isinstance(approval, Approval) else None,
    }
    host.audit.record(event)


def _observe(host: OperationHost, name: str, exc: BaseException | None) -> None:
    """Metrics: the operation by status, and the rate-limit headroom GitHub last reported."""
    status = "ok"
    if isinstance(exc, GithubException):
        status = str(exc.status)
    elif isinstance(exc, requests.RequestException):
        status = "unreachable"
    elif exc is not None:
        status = str(getattr(exc, "status", None) or exc.kind)  # type: ignore[attr-defined]
    remaining = getattr(host, "rate_limit_remaining", None)
    observe_github(name, status, remaining() if callable(remaining) else None)


def _check_approval(host: OperationHost, name: str, subject: str, approval: object) -> None:
    if isinstance(approval, Approval) and approval.covers(name, host.full_name, subject):
        return
    _audit(host, name, subject, approval, "denied")
    if approval is None:
        raise PolicyDeniedError(
            f"{name} on {host.full_name} ({subject}) is destructive and has no approval",
            hint="the merge gate or a maintainer must approve it first",
        )
    raise PolicyDeniedError(
        f"{name} on {host.full_name} ({subject}) is destructive and the approval given "
        "does not cover it",
        hint="an approval names one operation on one subject",
    )


def operation(
    kind: OpClass,
) -> Callable[[Callable[Concatenate[H, P], R]], Callable[Concatenate[H, P], R]]:
    """Classify a GitHub operation, translate its failures and guard it if destructive."""

    def decorate(fn: Callable[Concatenate[H, P], R]) -> Callable[Concatenate[H, P], R]:
        name = fn.__name__
        if OPERATIONS.get(name, kind) is not kind:
            raise ValueError(f"operation {name} classified twice differently")
        OPERATIONS[name] = kind
        sig = inspect.signature(fn)

        @functools.wraps(fn)
        def wrapper(self: H, /, *args: P.args, **kwargs: P.kwargs) -> R:
            subject = ""
            approval = kwargs.get("approval")
            if kind is OpClass.DESTRUCTIVE:
                subject = _subject(sig, args, kwargs)
                _check_approval(self, name, subject, approval)
            try:
                result = fn(self, *args, **kwargs)
            except (GithubException, requests.RequestException, IssuebotError) as exc:
                _observe(self, name, exc)
                if kind is OpClass.DESTRUCTIVE:
                    _audit(self, name, subject, approval, "failed")
                error = translate(exc, f"{describe(name, args)} on {self.full_name}")
                if error is exc:
                    raise
                raise error from exc
            _observe(self, name, None)
            if kind is OpClass.DESTRUCTIVE:
                _audit(self, name, subject, approval, "ok")
            return result

        wrapper.__issuebot_op__ = kind  # type: ignore[attr-defined]
        return wrapper

    return decorate


def classification(method: Callable[..., object]) -> OpClass | None:
    """The class of a decorated method (or None for a method that is not an operation)."""
    kind = getattr(method, "__issuebot_op__", None)
    return kind if isinstance(kind, OpClass) else None
