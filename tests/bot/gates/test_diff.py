"""The gate reads a PR's files from real git the way GitHub shows them (merge base to head)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot.errors import RetryableError
from bot.gates.diff import read_pull_diff
from bot.gates.gather import closing_issue, hold_by_comment
from bot.github.models import Comment


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    repo = tmp_path / "origin"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "specs").mkdir()
    (repo / "specs/entities.json").write_text('{"version": 1, "entities": []}\n')
    (repo / "app").mkdir()
    (repo / "app/old.py").write_text("x = 1\n" * 10)
    (repo / "README.md").write_text("hello\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "feat/issue-1-thing")
    (repo / "app/models").mkdir()
    (repo / "app/models/thing.py").write_text("a = 1\nb = 2\n")
    (repo / "specs/entities.json").write_text('{"version": 1, "entities": [1]}\n')
    git(repo, "mv", "app/old.py", "app/renamed.py")
    git(repo, "rm", "-q", "README.md")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "feature")
    return repo


def test_files_statuses_and_line_counts_match_the_branch(origin: Path) -> None:
    head = git(origin, "rev-parse", "HEAD")
    diff = read_pull_diff(str(origin), "main", "feat/issue-1-thing", head)
    by_path = {f.path: f for f in diff.files}
    assert by_path["app/models/thing.py"].status == "added"
    assert (by_path["app/models/thing.py"].additions, by_path["app/models/thing.py"].deletions) == (
        2,
        0,
    )
    assert by_path["specs/entities.json"].status == "modified"
    assert by_path["app/renamed.py"].status == "renamed"
    assert by_path["app/renamed.py"].previous_path == "app/old.py"
    assert by_path["README.md"].status == "removed"
    assert diff.up_to_date


def test_a_moved_base_makes_the_branch_behind_but_keeps_the_diff_to_the_merge_base(
    origin: Path,
) -> None:
    head = git(origin, "rev-parse", "HEAD")
    git(origin, "checkout", "-q", "main")
    (origin / "other.txt").write_text("base moved\n")
    git(origin, "add", ".")
    git(origin, "commit", "-q", "-m", "base moves on")
    diff = read_pull_diff(str(origin), "main", "feat/issue-1-thing", head)
    assert not diff.up_to_date
    assert "other.txt" not in {f.path for f in diff.files}


def test_a_head_that_moved_since_the_pr_was_read_is_a_retryable_error(origin: Path) -> None:
    with pytest.raises(RetryableError, match="moved"):
        read_pull_diff(str(origin), "main", "feat/issue-1-thing", "0" * 40)


def test_the_closing_issue_is_read_from_githubs_keywords() -> None:
    assert closing_issue("Adds the entity.\n\nCloses #12\n") == 12
    assert closing_issue("fixes #3 and resolves #4") == 3
    assert closing_issue("mentions #5 only") is None


def comment(author: str, body: str) -> Comment:
    return Comment(1, body, author, "https://example/c")


def test_the_last_hold_or_unhold_line_decides() -> None:
    held = (comment("maintainer", "looks odd\n/hold"),)
    assert hold_by_comment(held, "issuebot[bot]") == "maintainer"
    lifted = (*held, comment("maintainer", "/unhold"))
    assert hold_by_comment(lifted, "issuebot[bot]") is None
    assert hold_by_comment((*held, comment("m", "/hold cancel")), "issuebot[bot]") is None


def test_holds_must_start_a_line_and_the_bots_own_words_do_not_count() -> None:
    quoted = (comment("someone", "please do not /hold this"),)
    assert hold_by_comment(quoted, "issuebot[bot]") is None
    assert hold_by_comment((comment("issuebot[bot]", "/hold"),), "issuebot[bot]") is None
