"""Seeding a world from JSON, and driving a CLI-started emulator from another process."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from github import Auth, Github
from github.ContentFile import ContentFile

from bot.cli.emulator import run_emulator
from bot.emulator.seed import Seed
from bot.emulator.testing import start_emulator
from bot.errors import ConfigError, UsageError

SEED: dict[str, Any] = {
    "users": [
        {"login": "alice", "token": "ghp_alice"},
        {"login": "helper[bot]", "token": "ghs_helper", "type": "Bot"},
    ],
    "repos": [
        {
            "full_name": "alice/notes",
            "default_branch": "trunk",
            "files": {"notes.md": "# notes\n"},
            "permissions": {"helper[bot]": "triage"},
            "labels": [{"name": "needs-review", "color": "fbca04"}],
            "required_checks": {"trunk": ["tests"]},
        }
    ],
}


def test_a_seed_file_builds_users_repos_labels_and_protection(tmp_path: Path) -> None:
    source = tmp_path / "src"
    (source / "pkg").mkdir(parents=True)
    (source / "pkg" / "mod.py").write_text("VALUE = 1\n")
    seed_data = dict(SEED)
    seed_data["repos"] = [SEED["repos"][0] | {"source_dir": "src"}]  # relative to the file
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(seed_data))

    with start_emulator(Seed.from_file(path)) as gh:
        repo = gh.github("alice").get_repo("alice/notes")
        assert repo.default_branch == "trunk"
        module = repo.get_contents("pkg/mod.py", ref="trunk")
        notes = repo.get_contents("notes.md")
        assert isinstance(module, ContentFile) and isinstance(notes, ContentFile)
        assert module.decoded_content == b"VALUE = 1\n"
        assert notes.decoded_content == b"# notes\n"
        assert [label.name for label in repo.get_labels()] == ["needs-review"]
        assert repo.get_collaborator_permission("helper[bot]") == "read"  # triage reads as read
        assert repo.get_branch("trunk").protected


@pytest.mark.parametrize(
    "content",
    [
        '{"repos": [{"nope": 1}]}',
        "{not json",
        '{"repos": [{"full_name": "a/b", "source_dir": "x"}]}',
    ],
)
def test_a_broken_seed_file_is_one_config_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "seed.json"
    path.write_text(content)
    with pytest.raises(ConfigError, match="seed file") as caught:
        Seed.from_file(path)
    assert "\n" not in caught.value.message


@pytest.fixture
def cli_emulator(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """`issuebot emulator --port 0` in a child process (plus indirect args); yields its URL."""
    key_file = tmp_path / "app.pem"
    extra: list[str] = list(getattr(request, "param", []))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.cli.main",
            "emulator",
            "--port",
            "0",
            "--log-level",
            "warning",
            "--app-key-out",
            str(key_file),
            *extra,
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.search(r"http://[\d.]+:\d+", line)
        assert match, line
        url = match.group(0)
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{url}/_emulator/health").raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield url
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=15)
        if proc.stdout is not None:
            proc.stdout.close()


@pytest.mark.slow
def test_the_cli_emulator_is_driven_over_http(cli_emulator: str) -> None:
    admin = f"{cli_emulator}/_emulator"
    httpx.post(f"{admin}/users", json={"login": "dana", "token": "ghp_dana"}).raise_for_status()
    httpx.post(
        f"{admin}/repos", json={"full_name": "dana/site", "files": {"index.html": "hi"}}
    ).raise_for_status()
    httpx.put(f"{admin}/repos/acme/widgets/permissions/dana", json={"permission": "write"})
    client = Github(auth=Auth.Token("ghp_dana"), base_url=cli_emulator)
    assert client.get_repo("dana/site").default_branch == "main"
    assert client.get_repo("acme/widgets").permissions.push

    sha = client.get_repo("acme/widgets").get_branch("main").commit.sha
    fault = {"method": "GET", "path_regex": "^/user$", "kind": "502", "count": 1}
    httpx.post(f"{admin}/faults", json=fault).raise_for_status()
    assert (
        httpx.get(f"{cli_emulator}/user", headers={"Authorization": "token ghp_dana"}).status_code
        == 502
    )
    posted = httpx.post(
        f"{admin}/repos/acme/widgets/checks",
        json={"sha": sha, "name": "tests", "conclusion": "success"},
    )
    assert posted.json()["conclusion"] == "success"
    events = [d["event"] for d in httpx.get(f"{admin}/deliveries").json()]
    assert events == ["check_run", "check_run", "check_suite"]
    apps = httpx.get(f"{admin}/apps").json()
    assert apps[0]["bot_login"] == "issuebot[bot]" and apps[0]["private_key"]
    answered = [
        (r["method"], r["path"], r["status"]) for r in httpx.get(f"{admin}/requests").json()
    ]
    assert ("GET", "/user", 502) in answered
    assert ("GET", "/repos/dana/site", 200) in answered


@pytest.mark.slow
@pytest.mark.parametrize("cli_emulator", [["--run-workflows"]], indirect=True)
def test_the_cli_emulator_runs_pushed_workflows_when_asked(
    cli_emulator: str, tmp_path: Path
) -> None:
    work = tmp_path / "w"
    git = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_AUTHOR_NAME": "Dev",
           "GIT_AUTHOR_EMAIL": "d@example.com", "GIT_COMMITTER_NAME": "Dev",
           "GIT_COMMITTER_EMAIL": "d@example.com"}  # fmt: skip
    url = cli_emulator.replace("http://", "http://x-access-token:ghp_writer_token@")
    subprocess.run(["git", "clone", "-q", f"{url}/acme/widgets.git", str(work)], env=git,
                   check=True)  # fmt: skip
    (work / ".github/workflows").mkdir(parents=True)
    (work / ".github/workflows/ci.yml").write_text(
        "on: push\njobs:\n  hello:\n    steps:\n      - run: echo hello from the runner\n"
    )
    for args in (["add", "-A"], ["commit", "-qm", "ci"], ["push", "-q", "origin", "main"]):
        subprocess.run(["git", *args], cwd=work, env=git, check=True)
    sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=work, capture_output=True,
                         text=True, check=True).stdout.strip()  # fmt: skip
    commit = (
        Github(auth=Auth.Token("ghp_reader_token"), base_url=cli_emulator)
        .get_repo("acme/widgets")
        .get_commit(sha)
    )
    deadline = time.monotonic() + 60
    while not [r for r in commit.get_check_runs() if r.status == "completed"]:
        assert time.monotonic() < deadline, "no completed check run"
        time.sleep(0.2)
    [run] = commit.get_check_runs()
    assert (run.name, run.conclusion, run.app.name) == ("hello", "success", "GitHub Actions")
    assert "hello from the runner" in run.output.summary


def test_cli_find_links_needs_the_runner(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="--find-links needs --run-workflows"):
        run_emulator(find_links=[tmp_path])


def test_cli_rejects_a_secret_without_url() -> None:
    with pytest.raises(UsageError, match="--webhook-secret needs --webhook-url"):
        run_emulator(webhook_secret="s")
