"""What the merge gate needs of a PR: its changed files, reviewers asked, bot branch names."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.emulator.testing import EmulatorHandle
from bot.errors import GitHubError
from bot.github import PullFile, PyGithubRepo
from tests.bot.github.conftest import REPO, Arrivals, push_branch


def _bot_pull(bot: PyGithubRepo, tmp_path: Path, branch: str, files: dict[str, str]) -> int:
    push_branch(bot.clone_url(), tmp_path, branch, files)
    return bot.ensure_pull_request(head=branch, base="main", title="t", body="b").number


def test_list_pull_files_reports_each_change_across_pages(
    bot: PyGithubRepo, tmp_path: Path, arrivals: Arrivals
) -> None:
    files = {f"gen/model_{i:03}.py": f"x = {i}\n" for i in range(120)}
    files["README.md"] = "# widgets\n\nRewritten.\nTwice.\n"
    number = _bot_pull(bot, tmp_path, "feat/issue-7-many", files)

    listed = bot.list_pull_files(number)

    by_name = {f.filename: f for f in listed}
    assert len(listed) == 121
    assert by_name["gen/model_000.py"] == PullFile("gen/model_000.py", "added", 1, 0)
    assert by_name["README.md"] == PullFile("README.md", "modified", 2, 1)
    assert len(arrivals.to("GET", f"/pulls/{number}/files")) == 2  # 100 per page, then 21


def test_reviewers_and_teams_are_asked_and_outsiders_refused(
    emulator: EmulatorHandle, bot: PyGithubRepo, tmp_path: Path
) -> None:
    emulator.add_team(REPO, "core-devs")
    number = _bot_pull(bot, tmp_path, "feat/issue-8-review", {"a.py": "a = 1\n"})

    bot.request_reviewers(number, ["writer", "issuebot[bot]"])  # the author is skipped
    bot.request_team_reviewers(number, ["core-devs"])
    with pytest.raises(GitHubError) as outsider:
        bot.request_reviewers(number, ["stranger"])

    pr = emulator.github("maintainer").get_repo(REPO).get_pull(number)
    users, teams = pr.get_review_requests()
    assert [u.login for u in users] == ["writer"]
    assert [t.slug for t in teams] == ["core-devs"]
    assert outsider.value.status == 422
    assert "collaborators" in outsider.value.message


def test_branch_sha_follows_branch_names_with_slashes(bot: PyGithubRepo, tmp_path: Path) -> None:
    sha = push_branch(bot.clone_url(), tmp_path, "feat/issue-1-x", {"x.py": "x = 1\n"})

    assert bot.branch_sha("feat/issue-1-x") == sha
    assert bot.branch_sha("feat/issue-1") is None
    assert bot.required_checks("feat/issue-1-x") == ()
