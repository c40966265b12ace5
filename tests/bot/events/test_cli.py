"""`issuebot handle-event` is what the GitHub Action runs: same router, same handlers."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from bot.emulator.testing import EmulatorHandle
from tests.plugins.emulator import WebhookReceiver

REPO = "acme/widgets"
BOT = "issuebot[bot]"


def run_cli(
    repo_root: Path, args: list[str], env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "ISSUEBOT_"))}
    return subprocess.run(
        [str(repo_root / ".venv" / "bin" / "issuebot"), *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def action_env(gh: EmulatorHandle, tmp_path: Path, event: str, body: bytes) -> dict[str, str]:
    path = tmp_path / "event.json"
    path.write_bytes(body)
    return {
        "GITHUB_EVENT_NAME": event,
        "GITHUB_EVENT_PATH": str(path),
        "GITHUB_RUN_ID": "42",
        "GITHUB_API_URL": gh.api_url,
        "GITHUB_TOKEN": gh.token(BOT),
        "ISSUEBOT_BOT_LOGIN": BOT,
        "ISSUEBOT_LOG_JSON": "false",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'runs.db'}",
        "ISSUEBOT_WORK_DIR": str(tmp_path / "work"),
    }


@pytest.mark.slow
def test_handle_event_answers_help_in_an_actions_run(
    emulator_with_hooks: tuple[EmulatorHandle, WebhookReceiver], tmp_path: Path, repo_root: Path
) -> None:
    gh, hooks = emulator_with_hooks
    issue = gh.github("writer").get_repo(REPO).create_issue("RawDataSource", body="spec")
    comment = issue.create_comment("/help")
    hook = hooks.wait_for("issue_comment", "created")
    assert hook.payload["comment"]["id"] == comment.id

    result = run_cli(
        repo_root, ["handle-event"], action_env(gh, tmp_path, "issue_comment", hook.body)
    )

    assert result.returncode == 0, result.stderr
    assert "issue_comment.created → help: done" in result.stdout
    bodies = [c.body for c in issue.get_comments() if c.user.login == BOT]
    assert any("| `/implement` |" in b for b in bodies)


@pytest.mark.slow
def test_handle_event_outside_actions_says_what_is_missing(repo_root: Path) -> None:
    result = run_cli(repo_root, ["handle-event"], {})
    assert result.returncode == 11
    assert result.stderr.strip().startswith("config: GITHUB_EVENT_NAME and GITHUB_EVENT_PATH")


@pytest.mark.slow
def test_serve_refuses_to_start_without_a_webhook_secret(repo_root: Path, tmp_path: Path) -> None:
    env = {"GITHUB_TOKEN": "x", "DATABASE_URL": f"sqlite:///{tmp_path / 'runs.db'}"}
    result = run_cli(repo_root, ["serve", "--port", "0"], env)
    assert result.returncode == 11
    assert "ISSUEBOT_WEBHOOK_SECRET is not set" in result.stderr


@pytest.mark.slow
def test_reconcile_restarts_a_missed_approval_once(
    emulator: EmulatorHandle, tmp_path: Path, repo_root: Path
) -> None:
    gh_repo = emulator.github("maintainer").get_repo(REPO)
    labels = ["entity-request", "needs-review"]
    issue = gh_repo.create_issue("Widget", body="no spec yet", labels=labels)
    issue.remove_from_labels("needs-review")  # the approval whose webhook never arrived
    env = action_env(emulator, tmp_path, "issues", b"{}")

    first = run_cli(repo_root, ["reconcile", "--repo", REPO], env)
    again = run_cli(repo_root, ["reconcile", "--repo", REPO], env)

    assert first.returncode == 0, first.stderr
    assert f"{REPO}#{issue.number}: implement (approved, no run) → failed" in first.stdout
    assert again.stdout.strip() == f"{REPO}: nothing missed"
    bot_notes = [c.body for c in gh_repo.get_issue(issue.number).get_comments()]
    # The run's summary says what is wrong, and one new comment notifies the approver;
    # the second reconcile repeats neither.
    [summary] = [b for b in bot_notes if "issuebot:run-summary" in b]
    [failure] = [b for b in bot_notes if "issuebot:run-failure-" in b]
    assert len(bot_notes) == 2
    assert "no entity definition found" in summary
    assert "@maintainer" in failure and "`/retry`" in failure
