"""The bot as a GitHub App: JWT → installation token, end to end against the emulator."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from bot.emulator.seed import AppSeed, default_seed
from bot.emulator.testing import EmulatorHandle, start_emulator
from bot.errors import GitHubError
from bot.github import ClientOptions, MemoryAuditSink, connect_repo
from bot.settings import Settings
from tests.bot.github.conftest import BOT, REPO
from tests.bot.github.keys import app_private_key_pem

APP_ID = 4242


def public_pem(private_pem: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@pytest.fixture
def app_emulator() -> Iterator[EmulatorHandle]:
    """The default world, with our App (our freshly generated key) installed on acme/widgets."""
    app = AppSeed(
        id=APP_ID,
        slug="issuebot",
        name="issuebot",
        owner="acme",
        bot_login=BOT,
        public_key=public_pem(app_private_key_pem()),
        installed_on=[REPO],
    )
    seed = default_seed().model_copy(update={"apps": [app]})
    with start_emulator(seed) as handle:
        yield handle


def app_settings(
    handle: EmulatorHandle, monkeypatch: pytest.MonkeyPatch, **extra: object
) -> Settings:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("GITHUB_APP_INSTALLATION_ID", raising=False)
    return Settings(
        github_api_url=handle.api_url,
        github_app_id=APP_ID,
        github_app_private_key=app_private_key_pem(),
        **extra,  # type: ignore[arg-type]
    )


def test_the_app_finds_its_installation_and_acts_as_its_bot(
    app_emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    repo = connect_repo(
        app_settings(app_emulator, monkeypatch), REPO, MemoryAuditSink(), ClientOptions.fast()
    )

    issue = repo.create_issue("Add Widget entity", "from the App")
    repo.upsert_comment(issue.number, "ack", "on it")
    repo.upsert_comment(issue.number, "ack", "done")
    url = repo.clone_url()

    assert issue.author == BOT
    assert [(c.author, c.body.splitlines()[-1]) for c in repo.list_comments(issue.number)] == [
        (BOT, "done")
    ]
    assert "x-access-token:ghs_" in url
    subprocess.run(["git", "clone", "-q", url, str(tmp_path / "clone")], check=True)
    assert (tmp_path / "clone" / "README.md").exists()
    # PyGithub cached the installation token: one token for every call above.
    assert len(app_emulator.emulator.store.install_tokens) == 1


def test_a_configured_installation_id_is_used_directly(
    app_emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    installation = app_emulator.installation_id(APP_ID)
    settings = app_settings(app_emulator, monkeypatch, github_app_installation_id=installation)
    repo = connect_repo(settings, REPO, MemoryAuditSink(), ClientOptions.fast())
    assert repo.permission(BOT) == "write"


def test_a_key_the_app_does_not_know_is_refused(
    emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The default emulator's App 1001 holds a different key than ours.
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    settings = Settings(
        github_api_url=emulator.api_url,
        github_app_id=emulator.app_id,
        github_app_private_key=app_private_key_pem(),
    )
    with pytest.raises(GitHubError) as caught:
        connect_repo(settings, REPO, MemoryAuditSink(), ClientOptions.fast())
    assert caught.value.status == 401
