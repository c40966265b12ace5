"""The PyGithub calls the bot relies on work unmodified against the emulator."""

from __future__ import annotations

import pytest
from github import GithubException
from github.ContentFile import ContentFile

from bot.emulator import gitrepo
from bot.emulator.testing import EmulatorHandle


def _topic_branch(emulator: EmulatorHandle, name: str, files: dict[str, bytes]) -> str:
    git_dir = emulator.git_dir("acme/widgets")
    main = gitrepo.resolve(git_dir, "refs/heads/main")
    assert main is not None
    paths = gitrepo.git(git_dir, "ls-tree", "-r", "--name-only", main).splitlines()
    base = {path: gitrepo.read_blob(git_dir, main, path) or b"" for path in paths}
    return gitrepo.commit_files(git_dir, name, base | files, f"Work on {name}", main)


def test_labels_and_issue_filters(emulator: EmulatorHandle) -> None:
    repo = emulator.github("maintainer").get_repo("acme/widgets")
    approved = repo.create_label("approved", "0e8a16", "Ready to implement")
    assert repo.get_label("APPROVED").name == "approved"
    first = repo.create_issue("First", labels=["bug"])
    repo.create_issue("Second", labels=[approved])
    first.set_labels("approved", "bug")
    both = repo.get_issues(state="open", labels=[approved, repo.get_label("bug")])
    assert [i.number for i in both] == [first.number]
    first.edit(state="closed", state_reason="not_planned")
    assert [i.number for i in repo.get_issues(state="closed")] == [first.number]
    assert repo.get_issue(first.number).state_reason == "not_planned"


def test_comments_can_be_found_edited_and_deleted(emulator: EmulatorHandle) -> None:
    repo = emulator.github("issuebot[bot]").get_repo("acme/widgets")
    issue = repo.create_issue("Spec")
    marker = "<!-- issuebot:run-summary -->"
    issue.create_comment(f"{marker}\nRunning")
    issue.create_comment("unrelated")
    mine = next(c for c in issue.get_comments() if marker in c.body)
    mine.edit(f"{marker}\nDone")
    assert next(iter(repo.get_issue(issue.number).get_comments())).body.endswith("Done")
    mine.delete()
    assert repo.get_issue(issue.number).comments == 1
    reaction = issue.create_reaction("rocket")
    assert reaction.content == "rocket"


def test_refs_branches_and_contents(emulator: EmulatorHandle) -> None:
    repo = emulator.github("writer").get_repo("acme/widgets")
    main = repo.get_branch("main")
    listing = repo.get_contents("")
    assert isinstance(listing, list)
    assert sorted((c.path, c.type) for c in listing) == [("README.md", "file"), ("widgets", "dir")]
    readme = repo.get_contents("README.md")
    assert isinstance(readme, ContentFile)
    assert readme.decoded_content.startswith(b"# widgets")
    ref = repo.create_git_ref("refs/heads/bot/gadget", main.commit.sha)
    assert repo.get_git_ref("heads/bot/gadget").object.sha == main.commit.sha
    with pytest.raises(GithubException) as caught:
        repo.create_git_ref("refs/heads/bot/gadget", main.commit.sha)
    assert caught.value.status == 422
    ref.delete()
    with pytest.raises(GithubException):
        repo.get_branch("bot/gadget")


def test_pull_request_lifecycle(emulator: EmulatorHandle) -> None:
    sha = _topic_branch(emulator, "bot/one", {"one.py": b"x = 1\n"})
    repo = emulator.github("issuebot[bot]").get_repo("acme/widgets")
    pr = repo.create_pull(base="main", head="bot/one", title="One", body="Resolves #7")
    assert [p.number for p in repo.get_pulls(state="open", head="acme:bot/one")] == [pr.number]
    assert list(repo.get_pulls(head="acme:bot/other")) == []
    pr.edit(title="One, improved")
    assert repo.get_pull(pr.number).title == "One, improved"
    assert pr.head.sha == sha and pr.base.ref == "main"
    assert (pr.additions, pr.changed_files) == (1, 1)
    assert [(f.filename, f.status, f.additions) for f in pr.get_files()] == [("one.py", "added", 1)]
    assert [c.sha for c in pr.get_commits()] == [sha]
    comparison = repo.compare("main", "bot/one")
    assert (comparison.status, comparison.ahead_by, comparison.behind_by) == ("ahead", 1, 0)
    with pytest.raises(GithubException) as caught:
        repo.create_pull(base="main", head="bot/one", title="Again")
    assert caught.value.status == 422
    assert "A pull request already exists for acme:bot/one." in str(caught.value.data)
    pr.edit(state="closed")
    assert not repo.get_pull(pr.number).is_merged()


