"""A bot installed as a GitHub App knows who it is without being told, and never asks GitHub
a question an installation token may not ask.

The App here is *not* called issuebot, so a bot that guessed its login (the old default
`issuebot[bot]`) would call its own PR "not the bot's" and never merge it. The story is the
demo's own — request, review, approval, PR, green checks, merge — run in App mode with no
`ISSUEBOT_BOT_LOGIN`, then read back from the emulator's request log.
"""

from __future__ import annotations

import secrets
from collections import Counter
from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path

import pytest
from github import Auth, Github
from github.GithubException import GithubException

from bot.demo.story import (
    DEMO_REPO,
    DemoReport,
    _seed_target_repo,
    _settle,
    _story,
    required_check_names,
)
from bot.emulator.seed import default_seed
from bot.emulator.testing import EmulatorHandle, start_emulator
from bot.errors import ConfigError, GitHubUnavailableError
from bot.gates.risk import decide
from bot.github import ClientOptions
from bot.github.identity import ACTIONS_LOGIN, bot_login, with_identity
from bot.scaffold import initialised_files
from bot.server.stack import run_bot
from bot.settings import Settings
from tests.bot.gates.test_risk import CLEAN, POLICY

APP_BOT = "acme-builder[bot]"


@pytest.fixture(autouse=True)
def no_operator_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    """The machine's own environment must not name the bot or hand it a token."""
    for name in ("ISSUEBOT_BOT_LOGIN", "GITHUB_TOKEN", "GITHUB_ACTIONS", "GITHUB_APP_ID",
                 "GITHUB_APP_PRIVATE_KEY", "GITHUB_APP_INSTALLATION_ID"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)


def builder_app_emulator() -> AbstractContextManager[EmulatorHandle]:
    """The standard world, but the App is `acme-builder`, installed on the demo repository."""
    seed = default_seed()
    renamed = {"slug": "acme-builder", "name": "acme builder", "bot_login": APP_BOT}
    seed.apps[0] = seed.apps[0].model_copy(update={**renamed, "installed_on": [DEMO_REPO]})
    return start_emulator(seed)


def is_probe(method: str, path: str) -> bool:
    """A request whose 404 is an answer, not a refusal: a label looked up or taken off."""
    parts = path.strip("/").split("/")
    looked_up = method == "GET" and parts[-2:-1] == ["labels"] and len(parts) == 5
    taken_off = method == "DELETE" and parts[3:4] == ["issues"] and parts[-2:-1] == ["labels"]
    return looked_up or taken_off


def app_settings(gh: EmulatorHandle, tmp_path: Path, secret: str) -> Settings:
    return Settings.model_validate(
        {
            "GITHUB_API_URL": gh.api_url,
            "GITHUB_APP_ID": str(gh.app_id),
            "GITHUB_APP_PRIVATE_KEY": gh.app_private_key(),
            "ISSUEBOT_WEBHOOK_SECRET": secret,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'issuebot.db'}",
            "ISSUEBOT_WORK_DIR": str(tmp_path / "work"),
            "ISSUEBOT_LOG_JSON": "false",
        }
    )


@pytest.mark.slow
def test_an_app_named_otherwise_runs_request_to_merge_without_being_told_its_login(
    tmp_path: Path,
) -> None:
    files = initialised_files()
    report = DemoReport(required_checks=required_check_names(files))
    secret = secrets.token_hex(16)
    with builder_app_emulator() as gh:
        _seed_target_repo(gh, files, report.required_checks)
        gh.set_permission(DEMO_REPO, APP_BOT, "write")
        settings = app_settings(gh, tmp_path, secret)
        with run_bot(settings) as bot:
            gh.set_webhook(bot.webhook_url, secret)
            _story(gh, bot.store, report, lambda _line: None,
                   settings=with_identity(settings), timeout=120)  # fmt: skip
            _settle(gh, bot, 60)
        asked = Counter((r.method, r.path, r.status) for r in gh.requests())
        author = gh.github("maintainer").get_repo(DEMO_REPO).get_pull(report.pr_number).user.login
    assert report.merged and report.issue_closed
    assert author == APP_BOT
    assert [key for key in asked if key[1] == "/user"] == []  # 403 for an installation token
    # Nothing GitHub would refuse (401/403/405/422...): only 404s, each an existence probe
    # GitHub answers the same way (does this label exist; remove a label that may be absent).
    refused = sorted(k for k in asked if k[2] >= 400 and not (k[2] == 404 and is_probe(*k[:2])))
    assert refused == []
    assert asked[("GET", "/app", 200)] == 1  # the slug, read once with the App's JWT


