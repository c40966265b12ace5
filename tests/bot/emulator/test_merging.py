"""The three merge buttons as GitHub runs them: merge commit, squash, rebase (through PyGithub)."""

from __future__ import annotations

import pytest
from github import GithubException

from bot.emulator import gitrepo
from bot.emulator.testing import EmulatorHandle
from bot.gates.merge import _get_pull as read_pull_for_gate
from bot.github import ClientOptions, MemoryAuditSink, connect_repo
from bot.settings import Settings

REPO = "acme/widgets"


def _two_commit_branch(emulator: EmulatorHandle, name: str) -> list[str]:
    """A branch off main with two commits by a developer: their shas, oldest first."""
    git_dir = emulator.git_dir(REPO)
    main = gitrepo.resolve(git_dir, "refs/heads/main")
    assert main is not None
    paths = gitrepo.git(git_dir, "ls-tree", "-r", "--name-only", main).splitlines()
    files = {path: gitrepo.read_blob(git_dir, main, path) or b"" for path in paths}
    first = gitrepo.commit_files(git_dir, name, files | {"a.py": b"a = 1\n"}, "Add a", main)
    files |= {"a.py": b"a = 1\n", "b.py": b"b = 2\n"}
    second = gitrepo.commit_files(git_dir, name, files, "Add b", first)
    return [first, second]


def _move_main(emulator: EmulatorHandle) -> str:
    """Someone else lands a commit on main (so a rebase has something to replay onto)."""
    git_dir = emulator.git_dir(REPO)
    main = gitrepo.resolve(git_dir, "refs/heads/main")
    assert main is not None
    paths = gitrepo.git(git_dir, "ls-tree", "-r", "--name-only", main).splitlines()
    files = {path: gitrepo.read_blob(git_dir, main, path) or b"" for path in paths}
    return gitrepo.commit_files(git_dir, "main", files | {"c.py": b"c = 3\n"}, "Add c", main)


def test_repositories_offer_all_three_merge_buttons(emulator: EmulatorHandle) -> None:
    repo = emulator.github("maintainer").get_repo(REPO)
    assert (repo.allow_merge_commit, repo.allow_squash_merge, repo.allow_rebase_merge) == (
        True,
        True,
        True,
    )


def test_rebase_replays_each_commit_with_new_shas_and_no_merge_commit(
    emulator: EmulatorHandle,
) -> None:
    originals = _two_commit_branch(emulator, "topic/rebase")
    other = _move_main(emulator)
    repo = emulator.github("maintainer").get_repo(REPO)
    pr = repo.create_pull(base="main", head="topic/rebase", title="Rebase me")
    status = pr.merge(merge_method="rebase")
    assert status.merged
    tip = repo.get_commit(status.sha)
    assert repo.get_branch("main").commit.sha == status.sha
    assert tip.commit.message == "Add b"
    assert len(tip.parents) == 1  # no merge commit
    first = repo.get_commit(tip.parents[0].sha)
    assert first.commit.message == "Add a"
    assert first.parents[0].sha == other  # replayed on top of the moved base
    assert {tip.sha, first.sha}.isdisjoint(originals)  # new commits, new shas
    original = repo.get_commit(originals[1])
    assert tip.commit.author.email == original.commit.author.email
    assert tip.commit.committer.name == "GitHub"
    git_dir = emulator.git_dir(REPO)
    assert gitrepo.read_blob(git_dir, status.sha, "c.py") == b"c = 3\n"
    assert gitrepo.read_blob(git_dir, status.sha, "b.py") == b"b = 2\n"
    merged = repo.get_pull(pr.number)
    assert merged.merged and merged.merge_commit_sha == status.sha


def test_squash_makes_one_single_parent_commit_with_the_whole_change(
    emulator: EmulatorHandle,
) -> None:
    _two_commit_branch(emulator, "topic/squash")
    base = _move_main(emulator)
    repo = emulator.github("maintainer").get_repo(REPO)
    pr = repo.create_pull(base="main", head="topic/squash", title="Squash me")
    status = pr.merge(merge_method="squash")
    squashed = repo.get_commit(status.sha)
    assert [p.sha for p in squashed.parents] == [base]
    assert squashed.commit.message.startswith(f"Squash me (#{pr.number})")
    changed = gitrepo.changed_files(emulator.git_dir(REPO), base, status.sha)
    assert changed == [("A", "a.py"), ("A", "b.py")]


