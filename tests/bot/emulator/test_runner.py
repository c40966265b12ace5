"""The emulator's opt-in CI runner: pushed workflows run in the sandbox and report check runs.

Cheap workflows only (a few shell lines each); the scaffolded `generated-code` job with the
real wheel is tests/test_packaging.py's.
"""

from __future__ import annotations

import os
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot.emulator.actions import RunnerSettings
from bot.emulator.runner import (
    Context,
    Unsupported,
    evaluate,
    plan_jobs,
    readonly_inputs,
    triggered,
)
from bot.emulator.testing import EmulatorHandle, start_emulator
from tests.bot.emulator.schemas import validate_webhook

ENV = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_AUTHOR_NAME": "Dev",
       "GIT_AUTHOR_EMAIL": "dev@example.com", "GIT_COMMITTER_NAME": "Dev",
       "GIT_COMMITTER_EMAIL": "dev@example.com"}  # fmt: skip
CTX = Context("abc123", "refs/heads/main", "acme/widgets", "push", {"TARGET": "prod"})

WORKFLOW = """\
name: ci
on:
  push:
    branches: [main]
  pull_request:
env:
  EXPECTED: ok
jobs:
  check:
    name: status is ok
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - name: The status file says ${{ env.EXPECTED }}
        env:
          SHA: ${{ github.sha }}
        run: |
          test "$SHA" = "$GITHUB_SHA"
          test "${{ vars.TARGET }}" = prod
          test "$(python -c 'import sys; print(sys.prefix)')" != /usr
          echo "status: $(cat status.txt)"
          test "$(cat status.txt)" = "$EXPECTED"
  confined:
    steps:
      - uses: actions/checkout@v4
      - name: No network, no emulator files, only the job's directory writable
        run: |
          if python3 -c "import socket; socket.create_connection(('127.0.0.1', PORT), 2)"; then
            echo "reached the emulator"; exit 1
          fi
          test ! -e "GIT_DIR"
          touch "$RUNNER_TEMP/mine"
          if touch /var/tmp/escape 2>/dev/null; then echo "wrote outside"; exit 1; fi
  offline-install:
    steps:
      - uses: actions/setup-python@v5
      - name: pip finds the runner's local wheel directory, and nothing else
        run: |
          python -m pip install -q tinypkg
          python -c "import tinypkg; assert tinypkg.VALUE == 42"
          if python -m pip install -q six-nonexistent-pkg; then exit 1; fi
  deploy:
    steps:
      - uses: acme/deploy-action@v1
"""


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, env=ENV, capture_output=True, text=True,
                          check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def tiny_wheel(where: Path) -> Path:
    """A one-module wheel, as a test's local wheel directory would hold."""
    wheel = where / "tinypkg-1.0-py3-none-any.whl"
    files = {
        "tinypkg/__init__.py": "VALUE = 42\n",
        "tinypkg-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: tinypkg\nVersion: 1.0\n",
        "tinypkg-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: test\n"
        "Root-Is-Purelib: true\nTag: py3-none-any\n",
    }
    files["tinypkg-1.0.dist-info/RECORD"] = "".join(
        f"{n},,\n" for n in [*files, "tinypkg-1.0.dist-info/RECORD"]
    )
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return where


@pytest.fixture
def ci(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorHandle]:
    wheels = tiny_wheel(tmp_path_factory.mktemp("wheels"))
    settings = RunnerSettings(vars={"TARGET": "prod"}, env={"PIP_FIND_LINKS": str(wheels)})
    with start_emulator(run_workflows=settings) as gh:
        yield gh


def test_planning_names_what_this_runner_cannot_do() -> None:
    workflow = yaml.safe_load(WORKFLOW.replace("deploy:", "db:\n    services: {pg: {}}\n  x:"))
    plans = {p.job_id: p for p in plan_jobs(workflow, CTX)}
    assert plans["check"].name == "status is ok" and not plans["check"].unsupported
    assert plans["db"].unsupported == "`services:` on job `db`"
    assert plans["x"].unsupported == "step `acme/deploy-action@v1` uses `acme/deploy-action@v1`"
    with pytest.raises(Unsupported, match=r"github\.event\.pull_request"):
        evaluate("${{ github.event.pull_request.number || github.ref }}", CTX, {})
    assert evaluate("${{ github.ref_name }}/${{env.A}}", CTX, {"A": "1"}) == "main/1"


def test_triggers_follow_branch_filters_and_pull_request_types() -> None:
    workflow = yaml.safe_load(WORKFLOW)
    assert triggered(workflow, "push", "main")
    assert not triggered(workflow, "push", "feature")
    assert triggered(workflow, "pull_request", "main", "opened")
    assert not triggered(workflow, "pull_request", "main", "closed")
    assert triggered({"on": {"push": {"branches": ["release/**"]}}}, "push", "release/1/x")
    assert not triggered({"on": {"push": {"branches": ["release/*"]}}}, "push", "release/1/x")
    with pytest.raises(Unsupported, match="paths"):
        triggered({"on": {"push": {"paths": ["src/**"]}}}, "push", "main")


