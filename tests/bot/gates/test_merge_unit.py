"""The executor's edge cases with a recording fake of our GitHubRepo Protocol (no PyGithub)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import SimpleNamespace
from typing import Any

import pytest

import bot.gates.merge as merge
from bot.config import RepoConfig, RiskPolicy
from bot.errors import GitHubError
from bot.gates.diff import PullDiff
from bot.gates.risk import ChangedFile
from bot.github import MemoryAuditSink
from bot.github.models import CheckRun, CombinedStatus, Comment, Issue, PullRequest
from bot.locks import Lease

BOT = "issuebot[bot]"
HEAD, NEWER = "a" * 40, "c" * 40
SPEC_OLD = '{"version": 1, "entities": []}'
SPEC_NEW = (
    '{"version": 1, "entities": [{"name": "Thing", "fields": '
    '[{"name": "label", "type": "string", "max_length": 20}]}]}'
)
CONFIG = RepoConfig(risk=RiskPolicy(required_checks=("tests",)))


def pull(**changes: Any) -> PullRequest:
    base = PullRequest(
        number=5, title="feat: add Thing entity", body="Closes #1", state="open", merged=False,
        mergeable=True, head_ref="feat/issue-1-thing", head_sha=HEAD, base_ref="main",
        html_url="https://x/pull/5", labels=("entity-request", "bot-generated"), author=BOT,
    )  # fmt: skip
    return replace(base, **changes)


@dataclass
class FakeRepo:
    """Answers from scripted pulls; records every write."""

    pulls: list[PullRequest]
    merge_error: GitHubError | None = None
    writes: list[tuple[str, Any]] = field(default_factory=list)
    full_name: str = "acme/widgets"

    def get_pull(self, number: int) -> PullRequest:
        return self.pulls.pop(0) if len(self.pulls) > 1 else self.pulls[0]

    def get_issue(self, number: int) -> Issue:
        return Issue(1, "req", "", "open", ("entity-request",), "maintainer", "https://x/1")

    def list_check_runs(self, ref: str) -> tuple[CheckRun, ...]:
        return (CheckRun(1, "tests", ref, "completed", "success", app_slug="github-actions"),)

    def permission(self, login: str) -> str:
        return "write"

    def combined_status(self, ref: str) -> CombinedStatus:
        return CombinedStatus("success", ref)

    def required_checks(self, branch: str) -> tuple[str, ...]:
        return ()

    def list_comments(self, number: int) -> tuple[Comment, ...]:
        return ()

    def read_file(self, path: str, ref: str | None = None) -> str | None:
        return {"base": SPEC_OLD, HEAD: SPEC_NEW, NEWER: SPEC_NEW}.get(ref or "")

    def merge_pull(self, number: int, **kwargs: Any) -> str:
        self.writes.append(("merge", kwargs))
        if self.merge_error:
            raise self.merge_error
        return "m" * 40

    def find_comment(self, number: int, marker: str) -> Comment | None:
        return None

    def __getattr__(self, name: str) -> Any:  # every other write is recorded, not performed
        return lambda *args, **kwargs: self.writes.append((name, (args, kwargs)))


@dataclass
class Step:
    name: str
    outcome: str
    output: dict[str, Any]


@dataclass
class PushedRuns:
    """The run store as the gate reads it: one run that pushed ``sha`` to the PR's branch."""

    sha: str = HEAD

    def list_runs(self, **filters: Any) -> list[Any]:
        return [SimpleNamespace(id="run-1")] if filters.get("issue") == 1 else []

    def steps(self, run_id: str) -> list[Step]:
        return [Step("push", "ok", {"branch": "feat/issue-1-thing", "sha": self.sha})]


class OneLease:
    def __init__(self) -> None:
        self.held = False

    def acquire(self, key: str, ttl_seconds: float, *, owner: str) -> Lease | None:
        outer = self
        if self.held:
            return None
        self.held = True

        class _Lease:
            key, owner, token = "k", "o", 1

            def extend(self, ttl_seconds: float | None = None) -> None: ...

            def release(self) -> None:
                outer.held = False

        return _Lease()


def read_diff(repo: Any, pr: PullRequest) -> PullDiff:
    files = (
        ChangedFile("specs/entities.json", "modified", 3, 1),
        ChangedFile("app/models/thing.py", "added", 9),
    )
    return PullDiff(pr.head_sha, "base", "base", files)


def run(repo: FakeRepo) -> Any:
    return merge.evaluate_pull(
        repo, 5, CONFIG, audit=MemoryAuditSink(), locks=OneLease(), bot_login=BOT,  # type: ignore[arg-type]
        read_diff=read_diff, runs=PushedRuns(),
    )  # fmt: skip


def test_a_clean_pr_is_merged_with_the_head_sha_as_precondition() -> None:
    repo = FakeRepo([pull()])
    assert run(repo).outcome == "low-risk"
    merges = [w for w in repo.writes if w[0] == "merge"]
    assert merges and merges[0][1]["sha"] == HEAD and merges[0][1]["method"] == "squash"
    assert merges[0][1]["approval"].subject == "5"


def test_a_push_between_deciding_and_merging_means_no_merge() -> None:
    repo = FakeRepo([pull(), pull(), pull(head_sha=NEWER)])
    decision = run(repo)
    assert decision.outcome == "wait"
    assert "head moved" in decision.rule("checks-green").reason
    assert not [w for w in repo.writes if w[0] == "merge"]


def test_github_refusing_the_merge_turns_into_wait_not_a_crash() -> None:
    refused = GitHubError("Head branch was modified", status=409)
    decision = run(FakeRepo([pull()], merge_error=refused))
    assert decision.outcome == "wait"
    assert "refused" in decision.rule("checks-green").reason


def test_other_merge_failures_are_raised() -> None:
    with pytest.raises(GitHubError):
        run(FakeRepo([pull()], merge_error=GitHubError("forbidden", status=403)))


def test_mergeability_still_being_computed_is_asked_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(merge, "MERGEABLE_RETRY_DELAYS", (0.0, 0.0))
    repo = FakeRepo([pull(), pull(mergeable=None), pull(mergeable=True)])
    assert run(repo).outcome == "low-risk"


def test_a_pr_by_someone_else_is_judged_but_never_touched() -> None:
    repo = FakeRepo([pull(author="mallory")])
    decision = run(repo)
    assert decision.outcome == "needs-review"
    assert repo.writes == []
