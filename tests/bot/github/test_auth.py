"""Choosing credentials: a token, or a GitHub App whose key is checked at startup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from github import Auth

from bot.errors import ConfigError
from bot.github import ClientOptions, connect, github_auth
from bot.settings import Settings
from tests.bot.github.keys import app_private_key_pem

ENV = (
    "GITHUB_API_URL",
    "GITHUB_TOKEN",
    "GITHUB_APP_ID",
    "GITHUB_APP_PRIVATE_KEY",
    "GITHUB_APP_INSTALLATION_ID",
    "ISSUEBOT_BOT_LOGIN",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


def app_settings(key: str, **extra: Any) -> Settings:
    return Settings(
        github_app_id=42, github_app_private_key=key, github_app_installation_id=7, **extra
    )


def test_a_token_authenticates_as_its_owner() -> None:
    auth = github_auth(Settings(github_token="ghp_example"))
    assert isinstance(auth, Auth.Token)
    assert auth.token == "ghp_example"


def test_no_credentials_is_a_config_error_naming_the_variables() -> None:
    with pytest.raises(ConfigError, match="GITHUB_TOKEN"):
        github_auth(Settings())


def test_app_credentials_win_over_a_token_and_name_the_installation() -> None:
    settings = app_settings(app_private_key_pem(), github_token="ghs_from_actions")
    auth = github_auth(settings)
    assert isinstance(auth, Auth.AppInstallationAuth)
    assert (str(auth.app_id), auth.installation_id) == ("42", 7)


def test_an_escaped_one_line_key_or_a_key_file_is_accepted(tmp_path: Path) -> None:
    one_line = app_private_key_pem().replace("\n", "\\n")
    assert isinstance(github_auth(app_settings(one_line)), Auth.AppInstallationAuth)
    key_file = tmp_path / "app.pem"
    key_file.write_text(app_private_key_pem())
    assert isinstance(github_auth(app_settings(str(key_file))), Auth.AppInstallationAuth)


@pytest.mark.parametrize("key", ["not a key", "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n"])
def test_a_broken_app_key_is_reported_at_startup(key: str) -> None:
    with pytest.raises(ConfigError, match="GITHUB_APP_PRIVATE_KEY"):
        github_auth(app_settings(key))


def test_the_api_url_is_configurable_for_enterprise_servers() -> None:
    settings = Settings(github_token="t", github_api_url="https://ghe.example.com/api/v3/")
    gh = connect(settings, ClientOptions.fast())
    assert gh.requester.base_url == "https://ghe.example.com/api/v3"
