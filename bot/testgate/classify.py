"""Read pytest's output and say what kind of failure it is, quoting only the lines that matter.

Pure: text in, a `Diagnosis` out. The order of checks matters: a timeout explains everything
after it, an import or syntax error hides every assertion, and a database error often
surfaces as an exception inside an otherwise ordinary failing test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

FailureKind = Literal[
    "timeout", "environment", "import", "database", "assertion", "coverage", "error"
]

KIND_TITLES: dict[FailureKind, str] = {
    "timeout": "timeout: the test run exceeded its time limit",
    "environment": "environment: the repository's requirements could not be installed",
    "import": "import/syntax error: a module could not be loaded",
    "database": "database/migration error",
    "assertion": "assertion failure: a test's expectation did not hold",
    "coverage": "coverage below the configured minimum",
    "error": "test error: an unexpected exception",
}

_SUMMARY = re.compile(r"^(FAILED|ERROR) (\S+)(?: - (.*))?$")
# The kind is decided by plain substring search (fast and linear on hostile output); the
# one pattern left opens with a literal, so `re` skips ahead by fast search too.
_IMPORT_WORDS = ("ImportError", "ModuleNotFoundError", "SyntaxError", "IndentationError",
                 "TabError", "ERROR collecting")  # fmt: skip
_DATABASE_WORDS = ("sqlalchemy.exc.", "operationalerror", "integrityerror", "programmingerror",
                   "databaseerror", "alembic", "no such table", "no such column", "psycopg",
                   "migration")  # fmt: skip
_RELATION = re.compile(r"relation \S++ does not exist")
_ASSERTION = re.compile(r"\nE\s++(?:assert\b|AssertionError)")
_RELEVANT = re.compile(
    r"^[E>]\s|^(FAILED|ERROR) |^_{3,} .* _{3,}$|^\S+\.py:\d+: |Error\b|Timeout|timed out|"
    r"^=+ .*(failed|error|passed).* =+$"
)
MAX_QUOTED_LINES = 40
MAX_LINE = 240
MAX_SCANNED = 4 * MAX_LINE  # a marker further into one long line is not looked for


@dataclass(frozen=True)
class Diagnosis:
    """What failed, what kind of failure it is, and the lines of output that show it."""

    kind: FailureKind
    failed_tests: tuple[str, ...]
    excerpt: tuple[str, ...]

    @property
    def title(self) -> str:
        """A one-line human name for the failure kind."""
        return KIND_TITLES[self.kind]


def failed_tests(output: str) -> tuple[str, ...]:
    """Test ids pytest lists in its short summary (`FAILED x::y`, `ERROR x`)."""
    found: list[str] = []
    for line in output.splitlines():
        match = _SUMMARY.match(line.strip())
        if match and match.group(2) not in found:
            found.append(match.group(2))
    return tuple(found)


def _kind(output: str, timed_out: bool) -> FailureKind:
    if output.startswith("installing requirements.txt"):
        return "environment"
    if timed_out:
        return "timeout"
    if any(word in output for word in _IMPORT_WORDS):
        return "import"
    lowered = output.lower()
    if any(word in lowered for word in _DATABASE_WORDS) or (
        "does not exist" in lowered and _RELATION.search(lowered)
    ):
        return "database"
    if "AssertionError" in output or _ASSERTION.search("\n" + output):
        return "assertion"
    return "error"


def relevant_lines(output: str, limit: int = MAX_QUOTED_LINES) -> tuple[str, ...]:
    """The error lines, locations and summaries from ``output``, shortened and capped."""
    seen: dict[str, None] = {}  # ordered and O(1) per line: hostile output repeats lines
    for line in output.splitlines():
        if _RELEVANT.search(line, 0, MAX_SCANNED) and line.strip():
            seen[line if len(line) <= MAX_LINE else line[: MAX_LINE - 1] + "…"] = None
    picked = list(seen)
    if not picked:
        picked = [line for line in output.splitlines() if line.strip()][-15:]
    if len(picked) > limit:
        picked = [*picked[: limit - 1], f"… {len(picked) - limit + 1} more lines"]
    return tuple(picked)


def classify_failure(output: str, *, timed_out: bool = False) -> Diagnosis:
    """Classify a failed test run from its (already redacted) output."""
    return Diagnosis(
        kind=_kind(output, timed_out),
        failed_tests=failed_tests(output),
        excerpt=relevant_lines(output),
    )
