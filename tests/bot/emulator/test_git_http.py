"""Real git over smart HTTP: clone and push with tokens, permissions enforced, pushes announced."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import httpx
import pytest

from bot.emulator.testing import EmulatorHandle
from tests.plugins.emulator import WebhookReceiver

ENV = {
    **os.environ,
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_AUTHOR_NAME": "Dev",
    "GIT_AUTHOR_EMAIL": "dev@example.com",
    "GIT_COMMITTER_NAME": "Dev",
    "GIT_COMMITTER_EMAIL": "dev@example.com",
}


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """git in ``cwd``, never prompting."""
    return subprocess.run(
        ["git", *args], cwd=cwd, env=ENV, capture_output=True, text=True, check=False
    )


def clone(url: str, dest: Path) -> Path:
    done = run(dest.parent, "clone", "-q", url, str(dest))
    assert done.returncode == 0, done.stderr
    return dest


def commit_file(work: Path, name: str, text: str) -> str:
    (work / name).write_text(text)
    run(work, "add", name)
    run(work, "commit", "-q", "-m", f"Add {name}")
    return run(work, "rev-parse", "HEAD").stdout.strip()


def test_anyone_can_clone_a_public_repo(emulator: EmulatorHandle, tmp_path: Path) -> None:
    work = clone(emulator.clone_url("acme/widgets"), tmp_path / "w")
    assert (work / "README.md").read_text().startswith("# widgets")


def test_a_writer_pushes_a_branch_and_github_announces_it(
    emulator_with_hooks: tuple[EmulatorHandle, WebhookReceiver], tmp_path: Path
) -> None:
    gh, receiver = emulator_with_hooks
    work = clone(gh.clone_url("acme/widgets", "writer"), tmp_path / "w")
    run(work, "checkout", "-q", "-b", "feature")
    sha = commit_file(work, "feature.txt", "new\n")
    pushed = run(work, "push", "-q", "origin", "feature")
    assert pushed.returncode == 0, pushed.stderr

    push = receiver.wait_for("push").payload
    assert push["ref"] == "refs/heads/feature"
    assert push["created"] is True
    assert push["head_commit"]["id"] == sha
    assert push["head_commit"]["added"] == ["feature.txt"]
    assert push["pusher"]["name"] == "writer"
    assert receiver.wait_for("create").payload["ref"] == "feature"
    assert gh.github("reader").get_repo("acme/widgets").get_branch("feature").commit.sha == sha


def test_pushing_to_a_pr_branch_synchronizes_the_pr(
    emulator_with_hooks: tuple[EmulatorHandle, WebhookReceiver], tmp_path: Path
) -> None:
    gh, receiver = emulator_with_hooks
    work = clone(gh.clone_url("acme/widgets", "writer"), tmp_path / "w")
    run(work, "checkout", "-q", "-b", "feature")
    first = commit_file(work, "one.txt", "1\n")
    run(work, "push", "-q", "origin", "feature")
    repo = gh.github("writer").get_repo("acme/widgets")
    pr = repo.create_pull(base="main", head="feature", title="Feature")
    second = commit_file(work, "two.txt", "2\n")
    run(work, "push", "-q", "origin", "feature")

    sync = receiver.wait_for("pull_request", "synchronize").payload
    assert (sync["before"], sync["after"]) == (first, second)
    assert repo.get_pull(pr.number).head.sha == second
    assert repo.get_pull(pr.number).commits == 2


@pytest.mark.parametrize("login", ["reader", "stranger"])
def test_push_needs_write_permission(emulator: EmulatorHandle, tmp_path: Path, login: str) -> None:
    work = clone(emulator.clone_url("acme/widgets", login), tmp_path / "w")
    commit_file(work, "nope.txt", "no\n")
    refused = run(work, "push", "-q", "origin", "HEAD:main")
    assert refused.returncode != 0
    assert "403" in refused.stderr or "denied" in refused.stderr


def test_a_bad_token_cannot_push(emulator: EmulatorHandle, tmp_path: Path) -> None:
    work = clone(emulator.clone_url("acme/widgets"), tmp_path / "w")
    commit_file(work, "nope.txt", "no\n")
    url = emulator.clone_url("acme/widgets").replace("http://", "http://x-access-token:bad@")
    refused = run(work, "push", "-q", url, "HEAD:main")
    assert refused.returncode != 0
    assert "Authentication failed" in refused.stderr or "401" in refused.stderr


def test_private_repos_need_a_collaborator_token_to_clone(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    emulator.create_repo("acme/secret", {"s.txt": "s\n"}, private=True)
    emulator.set_permission("acme/secret", "reader", "read")
    assert (clone(emulator.clone_url("acme/secret", "reader"), tmp_path / "ok") / "s.txt").exists()
    refused = run(tmp_path, "clone", "-q", emulator.clone_url("acme/secret", "stranger"), "x")
    assert refused.returncode != 0


def test_repository_files_are_not_served_as_static_files(emulator: EmulatorHandle) -> None:
    for path in ("config", "objects/info/packs", "refs/heads/main", "../../etc/passwd"):
        answer = httpx.get(f"{emulator.api_url}/acme/widgets.git/{path}")
        assert answer.status_code == 404, path
