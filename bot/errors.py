"""The error taxonomy: every failure the bot can meet, whether a retry helps, and its exit code.

Each edge (CLI, webhook server, worker) catches ``IssuebotError`` once, prints or posts
``error.message`` and exits with ``error.exit_code``; nothing below the edges formats output.
Exit codes follow the 10-49 range of the reliability seed so scripts can branch on them.
"""

from __future__ import annotations

from typing import ClassVar


class IssuebotError(Exception):
    """Base of every error the bot raises on purpose."""

    exit_code: ClassVar[int] = 10
    retryable: ClassVar[bool] = False
    kind: ClassVar[str] = "error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        """The single line the CLI prints: what happened, then what to do."""
        text = f"{self.kind}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text

    def audit_event(self) -> dict[str, object]:
        """The record the audit log keeps for this failure."""
        return {
            "kind": self.kind,
            "message": self.message,
            "retryable": self.retryable,
            "exit_code": self.exit_code,
        }


class UsageError(IssuebotError):
    """The command line or a config value is wrong; the user must change it."""

    exit_code = 2
    kind = "usage"


class ConfigError(IssuebotError):
    """App settings or the target repo's config file are missing or invalid."""

    exit_code = 11
    kind = "config"


class SpecError(IssuebotError):
    """An entity spec failed validation; ``problems`` lists each with its JSON path."""

    exit_code = 12
    kind = "spec-invalid"

    def __init__(self, problems: list[str], *, hint: str | None = None) -> None:
        summary = (
            problems[0]
            if len(problems) == 1
            else f"{len(problems)} problems: " + "; ".join(problems)
        )
        super().__init__(summary, hint=hint)
        self.problems = problems
        self.shown = False  # set once the problems were printed another way (e.g. as JSON)

    def one_line(self) -> str:
        """One problem: the problem; several: their count (the CLI lists them just above)."""
        if len(self.problems) <= 1:
            return super().one_line()
        text = f"{self.kind}: {len(self.problems)} problems"
        return f"{text} ({self.hint})" if self.hint else text


class GenerationError(IssuebotError):
    """The generator refused a spec it cannot render safely."""

    exit_code = 13
    kind = "generation"


class DriftError(IssuebotError):
    """Generated files differ from what the spec produces (hand edits or a stale run)."""

    exit_code = 14
    kind = "drift"

    def __init__(self, paths: list[str]) -> None:
        super().__init__(
            f"{len(paths)} generated file(s) drifted: " + ", ".join(paths),
            hint="run `issuebot generate` and commit the result",
        )
        self.paths = paths


class NotFoundError(IssuebotError):
    """The issue, repository or run does not exist."""

    exit_code = 20
    kind = "not-found"


class NotApprovedError(IssuebotError):
    """The issue is not approved yet (still `needs-review`, or closed, or not a request)."""

    exit_code = 21
    kind = "not-approved"


class PermissionDeniedError(IssuebotError):
    """The actor lacks the repository permission the action needs."""

    exit_code = 22
    kind = "permission-denied"


class PolicyDeniedError(IssuebotError):
    """A destructive operation was attempted without an approval record."""

    exit_code = 23
    kind = "policy-denied"


class TestsFailedError(IssuebotError):
    """The target repository's tests failed: the hard gate before any push."""

    __test__ = False  # not a pytest test class despite the name
    exit_code = 30
    kind = "tests-failed"


class GitError(IssuebotError):
    """A git operation failed in a way a retry will not fix (refused push, missing branch)."""

    exit_code = 31
    kind = "git"


class GitHubError(IssuebotError):
    """GitHub answered with a client error that a retry will not fix."""

    exit_code = 32
    kind = "github"

    def __init__(self, message: str, *, status: int | None = None, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.status = status


class RetryableError(IssuebotError):
    """A transient failure: running again later may succeed (`/retry`, `runs resume`)."""

    exit_code = 40
    retryable = True
    kind = "retryable"


class GitHubUnavailableError(RetryableError):
    """GitHub answered 5xx or a rate limit past the retry budget."""

    exit_code = 41
    kind = "github-unavailable"


class LockConflictError(RetryableError):
    """Another run holds the lock for this issue or repository."""

    exit_code = 42
    kind = "already-running"


class StepTimeoutError(RetryableError):
    """A step or job ran past its time limit."""

    exit_code = 43
    kind = "timeout"


class CancelledError(IssuebotError):
    """A maintainer cancelled the run with `/cancel`."""

    exit_code = 44
    kind = "cancelled"


class NotReadyError(IssuebotError):
    """`issuebot doctor` found a readiness gate failing; its output names each and the fix."""

    exit_code = 15
    kind = "not-ready"
