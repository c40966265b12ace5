"""Action mode keeps no run store between events: the App's own check run names its pushed head."""

from __future__ import annotations

from pathlib import Path

from bot.emulator.testing import EmulatorHandle
from bot.gates.heads import BOT_CHECK_NAME
from bot.github.models import CheckOutput
from bot.store import RunStore
from tests.bot.gates.botpr import CHECKS, CONFIG, TargetRepo, evaluate, new_entity_files


def action_mode_target(emulator: EmulatorHandle, tmp_path: Path) -> TargetRepo:
    target = TargetRepo(emulator, tmp_path, runs=None)  # the push is recorded nowhere
    emulator.set_required_checks(target.name, "main", list(CHECKS))
    target.push_to_main(
        {".github/CODEOWNERS": "* @maintainer\n", ".github/issuebot.yml": CONFIG}, "bot config"
    )
    return target


def test_the_head_the_app_checked_merges_without_a_run_store(
    emulator: EmulatorHandle, tmp_path: Path, store: RunStore
) -> None:
    target = action_mode_target(emulator, tmp_path)
    issue = target.open_request()
    pr, head = target.open_bot_pr(issue, new_entity_files())
    target.bot_repo().create_check_run(
        name=BOT_CHECK_NAME, head_sha=head, status="completed", conclusion="success",
        output=CheckOutput(title="Tests passed", summary="ok"),
    )  # fmt: skip
    target.green(head, *CHECKS)

    decision = evaluate(target, store, pr)  # a fresh, empty store: the next workflow run

    assert decision.outcome == "low-risk", decision.failed
    assert target.upstream().get_pull(pr).merged


def test_a_commit_on_top_or_a_check_forged_by_ci_is_not_the_bots(
    emulator: EmulatorHandle, tmp_path: Path, store: RunStore
) -> None:
    target = action_mode_target(emulator, tmp_path)
    issue = target.open_request()
    pr, bots = target.open_bot_pr(issue, new_entity_files())
    target.bot_repo().create_check_run(
        name=BOT_CHECK_NAME, head_sha=bots, status="completed", conclusion="success",
        output=CheckOutput(title="Tests passed", summary="ok"),
    )  # fmt: skip
    branch = f"feat/issue-{issue}-raw-data-source"
    head = target.push_branch(branch, {"app/api/extra.py": "x = 1\n"}, "more", by_bot=False)
    # any workflow of the repository can post a check under GitHub Actions' name
    emulator.post_check(target.name, head, BOT_CHECK_NAME, "success")
    target.green(head, *CHECKS)

    decision = evaluate(target, store, pr)

    assert decision.outcome == "needs-review"
    assert "bot-head" in {rule.rule for rule in decision.failed}
    assert not target.upstream().get_pull(pr).merged
