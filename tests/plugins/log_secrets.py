"""Every log line the suite produces is kept and searched for the secrets the suite used.

The redaction promise (tokens, webhook secrets, private keys never reach a log) is checked on
the real output of every test, not on a hand-made sample: a leak anywhere fails the session.
"""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

import pytest
import structlog

from bot.emulator.seed import DEFAULT_USERS
from bot.observability import redact_processor

TESTS = Path(__file__).resolve().parents[1]
SECRET_LITERAL = re.compile(r"""^\s*[A-Z_]*SECRET[A-Z_]*\s*=\s*["']([^"']{6,})["']""", re.M)
PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----\s*\n?\s*[A-Za-z0-9+/=]{16,}")

_buffer = io.StringIO()
_handler = logging.StreamHandler(_buffer)
_handler.set_name("test-log-capture")
# Rendered as the bot's own handler renders (exceptions formatted, then the redaction pass),
# so the check reads what an operator's log would hold.
_handler.setFormatter(
    structlog.stdlib.ProcessorFormatter(
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact_processor,
            structlog.processors.JSONRenderer(),
        ]
    )
)


def secrets_used_by_the_suite() -> set[str]:
    """Seeded tokens plus every `*SECRET* = "..."` constant the tests declare."""
    found = {user.token for user in DEFAULT_USERS}
    for path in TESTS.rglob("*.py"):
        found.update(SECRET_LITERAL.findall(path.read_text(encoding="utf-8")))
    return found


def leaks(text: str, secrets: set[str]) -> list[str]:
    """The log lines that show a secret or a private key."""
    bad = [line for line in text.splitlines() if any(s in line for s in secrets)]
    bad += [m.group(0)[:60] for m in PRIVATE_KEY.finditer(text)]
    return bad


def pytest_sessionstart(session: pytest.Session) -> None:
    logging.getLogger().addHandler(_handler)


_leaked_on_workers: list[str] = []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    logging.getLogger().removeHandler(_handler)
    found = leaks(_buffer.getvalue(), secrets_used_by_the_suite()) + _leaked_on_workers
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: the controller reports for everyone
        workeroutput["leaked_log_lines"] = found
        return
    if found:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"SECRETS LEAKED INTO LOGS ({len(found)} lines):", red=True)
            for line in found[:20]:
                reporter.write_line(f"  {line[:300]}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    """Under xdist each worker captured its own logs; collect what they found."""
    _leaked_on_workers.extend(getattr(node, "workeroutput", {}).get("leaked_log_lines", []))
