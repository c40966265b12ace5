"""A GitHub App authenticates exactly as on github.com: JWT, installation, one-hour token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from github import Auth, BadCredentialsException, Github, GithubException, GithubIntegration

from bot.emulator.keys import generate_key_pair
from bot.emulator.testing import EmulatorHandle


def test_app_jwt_finds_its_installation_and_mints_a_token(emulator: EmulatorHandle) -> None:
    app_auth = Auth.AppAuth(emulator.app_id, emulator.app_private_key())
    integration = GithubIntegration(auth=app_auth, base_url=emulator.api_url)

    assert integration.get_app().slug == "issuebot"
    installation = integration.get_repo_installation("acme", "widgets")
    assert installation.id == emulator.installation_id()
    token = integration.get_access_token(installation.id)
    remaining = token.expires_at - datetime.now(UTC)
    assert timedelta(minutes=55) < remaining <= timedelta(hours=1)


def test_installation_auth_acts_as_the_bot_user(emulator: EmulatorHandle) -> None:
    app_auth = Auth.AppAuth(emulator.app_id, emulator.app_private_key())
    client = Github(
        auth=app_auth.get_installation_auth(emulator.installation_id()),
        base_url=emulator.api_url,
        seconds_between_requests=None,
        seconds_between_writes=None,
    )
    issue = client.get_repo("acme/widgets").create_issue("Opened by the app")
    assert issue.user.login == "issuebot[bot]"
    assert issue.user.type == "Bot"


def test_a_jwt_signed_by_another_key_is_refused(emulator: EmulatorHandle) -> None:
    stranger_key, _ = generate_key_pair()
    integration = GithubIntegration(
        auth=Auth.AppAuth(emulator.app_id, stranger_key), base_url=emulator.api_url
    )
    with pytest.raises(GithubException) as caught:
        integration.get_app()
    assert caught.value.status == 401


def test_an_app_jwt_cannot_call_repository_endpoints(emulator: EmulatorHandle) -> None:
    app_auth = Auth.AppAuth(emulator.app_id, emulator.app_private_key())
    client = Github(auth=app_auth, base_url=emulator.api_url)
    with pytest.raises(GithubException) as caught:
        client.get_repo("acme/widgets")
    assert caught.value.status == 403


def test_an_expired_installation_token_is_bad_credentials(emulator: EmulatorHandle) -> None:
    integration = GithubIntegration(
        auth=Auth.AppAuth(emulator.app_id, emulator.app_private_key()), base_url=emulator.api_url
    )
    token = integration.get_access_token(emulator.installation_id()).token
    minted = emulator.emulator.store.install_tokens[token]
    minted.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    with pytest.raises(BadCredentialsException):
        Github(auth=Auth.Token(token), base_url=emulator.api_url).get_repo("acme/widgets")
