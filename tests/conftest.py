"""Session-wide fixtures: where GitHub's own recorded data lives, and the real services."""

from __future__ import annotations

import os
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
