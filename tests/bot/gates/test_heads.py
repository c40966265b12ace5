"""Only the bot's own pushed commit merges on its own; only trusted CI sources count."""

from __future__ import annotations

from dataclasses import replace

from bot.config import Paths, RepoConfig, RiskPolicy
from bot.gates.diff import parse_log
from bot.gates.heads import Commit, foreign_commits, is_bot_pull
from bot.gates.holds import hold_by_comment
from bot.gates.produced import ungenerated
from bot.gates.risk import ChangedFile, CheckResult, decide
from bot.github.models import Comment
from generators.spec import Entity, SpecFile, dump_spec
from tests.bot.gates.botpr import SOURCE
from tests.bot.gates.test_merge_unit import pull
from tests.bot.gates.test_risk import CLEAN, HEAD, POLICY

BOTS = "c" * 40


def test_a_head_other_than_the_pushed_commit_needs_a_human_and_names_the_commits() -> None:
    foreign = ("d00d123 by issuebot[bot] <bot@x>",)
    decision = decide(replace(CLEAN, pushed_sha=BOTS, foreign_commits=foreign), POLICY)
    assert decision.outcome == "needs-review"
    assert [r.rule for r in decision.failed] == ["bot-head"]
    assert "d00d123 by issuebot[bot] <bot@x>" in decision.rule("bot-head").reason


def test_no_record_of_a_push_and_a_fork_head_are_not_the_bots() -> None:
    unknown = decide(replace(CLEAN, pushed_sha=None), POLICY)
    assert unknown.rule("bot-head").status == "fail"
    fork = replace(CLEAN, head_repo="mallory/widgets", base_repo="acme/widgets")
    assert "mallory/widgets" in decide(fork, POLICY).rule("bot-head").reason


def test_foreign_commits_are_those_not_reachable_from_the_pushed_sha() -> None:
    log = (
        "b1\x1fbase\x1fissuebot[bot] <bot@x>\x1e\n"
        "w1\x1fb1\x1fWren <wren@x>\x1e\n"
        "w2\x1fw1\x1fissuebot[bot] <bot@x>\x1e\n"
    )
    commits = parse_log(log)
    assert commits[1] == Commit("w1", ("b1",), "Wren <wren@x>")
    assert [c.sha for c in foreign_commits(commits, "b1")] == ["w1", "w2"]
    assert foreign_commits(commits, "w2") == ()
    assert [c.sha for c in foreign_commits(commits, "gone")] == ["b1", "w1", "w2"]


def test_a_fork_or_a_human_pr_on_a_bot_named_branch_is_not_the_bots() -> None:
    assert is_bot_pull(pull(head_repo="acme/widgets"), "acme/widgets", "issuebot[bot]")
    assert not is_bot_pull(pull(head_repo="mallory/widgets"), "acme/widgets", "issuebot[bot]")
    assert not is_bot_pull(pull(author="writer"), "acme/widgets", "issuebot[bot]")


def check(name: str, conclusion: str, **source: str) -> CheckResult:
    return CheckResult(name, HEAD, "completed", conclusion, **source)  # type: ignore[arg-type]


def test_a_same_named_status_never_overrides_a_failing_check_run() -> None:
    red = check("tests", "failure", origin="github-actions")
    forged = check("tests", "success", source="status", origin="writer")
    policy = POLICY.model_copy(update={"status_creators": {"tests": "writer"}})
    decision = decide(replace(CLEAN, checks=(red, forged, *CLEAN.checks[1:])), policy)
    assert decision.outcome == "blocked"
    assert "tests (failure)" in decision.rule("checks-green").reason


def test_only_the_configured_app_or_status_creator_counts() -> None:
    other_app = check("tests", "success", origin="some-other-app")
    by_stranger = check("tests", "success", source="status", origin="writer")
    for forged in (other_app, by_stranger):
        decision = decide(replace(CLEAN, checks=(forged, *CLEAN.checks[1:])), POLICY)
        assert decision.outcome == "wait"
        assert "does not count" in decision.rule("checks-green").reason
    jenkins = RiskPolicy(required_checks=("tests", "ruff"), status_creators={"tests": "Jenkins"})
    trusted = check("tests", "success", source="status", origin="jenkins")
    assert (
        decide(replace(CLEAN, checks=(trusted, *CLEAN.checks[1:])), jenkins).outcome == "low-risk"
    )


def test_files_under_generated_paths_the_generator_did_not_write_are_named() -> None:
    spec = dump_spec(SpecFile.empty().upsert(Entity.model_validate(SOURCE)))
    config = RepoConfig(paths=Paths())
    paths = ["app/models/raw_data_source.py", "app/api/extra_route.py", "README.md"]
    assert ungenerated(paths, spec, config) == ("app/api/extra_route.py",)
    assert ungenerated(paths, "not json", config) == (
        "app/models/raw_data_source.py",
        "app/api/extra_route.py",
    )
    extra = ChangedFile("app/api/extra_route.py", "added", 5)
    decision = decide(
        replace(CLEAN, files=(*CLEAN.files, extra), ungenerated=("app/api/extra_route.py",)),
        POLICY,
    )
    assert decision.outcome == "needs-review"
    assert "the generator did not write it" in decision.rule("allowed-paths").reason


def test_a_hold_inside_a_code_block_or_quote_holds_nothing_like_every_command() -> None:
    def said(body: str) -> Comment:
        return Comment(1, body, "maintainer", "https://x/c/1")

    fenced = said("How to hold:\n```\n/hold\n```")
    assert hold_by_comment((fenced,), "issuebot[bot]") is None
    assert hold_by_comment((said("> /hold"),), "issuebot[bot]") is None
    assert hold_by_comment((said("/hold"), said("/hold cancel")), "issuebot[bot]") is None
    assert hold_by_comment((said("/unhold"), said("/hold")), "issuebot[bot]") == "maintainer"
