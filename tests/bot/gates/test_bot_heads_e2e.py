"""On the emulator: a commit the bot did not push, or a forged status, never merges."""

from __future__ import annotations

from bot.store import RunStore
from tests.bot.gates.botpr import CHECKS, TargetRepo, evaluate, new_entity_files


def test_a_write_users_migration_and_route_on_the_bot_branch_are_not_merged_and_are_named(
    target: TargetRepo, store: RunStore
) -> None:
    issue = target.open_request()
    pr, bots = target.open_bot_pr(issue, new_entity_files())
    branch = f"feat/issue-{issue}-raw-data-source"
    extra = {
        "migrations/versions/0002_grant_admin.py": "revision = '0002'\n",
        "app/api/admin_backdoor.py": "router = None\n",
    }
    # pushed by `writer` with write access, committed under the bot's own git name
    head = target.push_branch(branch, extra, "chore: tidy", by_bot=False)
    target.green(head, *CHECKS)

    decision = evaluate(target, store, pr)

    assert decision.outcome == "needs-review"
    # the foreign revision also fails the migration rules; these two say who and what
    assert {"bot-head", "allowed-paths"} <= {r.rule for r in decision.failed}
    assert f"{head[:7]} by issuebot <bot@x>" in decision.rule("bot-head").reason
    assert bots[:7] in decision.rule("bot-head").reason
    pull = target.upstream().get_pull(pr)
    assert not pull.merged
    assert "needs-human-review" in {label.name for label in pull.labels}
    [comment] = [c.body for c in pull.as_issue().get_comments()]
    assert f"{head[:7]} by issuebot" in comment
    assert "app/api/admin\\_backdoor.py (under generated paths, but the generator" in comment
    assert "migrations/versions/0002\\_grant\\_admin.py (under generated paths" in comment


def test_a_same_named_status_does_not_override_a_failing_check_run(
    target: TargetRepo, store: RunStore
) -> None:
    target.push_to_main(
        {".github/issuebot.yml": "risk:\n  required_checks: [tests, ruff]\n"
         "  status_creators: {tests: writer}\n"},
        "trust writer's statuses",
    )  # fmt: skip
    issue = target.open_request()
    pr, head = target.open_bot_pr(issue, new_entity_files())
    target.gh.post_check(target.name, head, "tests", "failure")  # GitHub Actions says red
    target.green(head, "ruff")
    commit = target.gh.github("writer").get_repo(target.name).get_commit(head)
    commit.create_status("success", context="tests", description="all good, trust me")

    decision = evaluate(target, store, pr)

    assert decision.outcome == "blocked"
    assert "tests (failure)" in decision.rule("checks-green").reason
    assert not target.upstream().get_pull(pr).merged


def test_a_check_run_from_another_app_does_not_count(target: TargetRepo, store: RunStore) -> None:
    issue = target.open_request()
    pr, head = target.open_bot_pr(issue, new_entity_files())
    target.green(head, "ruff")
    target.gh.post_check(target.name, head, "tests", "success", login="issuebot[bot]")

    decision = evaluate(target, store, pr)

    assert decision.outcome == "wait"
    assert "a check run from app issuebot does not count" in decision.rule("checks-green").reason
    assert not target.upstream().get_pull(pr).merged
