"""One list of what the bot needs from GitHub feeds the manifest, the README and the doctor."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from bot.events.router import CHECK_EVENTS, PULL_EVENTS
from bot.github.requirements import (
    EVENTS,
    TEAM_PERMISSION,
    manifest,
    missing_events,
    missing_permissions,
    readme_table,
    required_events,
    required_permissions,
)
from tests.plugins.github_data import openapi, webhook_examples

TOKEN_PERMISSIONS = "/app/installations/{installation_id}/access_tokens"


def test_the_readme_lists_exactly_what_the_module_requires(repo_root: Path) -> None:
    readme = (repo_root / "README.md").read_text()
    found = re.search(
        r"<!-- requirements:start -->\n(.*?)\n<!-- requirements:end -->", readme, re.S
    )
    assert found is not None, "README lost its requirements block"
    assert found.group(1) == readme_table(), (
        "README's App permissions differ from bot/github/requirements.py; paste "
        "`python -c 'from bot.github.requirements import readme_table; print(readme_table())'`"
    )


def test_every_permission_and_level_is_one_github_knows() -> None:
    body = openapi()["paths"][TOKEN_PERMISSIONS]["post"]["requestBody"]
    known = body["content"]["application/json"]["schema"]["properties"]["permissions"]
    for name, level in required_permissions(teams=True).items():
        assert level in known["properties"][name]["enum"], name


def test_every_event_is_a_webhook_github_sends_and_one_the_router_acts_on() -> None:
    recorded = set(webhook_examples())
    assert set(required_events()) <= recorded
    # The router's webhook events (`pull_request_target` is an Actions trigger, not a webhook).
    routed = {"issues", "issue_comment", *CHECK_EVENTS, *PULL_EVENTS} - {"pull_request_target"}
    assert {need.name for need in EVENTS} == routed


def test_the_manifest_asks_for_exactly_the_needs_and_points_at_the_webhook() -> None:
    found = manifest("https://bot.example.com/", name="acme-bot")
    assert found["name"] == "acme-bot"
    assert found["url"] == "https://bot.example.com"
    assert found["hook_attributes"] == {"url": "https://bot.example.com/webhook", "active": True}
    assert found["public"] is False
    assert found["default_permissions"] == required_permissions()
    assert TEAM_PERMISSION.name not in required_permissions()  # only when teams approve
    assert found["default_events"] == required_events()


def test_missing_needs_are_named_with_the_level_wanted() -> None:
    granted = required_permissions() | {"contents": "read"}
    del granted["checks"]
    assert missing_permissions(granted) == {"checks": "write", "contents": "write"}
    assert missing_permissions(required_permissions() | {"issues": "admin"}) == {}
    assert missing_permissions(required_permissions(), teams=True) == {"members": "read"}
    assert missing_events(["issues", "check_run"]) == [
        "issue_comment", "pull_request", "check_suite", "workflow_run",
    ]  # fmt: skip


def test_the_cli_prints_the_manifest_and_refuses_a_bad_url(repo_root: Path) -> None:
    cli = str(repo_root / ".venv/bin/issuebot")
    good = subprocess.run(
        [cli, "app", "manifest", "--url", "https://bot.example.com"],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout) == manifest("https://bot.example.com")
    bad = subprocess.run(
        [cli, "app", "manifest", "--url", "bot.example.com"],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert bad.returncode == 2
    assert bad.stderr.startswith("usage: --url must be an http(s) URL")
