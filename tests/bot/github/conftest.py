"""Fixtures for driving the emulator through the real GitHub layer over HTTP."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.emulator.requestlog import RequestRecord
from bot.emulator.testing import EmulatorHandle
from bot.github import ClientOptions, JsonlAuditSink, PyGithubRepo, connect_repo
from bot.settings import Settings

REPO = "acme/widgets"
BOT = "issuebot[bot]"


@dataclass(frozen=True)
class Arrivals:
    """The emulator's request log from the moment the fixture was made."""

    emulator: EmulatorHandle
    since: float

    def to(self, method: str, pattern: str) -> list[RequestRecord]:
        """Requests of ``method`` whose path ends with ``pattern``, in arrival order."""
        return [
            r
            for r in self.emulator.requests()
            if r.at_monotonic >= self.since and r.method == method and r.path.endswith(pattern)
        ]


@pytest.fixture
def arrivals(emulator: EmulatorHandle) -> Arrivals:
    """Every request the emulator answers from here on (with status and arrival time)."""
    return Arrivals(emulator, time.monotonic())


@pytest.fixture
def audit_log(tmp_path: Path) -> JsonlAuditSink:
    """The audit log as a JSON-lines file."""
    return JsonlAuditSink(tmp_path / "audit.jsonl")


@pytest.fixture
def bot_settings(emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings of a bot running with the installation-style token of issuebot[bot]."""
    for name in ("GITHUB_APP_ID", "GITHUB_APP_PRIVATE_KEY", "GITHUB_APP_INSTALLATION_ID"):
        monkeypatch.delenv(name, raising=False)
    return Settings(github_api_url=emulator.api_url, github_token=emulator.token(BOT))


@pytest.fixture
def bot(bot_settings: Settings, audit_log: JsonlAuditSink) -> Iterator[PyGithubRepo]:
    """acme/widgets as the bot sees it, through connect_repo and the fast retry budget."""
    repo = connect_repo(bot_settings, REPO, audit_log, ClientOptions.fast())
    yield repo
    repo.github.close()


def push_branch(clone_url: str, workdir: Path, branch: str, files: dict[str, str]) -> str:
    """Clone, commit ``files`` on a new ``branch`` and push it with real git; the new sha."""
    checkout = workdir / f"clone-{branch.replace('/', '-')}"
    git = ["git", "-c", "user.name=Dev", "-c", "user.email=dev@example.com"]
    subprocess.run([*git, "clone", "-q", clone_url, str(checkout)], check=True)
    subprocess.run([*git, "-C", str(checkout), "checkout", "-q", "-b", branch], check=True)
    for path, text in files.items():
        target = checkout / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    subprocess.run([*git, "-C", str(checkout), "add", "-A"], check=True)
    subprocess.run([*git, "-C", str(checkout), "commit", "-qm", f"work on {branch}"], check=True)
    subprocess.run([*git, "-C", str(checkout), "push", "-q", "origin", branch], check=True)
    out = subprocess.run(
        [*git, "-C", str(checkout), "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    )
    return out.stdout.strip()