def test_a_workflow_can_expose_only_a_wheel_file_to_its_sandbox(tmp_path: Path) -> None:
    wheel = tmp_path / "issuebot-1.0-py3-none-any.whl"
    wheel.write_bytes(b"")
    (tmp_path / "secret.txt").write_text("key")
    job_env = {
        "ISSUEBOT_PACKAGE": f"issuebot @ {wheel.as_uri()}",
        "OTHER": f"file://{tmp_path}/secret.txt",
        "PIP_FIND_LINKS": str(tmp_path),
    }
    assert readonly_inputs(job_env, {}) == (wheel,)  # the file, never its directory
    hostile = {"ISSUEBOT_PACKAGE": f"file://{tmp_path}/secret.txt"}
    assert readonly_inputs(hostile, {}) == ()
    assert readonly_inputs({}, {"PIP_FIND_LINKS": str(tmp_path)}) == (tmp_path,)


def test_the_runner_is_off_unless_asked(emulator: EmulatorHandle, tmp_path: Path) -> None:
    work = tmp_path / "w"
    git(tmp_path, "clone", "-q", emulator.clone_url("acme/widgets", "writer"), str(work))
    (work / ".github/workflows").mkdir(parents=True)
    (work / ".github/workflows/ci.yml").write_text(WORKFLOW)
    git(work, "add", "-A")
    git(work, "commit", "-qm", "ci")
    git(work, "push", "-q", "origin", "main")
    assert emulator.emulator.actions is None
    assert emulator.check_runs("acme/widgets", git(work, "rev-parse", "HEAD")) == {}


@pytest.mark.slow
def test_pushed_workflows_run_sandboxed_and_report_check_runs(
    ci: EmulatorHandle, tmp_path: Path
) -> None:
    work = tmp_path / "w"
    git(tmp_path, "clone", "-q", ci.clone_url("acme/widgets", "writer"), str(work))
    (work / ".github/workflows").mkdir(parents=True)
    text = WORKFLOW.replace("PORT", str(ci.port)).replace(
        "GIT_DIR", str(ci.git_dir("acme/widgets"))
    )
    (work / ".github/workflows/ci.yml").write_text(text)
    (work / "status.txt").write_text("ok\n")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "ci")
    git(work, "push", "-q", "origin", "main")
    sha = git(work, "rev-parse", "HEAD")
    ci.wait_for_workflows()

    runs = ci.check_runs("acme/widgets", sha)
    assert {n: r.conclusion for n, r in runs.items()} == {
        "status is ok": "success", "confined": "success", "offline-install": "success",
        "deploy": "neutral"}  # fmt: skip
    assert runs["status is ok"].app == "github-actions[bot]"
    assert "status: ok" in runs["status is ok"].output["summary"]
    assert "acme/deploy-action@v1" in runs["deploy"].output["summary"]
    gh_run = ci.github("reader").get_repo("acme/widgets").get_check_run(runs["deploy"].id)
    assert gh_run.app.name == "GitHub Actions" and gh_run.status == "completed"

    # Each job went queued -> in_progress -> completed; the workflow run is announced once.
    actions = [(d.payload["check_run"]["name"], d.action, d.payload["check_run"]["status"])
               for d in ci.deliveries() if d.event == "check_run"]  # fmt: skip
    assert [a for a in actions if a[0] == "confined"] == [
        ("confined", "created", "queued"), ("confined", "completed", "completed")]  # fmt: skip
    [workflow_run] = [
        d.payload["workflow_run"] for d in ci.deliveries() if d.event == "workflow_run"
    ]
    assert (workflow_run["conclusion"], workflow_run["path"]) == (
        "success",
        ".github/workflows/ci.yml",
    )

    # A pull request whose head breaks the check: pull_request.opened runs it, red.
    git(work, "checkout", "-q", "-b", "broken")
    (work / "status.txt").write_text("bad\n")
    git(work, "commit", "-qam", "break")
    git(work, "push", "-q", "origin", "broken")
    head = git(work, "rev-parse", "HEAD")
    ci.github("writer").get_repo("acme/widgets").create_pull("main", "broken", title="Break")
    ci.wait_for_workflows()
    broken = ci.check_runs("acme/widgets", head)["status is ok"]
    assert broken.conclusion == "failure"
    assert "status: bad" in broken.output["summary"]
    assert "Step `The status file says ok` exited 1" in broken.output["summary"]
    # What the runner announced is what GitHub's documented payloads look like.
    runner_events = {"check_run", "check_suite", "workflow_run"}
    for delivery in ci.deliveries():
        if delivery.event in runner_events:
            validate_webhook(delivery.event, delivery.action, delivery.payload)
