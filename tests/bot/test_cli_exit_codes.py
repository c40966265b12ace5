"""Bad input to any command: one line, the taxonomy's exit code, never 'a bug in issuebot'."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

NO_DIR = "/proc/issuebot-nowhere"  # a path no process can create


@pytest.fixture(scope="module")
def busy_port() -> Iterator[int]:
    """A port something else already listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        yield sock.getsockname()[1]


def issuebot(
    repo_root: Path, args: list[str], env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "ISSUEBOT_"))}
    clean.pop("QUEUE_URL", None)
    clean.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli.main", *args],
        cwd=repo_root, env={**clean, **env}, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip


SERVER = {"ISSUEBOT_WEBHOOK_SECRET": "s", "GITHUB_TOKEN": "t", "ISSUEBOT_BOT_LOGIN": "bot[bot]"}
UNREACHABLE = {"GITHUB_TOKEN": "t", "GITHUB_API_URL": "http://127.0.0.1:9"}

CASES = [
    ("serve port out of range", ["serve", "--port", "99999"], SERVER, 2,
     "Invalid value for '--port'"),
    ("serve on a busy port", ["serve", "--port", "{busy}"], SERVER, 2,
     "usage: cannot listen on 127.0.0.1:{busy}"),
    ("reconcile a malformed repo", ["reconcile", "--repo", "bad"], UNREACHABLE, 2,
     "usage: --repo must be OWNER/NAME, not 'bad'"),
    ("reconcile with GitHub unreachable", ["reconcile", "--repo", "acme/x"], UNREACHABLE, 41,
     "github-unavailable:"),
    ("worker without Redis", ["worker"], {}, 11, "config: a worker needs a Redis QUEUE_URL"),
    ("worker metrics on a busy port", ["worker", "--metrics-port", "{busy}"],
     {"QUEUE_URL": "redis://127.0.0.1:6379/0"}, 2, "usage: cannot listen on 0.0.0.0:{busy}"),
    ("emulator log level", ["emulator", "--log-level", "bogus"], {}, 2, "bogus"),
    ("emulator key out", ["emulator", "--port", "0", "--app-key-out", f"{NO_DIR}/key.pem"], {}, 2,
     f"usage: cannot write {NO_DIR}/key.pem"),
    ("runs list on an unwritable store", ["runs", "list"],
     {"DATABASE_URL": f"sqlite:///{NO_DIR}/x.db"}, 11, "config: DATABASE_URL's folder"),
    ("db upgrade on an unwritable store", ["db", "upgrade"],
     {"DATABASE_URL": f"sqlite:///{NO_DIR}/x.db"}, 11, "config: DATABASE_URL's folder"),
    ("a GitHub URL that is no URL", ["implement", "--repo", "acme/x", "--issue", "1"],
     {"GITHUB_TOKEN": "t", "GITHUB_API_URL": "not-a-url"}, 11, "config: invalid environment"),
    ("db prune with a bad age", ["db", "prune", "--older-than", "soon"], {}, 2,
     "usage: --older-than must look like 30d or 12h"),
]  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize(("args", "env", "code", "says"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_bad_input_gets_one_line_and_its_exit_code(
    repo_root: Path, busy_port: int, tmp_path: Path,
    args: list[str], env: dict[str, str], code: int, says: str,
) -> None:  # fmt: skip
    args = [a.format(busy=busy_port) for a in args]
    result = issuebot(repo_root, args, {"DATABASE_URL": f"sqlite:///{tmp_path}/r.db", **env})
    assert result.returncode == code, result.stderr[-2000:]
    assert says.format(busy=busy_port) in result.stderr
    assert "internal-error" not in result.stderr and "Traceback" not in result.stderr
    assert "listening on" not in result.stdout  # nothing claims to listen before it does
