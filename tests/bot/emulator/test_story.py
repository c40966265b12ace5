"""The whole story from issue to merged PR, through unmodified PyGithub, real git and webhooks."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from bot.emulator.testing import EmulatorHandle
from tests.plugins.emulator import WebhookReceiver

GIT_ENV = {
    **os.environ,
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_AUTHOR_NAME": "Wren Writer",
    "GIT_AUTHOR_EMAIL": "writer@example.com",
    "GIT_COMMITTER_NAME": "Wren Writer",
    "GIT_COMMITTER_EMAIL": "writer@example.com",
}


def git(cwd: Path, *args: str) -> str:
    """Run git in a working copy, as a developer would."""
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=GIT_ENV, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_issue_to_merged_pr_story(
    emulator_with_hooks: tuple[EmulatorHandle, WebhookReceiver], tmp_path: Path
) -> None:
    gh, receiver = emulator_with_hooks
    maintainer = gh.github("maintainer")
    repo = maintainer.get_repo("acme/widgets")

    issue = repo.create_issue("Add a gadget entity", body="We need gadgets.")
    assert receiver.wait_for("issues", "opened").payload["issue"]["number"] == issue.number

    issue.add_to_labels("enhancement")
    labeled = receiver.wait_for("issues", "labeled")
    assert labeled.payload["label"]["name"] == "enhancement"

    comment = issue.create_comment("/implement")
    created = receiver.wait_for("issue_comment", "created")
    assert created.payload["comment"]["id"] == comment.id
    assert created.payload["comment"]["user"]["login"] == "maintainer"

    assert repo.get_collaborator_permission("maintainer") == "admin"
    assert repo.get_collaborator_permission("stranger") == "none"

    work = tmp_path / "widgets"
    subprocess.run(
        ["git", "clone", "-q", gh.clone_url("acme/widgets", "writer"), str(work)],
        env=GIT_ENV,
        check=True,
    )
    git(work, "checkout", "-q", "-b", "feature/gadget")
    (work / "gadget.py").write_text("class Gadget:\n    pass\n")
    git(work, "add", "gadget.py")
    git(work, "commit", "-q", "-m", "Add Gadget")
    git(work, "push", "-q", "origin", "feature/gadget")
    head_sha = git(work, "rev-parse", "HEAD")
    push = receiver.wait_for("push")
    assert push.payload["ref"] == "refs/heads/feature/gadget"
    assert push.payload["after"] == head_sha

    pr = repo.create_pull(
        base="main", head="feature/gadget", title="Add Gadget", body=f"Closes #{issue.number}"
    )
    assert receiver.wait_for("pull_request", "opened").payload["number"] == pr.number
    assert pr.head.sha == head_sha
    assert pr.mergeable is None  # computed in the background, started by the next read
    assert repo.get_pull(pr.number).mergeable is None
    assert repo.get_pull(pr.number).mergeable is True

    gh.set_required_checks("acme/widgets", "main", ["tests"])
    assert repo.get_pull(pr.number).mergeable_state == "blocked"
    ci = gh.github("ci-bot").get_repo("acme/widgets")
    ci.create_check_run(name="tests", head_sha=head_sha, status="completed", conclusion="success")
    assert receiver.wait_for("check_run", "completed").payload["check_run"]["name"] == "tests"
    assert receiver.wait_for("check_suite", "completed").payload["check_suite"]["conclusion"] == (
        "success"
    )
    assert repo.get_pull(pr.number).mergeable_state == "clean"

    result = repo.get_pull(pr.number).merge(merge_method="squash", sha=head_sha)
    assert result.merged
    closed_pr = receiver.wait_for("pull_request", "closed")
    assert closed_pr.payload["pull_request"]["merged"] is True

    closed_issue = receiver.wait_for("issues", "closed")
    assert closed_issue.payload["issue"]["number"] == issue.number
    assert repo.get_issue(issue.number).state == "closed"
    assert repo.get_issue(issue.number).state_reason == "completed"

    git(work, "fetch", "-q", "origin", "main")
    assert git(work, "show", "origin/main:gadget.py") == "class Gadget:\n    pass"
    assert git(work, "log", "-1", "--format=%s", "origin/main") == f"Add Gadget (#{pr.number})"
    assert git(work, "rev-parse", "origin/main") == result.sha

    assert receiver.received, "the receiver got the story's webhooks"
    assert all(hook.signature_ok for hook in receiver.received)
    assert all(
        hook.headers["User-Agent"].startswith("GitHub-Hookshot/") for hook in receiver.received
    )
    assert len({hook.delivery_id for hook in receiver.received}) == len(receiver.received)
