"""From an approved request to a linked, tested PR on the emulator, with real git throughout."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.github.markers import marker_tag
from bot.testgate import run_tests
from generators.service import generate_service
from generators.spec import Entity, SpecFile, load_spec
from tests.bot.pipeline.conftest import WIDGET, Target

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]


def clone_branch(target: Target, branch: str, into: Path) -> Path:
    url = target.emulator.clone_url(target.full_name, "reader")
    subprocess.run(["git", "clone", "-q", "--branch", branch, url, str(into)], check=True)
    subprocess.run(["git", "-C", str(into), "fetch", "-q", "origin", "main"], check=True)
    return into


def summary_comments(target: Target, number: int) -> list[str]:
    tag = marker_tag("run-summary")
    return [c.body for c in target.bot.list_comments(number) if c.body.startswith(tag)]


def test_an_approved_request_becomes_one_linked_tested_pull_request(
    make_target: Callable[..., Target], tmp_path: Path
) -> None:
    target = make_target()
    number = target.file_request(via_orchestrator=True)  # the seed's API files the issue
    assert "entity-request" in target.bot.get_issue(number).labels

    result = target.orchestrator().implement_issue(number, actor="maintainer")

    branch = f"feat/issue-{number}-widget"
    assert result.status == "succeeded" and result.branch == branch
    pr = target.bot.get_pull(result.pr_number or 0)
    assert pr.state == "open" and pr.head_ref == branch and pr.base_ref == "main"
    assert pr.title == "feat: add Widget entity"
    assert f"Closes #{number}" in pr.body
    assert {"entity-request", "bot-generated"} <= set(pr.labels)

    # Exactly the generated files and the updated spec, in one commit by the bot.
    clone = clone_branch(target, branch, tmp_path / "clone")
    changed = subprocess.run(
        ["git", "diff", "--name-only", "origin/main...HEAD"],
        cwd=clone, check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    expected_spec = SpecFile.empty().upsert(Entity.model_validate(WIDGET))
    service = generate_service(expected_spec)
    assert set(changed) == {*service.files, *service.user_owned, "specs/entities.json"}
    assert load_spec((clone / "specs/entities.json").read_text()).entity("Widget")
    log = subprocess.run(
        ["git", "log", "--format=%an|%s|%b", "origin/main..HEAD"],
        cwd=clone, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    assert log.startswith(f"issuebot[bot]|feat(Widget): add entity and API (#{number})")
    assert f"Issuebot-Run: {result.run_id}" in log and f"Refs: #{number}" in log

    # The PR's tests pass again from a fresh clone of the branch.
    rerun = run_tests(clone, command=("python", "-m", "pytest", "-q"), timeout_seconds=300)
    assert rerun.passed, rerun.output[-2000:]

    # The issue tells the story once; the head commit carries the test check.
    labels = target.bot.get_issue(number).labels
    assert "pr-opened" in labels and "in-progress" not in labels
    comments = summary_comments(target, number)
    assert len(comments) == 1 and f"#{pr.number}" in comments[0]
    checks = target.bot.list_check_runs(pr.head_sha)
    assert [(c.name, c.conclusion) for c in checks] == [("issuebot / tests", "success")]

    # The run's working copy is gone; every step is on record, with its outcome.
    repo_work = target.settings.work_dir / target.full_name.replace("/", "__")
    assert repo_work.is_dir() and not (repo_work / result.run_id).exists()
    steps = {s.name: s.outcome for s in target.store.steps(result.run_id)}
    assert set(steps.values()) == {"ok"} and len(steps) == 9


def test_failing_repo_tests_stop_the_run_before_anything_is_pushed(
    make_target: Callable[..., Target],
) -> None:
    failing = (
        "def test_existing_behaviour():\n"
        "    settings = {'password': 'hunter2-not-for-you'}\n"
        "    assert settings == {}\n"
    )
    target = make_target({"tests/test_existing.py": failing})
    number = target.file_request()
    env = {
        **os.environ,
        "GITHUB_API_URL": target.settings.github_api_url,
        "GITHUB_TOKEN": target.emulator.token("issuebot[bot]"),
        "DATABASE_URL": target.settings.database_url,
        "ISSUEBOT_WORK_DIR": str(target.settings.work_dir),
        "ISSUEBOT_BOT_LOGIN": "issuebot[bot]",
        "ISSUEBOT_LOG_JSON": "false",
    }
    cli = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "implement", "--repo", target.full_name,
         "--issue", str(number)],
        check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip

    assert cli.returncode == 30, cli.stderr  # TestsFailedError's exit code
    assert cli.stderr.strip().splitlines()[-1].startswith("tests-failed:")
    branch = f"feat/issue-{number}-widget"
    assert target.remote_sha(branch) is None
    assert target.bot.find_pull(branch, state="all") is None
    labels = target.bot.get_issue(number).labels
    assert "bot-failed" in labels and "in-progress" not in labels
    tag = marker_tag("run-diagnosis")
    diagnosis = [c.body for c in target.bot.list_comments(number) if c.body.startswith(tag)]
    assert len(diagnosis) == 1
    assert "tests/test_existing.py::test_existing_behaviour" in diagnosis[0]
    assert "assertion" in diagnosis[0]
    assert "hunter2" not in diagnosis[0] and "[REDACTED]" in diagnosis[0]
    assert target.emulator.token("issuebot[bot]") not in diagnosis[0]