def test_a_disallowed_merge_method_is_refused_with_githubs_message(
    emulator: EmulatorHandle,
) -> None:
    emulator.set_merge_methods(REPO, rebase=False)
    _two_commit_branch(emulator, "topic/no-rebase")
    repo = emulator.github("maintainer").get_repo(REPO)
    assert repo.allow_rebase_merge is False
    pr = repo.create_pull(base="main", head="topic/no-rebase", title="No rebase")
    with pytest.raises(GithubException) as caught:
        pr.merge(merge_method="rebase")
    assert caught.value.status == 405
    assert caught.value.data["message"] == "Rebase merges are not allowed on this repository."
    assert pr.merge(merge_method="squash").merged


def test_a_rebase_whose_commits_conflict_with_the_base_is_refused(
    emulator: EmulatorHandle,
) -> None:
    git_dir = emulator.git_dir(REPO)
    main = gitrepo.resolve(git_dir, "refs/heads/main")
    assert main is not None
    readme = {"README.md": b"from the branch\n"}
    gitrepo.commit_files(git_dir, "topic/clash", readme, "Branch readme", main)
    gitrepo.commit_files(git_dir, "main", {"README.md": b"from main\n"}, "Main readme", main)
    repo = emulator.github("maintainer").get_repo(REPO)
    pr = repo.create_pull(base="main", head="topic/clash", title="Clash")
    with pytest.raises(GithubException) as caught:
        pr.merge(merge_method="rebase")
    assert caught.value.status == 405
    assert repo.get_branch("main").commit.sha != pr.head.sha


def _mergeable(emulator: EmulatorHandle, number: int) -> tuple[bool | None, str]:
    pull = emulator.github("maintainer").get_repo(REPO).get_pull(number)
    return pull.mergeable, pull.mergeable_state


def test_mergeable_is_null_on_the_first_read_after_a_push_to_head_or_base(
    emulator: EmulatorHandle,
) -> None:
    """GitHub computes mergeability in a job the first read starts: clients must re-read."""
    head = _two_commit_branch(emulator, "topic/async")[-1]
    repo = emulator.github("maintainer").get_repo(REPO)
    pr = repo.create_pull(base="main", head="topic/async", title="Async")
    created: tuple[bool | None, str] = (pr.mergeable, pr.mergeable_state)
    assert created == (None, "unknown")  # PyGithub types it bool; GitHub sends null
    assert _mergeable(emulator, pr.number) == (None, "unknown")
    assert _mergeable(emulator, pr.number) == (True, "clean")
    assert _mergeable(emulator, pr.number) == (True, "clean")  # stays computed

    git_dir = emulator.git_dir(REPO)
    files = {"a.py": b"a = 1\n", "b.py": b"b = 3\n", "README.md": b"# widgets\n"}
    gitrepo.commit_files(git_dir, "topic/async", files, "Push to head", head)
    assert _mergeable(emulator, pr.number) == (None, "unknown")
    assert _mergeable(emulator, pr.number) == (True, "clean")

    _move_main(emulator)  # a push to the base invalidates it too
    assert _mergeable(emulator, pr.number) == (None, "unknown")
    assert _mergeable(emulator, pr.number) == (True, "clean")


def test_the_gate_re_reads_a_pull_whose_mergeability_is_still_being_computed(
    emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The merge gate's read of a just-pushed PR waits for GitHub's answer instead of null."""
    for name in ("GITHUB_APP_ID", "GITHUB_APP_PRIVATE_KEY", "GITHUB_APP_INSTALLATION_ID"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(
        github_api_url=emulator.api_url, github_token=emulator.token("issuebot[bot]")
    )
    repo = connect_repo(settings, REPO, MemoryAuditSink(), ClientOptions.fast())
    _two_commit_branch(emulator, "topic/gate")
    number = (
        emulator.github("maintainer")
        .get_repo(REPO)
        .create_pull(base="main", head="topic/gate", title="Gate")
        .number
    )
    before = len(emulator.requests())

    pull = read_pull_for_gate(repo, number)

    assert pull.mergeable is True
    reads = [r for r in emulator.requests()[before:] if r.path.endswith(f"/pulls/{number}")]
    assert len(reads) == 2  # null first, then the computed value
    repo.github.close()
