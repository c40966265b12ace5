"""Session-wide fixtures: where GitHub's own recorded data lives, and the real services."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NODE_OCTOKIT = ROOT / "node_modules" / "@octokit"

# Shared pytest plugins: each owned by the area that provides the fixture.
pytest_plugins = [
    "tests.plugins.github_data",
    "tests.plugins.emulator",
    "tests.plugins.log_secrets",
]


def _ensure_git_identity() -> None:
    """Fixtures commit with plain git; a fresh machine may have no identity configured.

    Only the global (lowest) level is supplied, so the bot's own per-repo identity still wins.
    """
    found = subprocess.run(
        ["git", "config", "--global", "user.email"], capture_output=True, text=True, check=False
    )
    if found.stdout.strip():
        return
    config = Path(tempfile.mkdtemp(prefix="issuebot-git-")) / "gitconfig"
    config.write_text("[user]\n\tname = issuebot tests\n\temail = tests@issuebot.invalid\n")
    os.environ["GIT_CONFIG_GLOBAL"] = str(config)


_ensure_git_identity()

POSTGRES_URL = os.environ.get(
    "ISSUEBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("ISSUEBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The checkout of issuebot itself."""
    return ROOT


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """URL of the real PostgreSQL server the suite runs against."""
    return POSTGRES_URL


@pytest.fixture(scope="session")
def redis_url() -> str:
    """URL of the real Redis server the suite runs against."""
    return REDIS_URL
