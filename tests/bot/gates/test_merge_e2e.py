"""End to end on the emulator: the gate merges clean bot PRs and holds everything else."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from bot.emulator.testing import EmulatorHandle
from bot.errors import LockConflictError
from bot.gates.merge import evaluate_pull, load_config
from bot.locks import SqlLockManager, repo_lock_key
from bot.store import RunStore
from tests.bot.gates.botpr import BOT, CHECKS, TargetRepo, evaluate, new_entity_files


def test_a_clean_new_entity_pr_with_green_checks_merges_and_closes_its_issue(
    target: TargetRepo, store: RunStore
) -> None:
    issue = target.open_request()
    pr, head = target.open_bot_pr(issue, new_entity_files())
    target.green(head, *CHECKS)

    decision = evaluate(target, store, pr)

    assert decision.outcome == "low-risk", decision.failed
    gh = target.upstream()
    assert gh.get_pull(pr).merged
    assert gh.get_issue(issue).state == "closed"
    notes = [c.body for c in gh.get_issue(issue).get_comments()]
    assert any(f"#{pr} was merged automatically" in body for body in notes)
    audit = [e for e in store.audit_entries(issue=issue) if e.kind == "merge-decision"]
    assert [e.data["outcome"] for e in audit] == ["low-risk"]
    assert audit[0].data["merged"] is True and audit[0].actor == BOT
    assert {r["rule"] for r in audit[0].data["rules"]} >= {"checks-green", "additive-spec"}


def test_one_red_check_blocks_the_merge_and_reports_the_failure(
    target: TargetRepo, store: RunStore
) -> None:
    issue = target.open_request()
    pr, head = target.open_bot_pr(issue, new_entity_files())
    target.green(head, "tests")
    target.gh.post_check(target.name, head, "ruff", "failure")

    decision = evaluate(target, store, pr)

    assert decision.outcome == "blocked"
    pull = target.upstream().get_pull(pr)
    assert not pull.merged
    assert "bot-failed" in {label.name for label in pull.labels}
    comments = [c.body for c in pull.as_issue().get_comments()]
    assert len(comments) == 1
    assert "Failing checks:" in comments[0] and "ruff" in comments[0] and "/retry" in comments[0]


def test_a_pr_that_also_edits_a_workflow_waits_for_review_with_the_rule_named(
    target: TargetRepo, store: RunStore
) -> None:
    issue = target.open_request()
    files = {**new_entity_files(), ".github/workflows/deploy.yml": "name: deploy\n"}
    pr, head = target.open_bot_pr(issue, files)
    target.green(head, *CHECKS)

    decision = evaluate(target, store, pr)
    again = evaluate(target, store, pr)  # a second check suite finishing: same single comment

    assert decision.outcome == again.outcome == "needs-review"
    assert [r.rule for r in decision.failed] == ["no-protected-files"]
    pull = target.upstream().get_pull(pr)
    assert not pull.merged
    assert "needs-human-review" in {label.name for label in pull.labels}
    comments = [c.body for c in pull.as_issue().get_comments()]
    assert len(comments) == 1
    assert "**no-protected-files**" in comments[0]
    assert ".github/workflows/deploy.yml (workflow)" in comments[0]
    assert "@maintainer" in comments[0]
    # and the review is really requested on GitHub, not only mentioned
    users, _teams = pull.get_review_requests()
    assert [user.login for user in users] == ["maintainer"]


def test_a_new_commit_after_green_checks_waits_for_checks_on_the_new_head(
    target: TargetRepo, store: RunStore
) -> None:
    issue = target.open_request()
    pr, first = target.open_bot_pr(issue, new_entity_files())
    target.green(first, *CHECKS)
    tagged = dict(SOURCE_WITH_TAGS)
    second = target.push_branch(
        f"feat/issue-{issue}-raw-data-source", new_entity_files(tagged), "add tags"
    )

    stale = evaluate(target, store, pr)

    assert stale.outcome == "wait"
    assert stale.head_sha == second
    assert "waiting on" in stale.rule("checks-green").reason
    assert not target.upstream().get_pull(pr).merged

    target.green(second, *CHECKS)
    assert evaluate(target, store, pr).outcome == "low-risk"
    assert target.upstream().get_pull(pr).merged


@pytest.mark.parametrize("how", ["label", "comment"])
def test_hold_blocks_the_merge_until_unhold(target: TargetRepo, store: RunStore, how: str) -> None:
    issue = target.open_request()
    pr, head = target.open_bot_pr(issue, new_entity_files())
    target.green(head, *CHECKS)
    pull = target.upstream().get_pull(pr)
    if how == "label":
        pull.add_to_labels("hold")
    else:
        pull.create_issue_comment("wait for the launch\n/hold")

    held = evaluate(target, store, pr)

    assert held.outcome == "blocked"
    assert [r.rule for r in held.failed] == ["not-held"]
    pull.update()
    assert not pull.merged
    if how == "label":
        pull.remove_from_labels("hold")
    else:
        pull.create_issue_comment("/unhold")
    assert evaluate(target, store, pr).outcome == "low-risk"


def test_a_request_still_waiting_for_approval_is_not_merged(
    target: TargetRepo, store: RunStore
) -> None:
    issue = target.open_request(approved=False)
    pr, head = target.open_bot_pr(issue, new_entity_files())
    target.green(head, *CHECKS)
    decision = evaluate(target, store, pr)
    assert decision.outcome == "needs-review"
    assert [r.rule for r in decision.failed] == ["approved-request"]


SOURCE_WITH_TAGS = {
    "name": "RawDataSource",
    "layer": "infrastructure",
    "fields": [
        {"name": "name", "type": "string", "required": True, "max_length": 100},
        {"name": "is_active", "type": "boolean", "default": True},
        {"name": "tags", "type": "json"},
    ],
}


def test_without_any_required_check_the_gate_refuses_to_auto_merge(
    emulator: EmulatorHandle, tmp_path: Path, store: RunStore
) -> None:
    target = TargetRepo(emulator, tmp_path, runs=store)  # no protection, no required checks
    issue = target.open_request()
    pr, head = target.open_bot_pr(issue, new_entity_files())
    target.green(head, *CHECKS)
    decision = evaluate(target, store, pr)
    assert decision.outcome == "needs-review"
    assert [r.rule for r in decision.failed] == ["required-checks-defined", "checks-green"]
    assert not target.upstream().get_pull(pr).merged


def test_branch_protection_alone_is_enough_when_the_bot_may_read_it(
    emulator: EmulatorHandle, tmp_path: Path, store: RunStore
) -> None:
    target = TargetRepo(emulator, tmp_path, runs=store)
    emulator.set_required_checks(target.name, "main", ["tests"])
    emulator.set_permission(target.name, BOT, "admin")  # an App with administration: read
    issue = target.open_request()
    pr, head = target.open_bot_pr(issue, new_entity_files())
    waiting = evaluate(target, store, pr)
    assert waiting.outcome == "wait" and "tests" in waiting.rule("checks-green").reason
    target.green(head, "tests")
    assert evaluate(target, store, pr).outcome == "low-risk"


def test_gate_evaluate_prints_the_decision_and_its_rules_without_acting(
    target: TargetRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    issue = target.open_request()
    pr, head = target.open_bot_pr(issue, new_entity_files())
    target.green(head, "tests")
    target.gh.post_check(target.name, head, "ruff", "failure")
    monkeypatch.setenv("GITHUB_API_URL", target.gh.api_url)
    monkeypatch.setenv("GITHUB_TOKEN", target.gh.token(BOT))
    monkeypatch.setenv("ISSUEBOT_BOT_LOGIN", BOT)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli-runs.db'}")

    result = CliRunner().invoke(app, ["gate", "evaluate", "--repo", target.name, "--pr", str(pr)])

    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"PR #{pr} at {head[:12]}: blocked")
    assert "FAIL  checks-green" in result.output and "ruff (failure)" in result.output
    assert "PASS  additive-spec" in result.output
    pull = target.upstream().get_pull(pr)
    assert pull.get_issue_comments().totalCount == 0
    assert {label.name for label in pull.labels} == {"entity-request", "bot-generated"}


def test_merges_into_one_repository_are_serialised(target: TargetRepo, store: RunStore) -> None:
    issue = target.open_request()
    pr, head = target.open_bot_pr(issue, new_entity_files())
    target.green(head, *CHECKS)
    locks = SqlLockManager(store)
    other = locks.acquire(repo_lock_key(target.name), 60, owner="another-worker")
    assert other is not None
    repo = target.bot_repo(store)
    with pytest.raises(LockConflictError, match="another merge"):
        evaluate_pull(
            repo, pr, load_config(repo), audit=store, locks=locks, bot_login=BOT, lock_wait=0.3,
            runs=store,
        )  # fmt: skip
    assert not target.upstream().get_pull(pr).merged
    other.release()
    assert evaluate(target, store, pr).outcome == "low-risk"


def test_the_second_of_two_racing_bot_prs_is_judged_against_the_new_base(
    target: TargetRepo, store: RunStore
) -> None:
    first_issue = target.open_request("First")
    second_issue = target.open_request("Second")
    first, first_head = target.open_bot_pr(first_issue, new_entity_files())
    second, second_head = target.open_bot_pr(second_issue, new_entity_files(GADGET))
    target.green(first_head, *CHECKS)
    target.green(second_head, *CHECKS)

    assert evaluate(target, store, first).outcome == "low-risk"
    later = evaluate(target, store, second)

    assert later.outcome == "needs-review"
    assert [r.rule for r in later.failed] == ["mergeable"]
    assert later.rule("additive-spec").passed  # still compared with its own merge base
    assert not target.upstream().get_pull(second).merged


GADGET = {"name": "Gadget", "fields": [{"name": "label", "type": "string", "max_length": 40}]}
