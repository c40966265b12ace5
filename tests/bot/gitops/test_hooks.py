"""Hooks a repository (or its tests) plant in `.git` never run inside the bot's git commands."""

from __future__ import annotations

import stat
from pathlib import Path

from bot.gitops import Workspace
from tests.bot.gitops.test_workspace import BOT, remote, run

__all__ = ["remote"]  # the bare-remote fixture, shared with the workspace tests


def plant_hook(hooks: Path, name: str, witness: Path) -> None:
    hooks.mkdir(parents=True, exist_ok=True)
    hook = hooks / name
    hook.write_text(f"#!/bin/sh\necho ran >> {witness}\nenv >> {witness}\n")
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def test_a_post_commit_hook_left_in_git_does_not_run_in_the_bots_commit(
    remote: Path, tmp_path: Path
) -> None:
    ws = Workspace.prepare(tmp_path / "ws", f"file://{remote}", "main")
    ws.checkout_branch("feat/issue-9-thing", "origin/main")
    witness = tmp_path / "hook-ran.txt"
    for name in ("post-commit", "pre-commit", "commit-msg", "pre-push", "post-checkout"):
        plant_hook(ws.path / ".git" / "hooks", name, witness)
    # Also a hooks directory named by the repository's own config, as a test could set it.
    plant_hook(tmp_path / "evil-hooks", "post-commit", witness)
    run("config", "core.hooksPath", str(tmp_path / "evil-hooks"), cwd=ws.path)

    (ws.path / "app.py").write_text("x = 1\n")
    sha = ws.commit(["app.py"], "feat: x\n", BOT, "2026-01-01T00:00:00Z")
    ws.push("feat/issue-9-thing", expected_remote=None, protected="main")
    ws.checkout_branch("feat/issue-9-thing", "origin/main")

    assert ws.remote_branch_sha("feat/issue-9-thing") == sha
    assert not witness.exists()


def test_the_same_hooks_would_run_for_a_plain_git_commit(remote: Path, tmp_path: Path) -> None:
    """The control: without the bot's settings git does run them, so the test above can fail."""
    ws = Workspace.prepare(tmp_path / "ws", f"file://{remote}", "main")
    witness = tmp_path / "hook-ran.txt"
    plant_hook(ws.path / ".git" / "hooks", "post-commit", witness)
    (ws.path / "app.py").write_text("x = 1\n")
    run("add", "app.py", cwd=ws.path)
    run("commit", "-q", "-m", "by hand", cwd=ws.path)
    assert witness.read_text().startswith("ran")
