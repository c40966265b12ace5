"""Every GitHub operation is classified, and destructive ones never run without an approval."""

from __future__ import annotations

import inspect

import pytest
from github import Auth, Github

from bot.errors import GitHubUnavailableError, PolicyDeniedError
from bot.github import (
    OPERATIONS,
    Approval,
    GitHubRepo,
    MemoryAuditSink,
    OpClass,
    PyGithubRepo,
    classification,
)
from bot.github.retry import RetryPolicy

# Nothing listens here: any request that slipped through would fail as "unavailable",
# never as a policy denial, so these tests prove no request was attempted.
UNREACHABLE = "http://127.0.0.1:9"


def protocol_methods() -> set[str]:
    return {
        name
        for name, value in vars(GitHubRepo).items()
        if not name.startswith("_") and callable(value) and name != "full_name"
    }


@pytest.fixture
def offline_repo() -> tuple[PyGithubRepo, MemoryAuditSink]:
    gh = Github(
        auth=Auth.Token("t"),
        base_url=UNREACHABLE,
        retry=RetryPolicy(total=0).build(),
        seconds_between_requests=None,
        seconds_between_writes=None,
    )
    audit = MemoryAuditSink()
    return PyGithubRepo(gh, "acme/widgets", audit=audit, bot_login="issuebot[bot]"), audit


def test_every_protocol_method_is_a_classified_operation() -> None:
    assert protocol_methods() == set(OPERATIONS)
    for name in protocol_methods():
        assert classification(getattr(PyGithubRepo, name)) is OPERATIONS[name]


def test_merge_branch_deletion_and_closing_issues_are_the_destructive_ones() -> None:
    destructive = {n for n, kind in OPERATIONS.items() if kind is OpClass.DESTRUCTIVE}
    assert destructive == {"merge_pull", "delete_branch", "close_issue"}


def test_destructive_operations_demand_an_approval_keyword() -> None:
    for name, kind in OPERATIONS.items():
        params = inspect.signature(getattr(GitHubRepo, name)).parameters
        takes_approval = "approval" in params
        assert takes_approval == (kind is OpClass.DESTRUCTIVE), name
        if takes_approval:
            assert params["approval"].kind is inspect.Parameter.KEYWORD_ONLY


def test_reads_never_change_anything_by_name() -> None:
    reads = {n for n, kind in OPERATIONS.items() if kind is OpClass.READ}
    for name in reads:
        assert not name.startswith(("create", "ensure", "update", "add", "remove", "upsert"))


def test_merge_without_approval_is_refused_before_any_request(
    offline_repo: tuple[PyGithubRepo, MemoryAuditSink],
) -> None:
    repo, audit = offline_repo
    with pytest.raises(PolicyDeniedError, match="merge_pull on acme/widgets"):
        repo.merge_pull(7, sha="abc", method="squash", approval=None)  # type: ignore[arg-type]
    assert [(e["operation"], e["outcome"], e["approval"]) for e in audit.events] == [
        ("merge_pull", "denied", None)
    ]


def test_an_approval_covers_one_operation_on_one_subject(
    offline_repo: tuple[PyGithubRepo, MemoryAuditSink],
) -> None:
    repo, audit = offline_repo
    merge_7 = Approval.merge("acme/widgets", 7, actor="gate:auto-merge", reason="low risk")
    with pytest.raises(PolicyDeniedError, match="does not cover"):
        repo.merge_pull(8, sha="abc", method="squash", approval=merge_7)
    with pytest.raises(PolicyDeniedError, match="does not cover"):
        repo.close_issue(7, approval=merge_7)
    other_repo = Approval.delete_branch("acme/other", "feat", actor="maintainer", reason="done")
    with pytest.raises(PolicyDeniedError):
        repo.delete_branch("feat", approval=other_repo)
    assert [e["outcome"] for e in audit.events] == ["denied", "denied", "denied"]
    assert audit.events[0]["approval"] == merge_7.as_dict()


def test_closing_through_edit_issue_is_refused(
    offline_repo: tuple[PyGithubRepo, MemoryAuditSink],
) -> None:
    repo, _ = offline_repo
    with pytest.raises(PolicyDeniedError, match="closing is destructive") as caught:
        repo.edit_issue(3, state="closed")  # type: ignore[arg-type]
    assert "close_issue" in caught.value.one_line()


def test_approval_matching_ignores_repo_case_but_not_subject() -> None:
    approval = Approval.close_issue("Acme/Widgets", 4, actor="maintainer", reason="dup")
    assert approval.covers("close_issue", "acme/widgets", "4")
    assert not approval.covers("close_issue", "acme/widgets", "40")
    assert not approval.covers("merge_pull", "acme/widgets", "4")


def test_an_unreachable_github_is_a_retryable_error(
    offline_repo: tuple[PyGithubRepo, MemoryAuditSink],
) -> None:
    repo, _ = offline_repo
    with pytest.raises(GitHubUnavailableError, match="could not reach GitHub"):
        repo.get_issue(1)