def test_merge_commit_has_both_parents(emulator: EmulatorHandle) -> None:
    head = _topic_branch(emulator, "bot/two", {"two.py": b"y = 2\n"})
    repo = emulator.github("maintainer").get_repo("acme/widgets")
    pr = repo.create_pull(base="main", head="bot/two", title="Two")
    status = pr.merge(merge_method="merge")
    assert status.merged
    commit = repo.get_commit(status.sha)
    assert commit.parents[1].sha == head
    assert repo.get_pull(pr.number).merged_by.login == "maintainer"
    assert repo.get_pull(pr.number).is_merged()


def test_conflicting_pr_is_not_mergeable(emulator: EmulatorHandle) -> None:
    _topic_branch(emulator, "bot/left", {"README.md": b"left\n"})
    repo = emulator.github("maintainer").get_repo("acme/widgets")
    git_dir = emulator.git_dir("acme/widgets")
    main = repo.get_branch("main").commit.sha
    gitrepo.commit_files(git_dir, "main", {"README.md": b"right\n"}, "right", main)
    pr = repo.create_pull(base="main", head="bot/left", title="Left")
    assert pr.mergeable is None  # GitHub computes it in the background, started by a read
    repo.get_pull(pr.number)
    pr = repo.get_pull(pr.number)
    assert pr.mergeable is False
    assert pr.mergeable_state == "dirty"
    with pytest.raises(GithubException) as caught:
        pr.merge()
    assert caught.value.status == 405


def test_stale_head_sha_refuses_the_merge(emulator: EmulatorHandle) -> None:
    first = _topic_branch(emulator, "bot/three", {"three.py": b"z = 3\n"})
    repo = emulator.github("maintainer").get_repo("acme/widgets")
    pr = repo.create_pull(base="main", head="bot/three", title="Three")
    git_dir = emulator.git_dir("acme/widgets")
    tree = {"README.md": b"# widgets\n", "three.py": b"z = 4\n"}
    gitrepo.commit_files(git_dir, "bot/three", tree, "moved", first)
    with pytest.raises(GithubException) as caught:
        pr.merge(sha=first)
    assert caught.value.status == 409


def test_checks_and_statuses_on_a_commit(emulator: EmulatorHandle) -> None:
    ci = emulator.github("ci-bot").get_repo("acme/widgets")
    sha = ci.get_branch("main").commit.sha
    run = ci.create_check_run(name="tests", head_sha=sha, status="in_progress")
    run.edit(status="completed", conclusion="failure", output={"title": "1 failed", "summary": "x"})
    ci.get_commit(sha).create_status("success", context="lint", description="clean")
    commit = emulator.github("reader").get_repo("acme/widgets").get_commit(sha)
    runs = list(commit.get_check_runs())
    assert [(r.name, r.conclusion) for r in runs] == [("tests", "failure")]
    combined = commit.get_combined_status()
    assert combined.state == "success"
    assert [s.context for s in combined.statuses] == ["lint"]


def test_required_checks_through_the_branch_protection_api(emulator: EmulatorHandle) -> None:
    repo = emulator.github("maintainer").get_repo("acme/widgets")
    branch = repo.get_branch("main")
    branch.edit_protection(contexts=["tests"], strict=False)
    assert repo.get_branch("main").protected
    assert repo.get_branch("main").get_required_status_checks().contexts == ["tests"]
    branch.remove_protection()
    assert not repo.get_branch("main").protected


def test_draft_prs_cannot_be_merged(emulator: EmulatorHandle) -> None:
    _topic_branch(emulator, "bot/draft", {"d.py": b"d = 1\n"})
    repo = emulator.github("maintainer").get_repo("acme/widgets")
    pr = repo.create_pull(base="main", head="bot/draft", title="Draft", draft=True)
    repo.get_pull(pr.number)  # starts GitHub's mergeability job
    assert repo.get_pull(pr.number).mergeable_state == "draft"
    with pytest.raises(GithubException) as caught:
        pr.merge()
    assert caught.value.status == 405


def test_deleting_the_head_branch_closes_the_pr(emulator: EmulatorHandle) -> None:
    _topic_branch(emulator, "bot/gone", {"g.py": b"g = 1\n"})
    repo = emulator.github("maintainer").get_repo("acme/widgets")
    pr = repo.create_pull(base="main", head="bot/gone", title="Gone")
    repo.get_git_ref("heads/bot/gone").delete()
    assert repo.get_pull(pr.number).state == "closed"
    assert not repo.get_pull(pr.number).merged


def test_closing_keywords_accept_the_full_repository_name(emulator: EmulatorHandle) -> None:
    repo = emulator.github("maintainer").get_repo("acme/widgets")
    ours, theirs = repo.create_issue("Ours"), repo.create_issue("Same number elsewhere")
    _topic_branch(emulator, "bot/fix", {"f.py": b"f = 1\n"})
    body = f"Fixes acme/widgets#{ours.number}\nresolved other/repo#{theirs.number}"
    repo.create_pull(base="main", head="bot/fix", title="Fix", body=body).merge()
    assert repo.get_issue(ours.number).state == "closed"
    assert repo.get_issue(theirs.number).state == "open"
