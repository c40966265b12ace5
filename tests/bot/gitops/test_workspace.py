"""The bot's git workspace: clean starts, its own branches only, leased pushes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot.errors import GitError
from bot.gitops import GitIdentity, Workspace, branch_name, commit_message, is_bot_branch
from bot.gitops.workspace import split_credentials

BOT = GitIdentity("issuebot[bot]", "issuebot[bot]@users.noreply.github.com")
HUMAN = {
    "GIT_AUTHOR_NAME": "Ann",
    "GIT_AUTHOR_EMAIL": "ann@example.com",
    "GIT_COMMITTER_NAME": "Ann",
    "GIT_COMMITTER_EMAIL": "ann@example.com",
}


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    import os

    return subprocess.run(
        ["git", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **HUMAN, **(env or {})},
    ).stdout.strip()


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    """A bare 'GitHub' repository with one commit on main, made by a human."""
    bare = tmp_path / "remote.git"
    run("init", "-q", "--bare", "-b", "main", str(bare), cwd=tmp_path)
    seed = tmp_path / "seed"
    run("init", "-q", "-b", "main", str(seed), cwd=tmp_path)
    (seed / "README.md").write_text("hello\n")
    run("add", ".", cwd=seed)
    run("commit", "-q", "-m", "init", cwd=seed)
    run("push", "-q", str(bare), "main", cwd=seed)
    return bare


def test_branch_and_message_follow_the_house_format() -> None:
    assert branch_name(2, "RawDataSource") == "feat/issue-2-raw-data-source"
    assert branch_name(7, "HTTPServer") == "feat/issue-7-http-server"
    assert is_bot_branch("feat/issue-2-raw-data-source")
    assert not is_bot_branch("main") and not is_bot_branch("feat/issue-2-x/../main")
    message = commit_message("RawDataSource", 2, "run-abc")
    assert message.splitlines()[0] == "feat(RawDataSource): add entity and API (#2)"
    assert "Issuebot-Run: run-abc" in message and "Refs: #2" in message


def test_token_in_clone_url_becomes_a_header_not_a_config_value() -> None:
    url, env = split_credentials("http://x-access-token:ghs_secret@127.0.0.1:9/acme/w.git")
    assert url == "http://127.0.0.1:9/acme/w.git"
    assert "ghs_secret" not in str(env) and env["GIT_CONFIG_KEY_0"] == "http.extraHeader"


def test_a_dirty_workspace_is_reset_to_the_default_branch(remote: Path, tmp_path: Path) -> None:
    ws = Workspace.prepare(tmp_path / "ws", str(remote), "main")
    (ws.path / "README.md").write_text("scribbled\n")
    assert ws.changed_paths() == ["README.md"]
    (ws.path / "junk.txt").write_text("left over by a crashed run\n")
    again = Workspace.prepare(tmp_path / "ws", str(remote), "main")
    assert again.changed_paths() == []
    assert (again.path / "README.md").read_text() == "hello\n"


def test_commit_is_the_bots_with_exactly_the_given_paths(remote: Path, tmp_path: Path) -> None:
    ws = Workspace.prepare(tmp_path / "ws", str(remote), "main")
    branch = branch_name(3, "Widget")
    ws.checkout_branch(branch, "origin/main")
    (ws.path / "app.py").write_text("x = 1\n")
    (ws.path / "stray.log").write_text("not ours\n")
    sha = ws.commit(["app.py"], commit_message("Widget", 3, "r1"), BOT, "2026-01-01T00:00:00Z")
    assert ws.committed_paths("origin/main") == ["app.py"]
    assert run("log", "-1", "--format=%ae", cwd=ws.path) == BOT.email
    ws.push(branch, expected_remote=None, protected="main")
    assert ws.remote_branch_sha(branch) == sha
    assert ws.foreign_commits(branch, "main", BOT) == []


def test_same_inputs_give_the_same_commit(remote: Path, tmp_path: Path) -> None:
    shas = []
    for name in ("a", "b"):
        ws = Workspace.prepare(tmp_path / name, str(remote), "main")
        ws.checkout_branch("feat/issue-1-x", "origin/main")
        (ws.path / "f.py").write_text("y = 2\n")
        shas.append(ws.commit(["f.py"], "m\n", BOT, "2026-01-01T00:00:00Z"))
    assert shas[0] == shas[1]


def test_never_pushes_the_default_branch_or_foreign_names(remote: Path, tmp_path: Path) -> None:
    ws = Workspace.prepare(tmp_path / "ws", str(remote), "main")
    with pytest.raises(GitError, match="only pushes its own branches"):
        ws.push("main", expected_remote=None, protected="main")
    with pytest.raises(GitError):
        ws.push("release", expected_remote=None, protected="main")


def test_a_human_commit_on_the_branch_is_detected(remote: Path, tmp_path: Path) -> None:
    human = tmp_path / "human"
    run("clone", "-q", str(remote), str(human), cwd=tmp_path)
    run("checkout", "-q", "-b", "feat/issue-4-thing", cwd=human)
    (human / "mine.py").write_text("z = 3\n")
    run("add", ".", cwd=human)
    run("commit", "-q", "-m", "my work", cwd=human)
    run("push", "-q", "origin", "feat/issue-4-thing", cwd=human)
    ws = Workspace.prepare(tmp_path / "ws", str(remote), "main")
    assert len(ws.foreign_commits("feat/issue-4-thing", "main", BOT)) == 1


def test_lease_refuses_to_overwrite_a_branch_that_moved(remote: Path, tmp_path: Path) -> None:
    ws = Workspace.prepare(tmp_path / "ws", str(remote), "main")
    ws.checkout_branch("feat/issue-5-thing", "origin/main")
    (ws.path / "a.py").write_text("a = 1\n")
    first = ws.commit(["a.py"], "one\n", BOT, "2026-01-01T00:00:00Z")
    ws.push("feat/issue-5-thing", expected_remote=None, protected="main")
    (ws.path / "a.py").write_text("a = 2\n")
    ws.commit(["a.py"], "two\n", BOT, "2026-01-01T00:00:00Z")
    with pytest.raises(GitError, match="push failed"):
        ws.push("feat/issue-5-thing", expected_remote="0" * 40, protected="main")
    ws.push("feat/issue-5-thing", expected_remote=first, protected="main")
    ws.delete_remote_branch("feat/issue-5-thing", expected_remote=ws.head_sha(), protected="main")
    assert ws.remote_branch_sha("feat/issue-5-thing") is None
