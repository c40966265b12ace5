"""Writes that are safe to repeat: a re-run converges instead of piling up duplicates."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bot.emulator.testing import EmulatorHandle
from bot.github import ClientOptions, MemoryAuditSink, PyGithubRepo, connect_repo, marker_tag
from bot.settings import Settings
from tests.bot.github.conftest import BOT, REPO, push_branch


def test_upsert_comment_creates_once_then_edits_in_place(
    emulator: EmulatorHandle, bot: PyGithubRepo
) -> None:
    issue = bot.create_issue("Add Widget entity", "please", ["enhancement"])
    first = bot.upsert_comment(issue.number, "run-summary", "Run started")
    second = bot.upsert_comment(issue.number, "run-summary", "Tests passed")
    third = bot.upsert_comment(issue.number, "run-summary", "Tests passed")

    comments = emulator.github("maintainer").get_repo(REPO).get_issue(issue.number).get_comments()
    bodies = [(c.user.login, c.body) for c in comments]
    assert bodies == [(BOT, f"{marker_tag('run-summary')}\nTests passed")]
    assert first.id == second.id == third.id
    assert bot.find_comment(issue.number, "run-summary") == third


def test_a_stranger_copying_the_marker_does_not_capture_the_bot_comment(
    emulator: EmulatorHandle, bot: PyGithubRepo
) -> None:
    issue = bot.create_issue("Add Gadget entity", "please")
    stranger_issue = emulator.github("stranger").get_repo(REPO).get_issue(issue.number)
    stranger_issue.create_comment(f"{marker_tag('preview')}\nI am the bot now")

    mine = bot.upsert_comment(issue.number, "preview", "3 files would change")

    listed = bot.list_comments(issue.number)
    assert [c.author for c in listed] == ["stranger", BOT]
    assert listed[0].body.endswith("I am the bot now")
    assert mine.author == BOT


def test_ensure_label_is_idempotent_and_corrects_drift(
    emulator: EmulatorHandle, bot: PyGithubRepo
) -> None:
    made = bot.ensure_label("needs-review", "#FBCA04", "Waiting for a maintainer")
    again = bot.ensure_label("needs-review", "fbca04", "Waiting for a maintainer")
    fixed = bot.ensure_label("needs-review", "0e8a16", "Reviewed")

    labels = emulator.github("maintainer").get_repo(REPO).get_labels()
    named = [(x.name, x.color, x.description) for x in labels if x.name == "needs-review"]
    assert made == again
    assert (fixed.color, fixed.description) == ("0e8a16", "Reviewed")
    assert named == [("needs-review", "0e8a16", "Reviewed")]


def test_ensure_pull_request_twice_gives_the_same_pull_request(
    emulator: EmulatorHandle, bot: PyGithubRepo, tmp_path: Path
) -> None:
    push_branch(bot.clone_url(), tmp_path, "issuebot/issue-7", {"widget.py": "x = 1\n"})
    first = bot.ensure_pull_request(
        head="issuebot/issue-7", base="main", title="Widget", body="Closes #7", labels=["bot"]
    )
    second = bot.ensure_pull_request(
        head="issuebot/issue-7", base="main", title="Widget v2", body="Closes #7", labels=["bot"]
    )

    open_pulls = list(emulator.github("maintainer").get_repo(REPO).get_pulls(state="open"))
    assert [p.number for p in open_pulls] == [first.number]
    assert second.number == first.number
    assert (second.title, second.labels) == ("Widget v2", ("bot",))
    assert open_pulls[0].title == "Widget v2"


def test_ensure_pull_request_returns_the_existing_one_on_already_exists(
    emulator: EmulatorHandle, bot: PyGithubRepo, tmp_path: Path
) -> None:
    sha = push_branch(bot.clone_url(), tmp_path, "issuebot/issue-8", {"gadget.py": "y = 2\n"})
    # The create goes through, but the answer is GitHub's 422 "already exists", as when a
    # retried POST races its own first attempt.
    emulator.inject_fault("POST", r"/pulls$", "already_exists")

    pr = bot.ensure_pull_request(
        head="issuebot/issue-8", base="main", title="Gadget", body="Closes #8"
    )

    open_pulls = list(emulator.github("maintainer").get_repo(REPO).get_pulls(state="open"))
    assert [p.number for p in open_pulls] == [pr.number]
    assert (pr.head_sha, pr.head_ref, pr.state) == (sha, "issuebot/issue-8", "open")
    assert emulator.emulator.faults.pending() == []


def test_ensure_branch_creates_once(emulator: EmulatorHandle, bot: PyGithubRepo) -> None:
    main = bot.branch_sha("main")
    assert main is not None
    assert bot.branch_sha("issuebot/spare") is None
    assert bot.ensure_branch("issuebot/spare", sha=main) == main
    assert bot.ensure_branch("issuebot/spare", sha=main) == main
    branches = emulator.github("maintainer").get_repo(REPO).get_branches()
    assert sorted(b.name for b in branches) == ["issuebot/spare", "main"]


def test_two_workers_racing_to_open_the_same_pull_request_get_one(
    emulator: EmulatorHandle,
    bot_settings: Settings,
    bot: PyGithubRepo,
    tmp_path: Path,
) -> None:
    push_branch(bot.clone_url(), tmp_path, "issuebot/issue-9", {"race.py": "r = 1\n"})
    workers = [
        connect_repo(bot_settings, REPO, MemoryAuditSink(), ClientOptions.fast()) for _ in "ab"
    ]
    # Both look-ups are held back, so (unless the machine stalls a worker for a second) both
    # see "no PR yet", both create, and the loser meets GitHub's real 422 "already exists".
    emulator.inject_fault("GET", r"/pulls$", "slow", count=2, delay=1.0)

    def open_it(worker: PyGithubRepo) -> int:
        return worker.ensure_pull_request(
            head="issuebot/issue-9", base="main", title="Race", body="Closes #9"
        ).number

    with ThreadPoolExecutor(max_workers=2) as pool:
        numbers = list(pool.map(open_it, workers))

    open_pulls = list(emulator.github("maintainer").get_repo(REPO).get_pulls(state="open"))
    assert [p.number for p in open_pulls] == [numbers[0]]
    assert numbers[0] == numbers[1]