def test_github_answers_get_user_to_an_installation_token_with_403(tmp_path: Path) -> None:
    with start_emulator() as gh:
        app = Auth.AppAuth(gh.app_id, gh.app_private_key())
        client = Github(auth=app.get_installation_auth(gh.installation_id()),
                        base_url=gh.api_url)  # fmt: skip
        with pytest.raises(GithubException) as refused:
            client.get_user().login  # noqa: B018
    assert refused.value.status == 403
    assert refused.value.data["message"] == "Resource not accessible by integration"


def test_a_personal_token_is_whoever_github_says_and_the_override_wins() -> None:
    with start_emulator() as gh:
        personal = Settings(GITHUB_API_URL=gh.api_url, GITHUB_TOKEN=gh.token("writer"))
        named = Settings(
            GITHUB_API_URL=gh.api_url, GITHUB_TOKEN=gh.token("writer"), ISSUEBOT_BOT_LOGIN="me"
        )
        assert bot_login(personal) == "writer"
        assert bot_login(named) == "me"
        first_user_calls = [r for r in gh.requests() if r.path == "/user"]
        assert bot_login(personal) == "writer"  # cached: no second question
        assert [r for r in gh.requests() if r.path == "/user"] == first_user_calls


def test_the_actions_token_is_github_actions_bot_without_a_request() -> None:
    with start_emulator() as gh:
        settings = Settings(
            GITHUB_API_URL=gh.api_url, GITHUB_TOKEN="ghs_" + "a" * 36, GITHUB_ACTIONS="true"
        )
        resolved = with_identity(settings)
        assert gh.requests() == []
    assert resolved.bot_login == ACTIONS_LOGIN
    assert resolved.bot_email == f"{ACTIONS_LOGIN}@users.noreply.github.com"


def test_an_installation_token_outside_actions_asks_for_the_login_in_one_line() -> None:
    with start_emulator() as gh:
        app = Auth.AppAuth(gh.app_id, gh.app_private_key())
        token = app.get_installation_auth(gh.installation_id())
        minted = Github(auth=token, base_url=gh.api_url)
        minted.get_repo("acme/widgets")  # mints the token
        settings = Settings(GITHUB_API_URL=gh.api_url, GITHUB_TOKEN=token.token)
        with pytest.raises(ConfigError) as refused:
            bot_login(settings)
    assert "installation token" in refused.value.message
    assert "set ISSUEBOT_BOT_LOGIN to '<app slug>[bot]'" in refused.value.one_line()


def test_a_pr_by_someone_else_is_not_also_said_to_lack_a_linked_request() -> None:
    # What gather hands over for a PR whose author is not the bot: no request looked up.
    decision = decide(replace(CLEAN, author="mallory", approved_request=False), POLICY)
    reasons = {r.rule: r.reason for r in decision.failed}
    assert reasons["bot-author"] == f"opened by mallory, not {CLEAN.bot_login}"
    assert "Closes #N" not in reasons["approved-request"]
    assert "not looked up" in reasons["approved-request"]


def test_an_unreachable_github_is_a_retryable_one_line_error_not_a_crash() -> None:
    settings = Settings(GITHUB_API_URL="http://127.0.0.1:9", GITHUB_TOKEN="ghp_unreachable")
    with pytest.raises(GitHubUnavailableError) as failed:
        bot_login(settings, ClientOptions.fast())
    assert failed.value.retryable
    assert "GET /user" in failed.value.one_line()
