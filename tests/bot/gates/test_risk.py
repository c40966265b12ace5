"""Table tests of the risk decision: each rule flips the outcome on its own, both ways."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from bot.config import Paths, RiskPolicy
from bot.gates.risk import ChangedFile, CheckResult, GateInputs, decide
from bot.gates.spec_change import SpecChange

HEAD = "a" * 40
OLD = "b" * 40
BOT = "issuebot[bot]"
POLICY = RiskPolicy(required_checks=("tests", "ruff"))

CLEAN_FILES = (
    ChangedFile("specs/entities.json", "modified", 40, 0),
    ChangedFile("app/models/raw_data_source.py", "added", 120, 0),
    ChangedFile("app/api/raw_data_source.py", "added", 200, 0),
    ChangedFile("migrations/versions/0001_raw_data_source.py", "added", 60, 0),
    ChangedFile("tests/test_raw_data_source.py", "added", 300, 0),
    ChangedFile("app/hooks/raw_data_source.py", "added", 20, 0),
)


def green(*names: str, sha: str = HEAD) -> tuple[CheckResult, ...]:
    return tuple(
        CheckResult(n, sha, "completed", "success", origin="github-actions") for n in names
    )


CLEAN = GateInputs(
    pr_number=7,
    author=BOT,
    bot_login=BOT,
    head_sha=HEAD,
    labels=frozenset({"entity-request", "bot-generated"}),
    approved_request=True,
    files=CLEAN_FILES,
    spec_change=SpecChange("additive", added_entities=("RawDataSource",)),
    checks=green("tests", "ruff"),
    required_checks=("tests",),
    mergeable=True,
    up_to_date=True,
    pushed_sha=HEAD,
)


def test_a_clean_bot_pr_with_green_checks_is_low_risk_and_every_rule_passes() -> None:
    decision = decide(CLEAN, POLICY)
    assert decision.outcome == "low-risk"
    assert decision.failed == ()
    assert [r.rule for r in decision.rules] == [
        "pr-open",
        "bot-author",
        "bot-head",
        "approved-request",
        "auto-merge-enabled",
        "allowed-paths",
        "no-protected-files",
        "additive-spec",
        "diff-size",
        "required-checks-defined",
        "checks-green",
        "mergeable",
        "not-held",
    ]


def files_plus(*extra: ChangedFile) -> tuple[ChangedFile, ...]:
    return CLEAN_FILES + extra


# (story, changes to the clean inputs, policy override, outcome, failing rule, words in reason)
CASES: list[tuple[str, dict[str, Any], RiskPolicy | None, str, str, str]] = [
    ("a closed PR", {"is_open": False}, None, "needs-review", "pr-open", "closed"),
    ("a draft PR", {"draft": True}, None, "needs-review", "pr-open", "draft"),
    ("a human opened it", {"author": "mallory"}, None, "needs-review", "bot-author", "mallory"),
    (
        "no approved request",
        {"approved_request": False},
        None,
        "needs-review",
        "approved-request",
        "Closes #N",
    ),
    (
        "auto-merge switched off",
        {},
        RiskPolicy(auto_merge=False, required_checks=("tests",)),
        "needs-review",
        "auto-merge-enabled",
        "auto_merge is false",
    ),
    (
        "a hand-written module",
        {"files": files_plus(ChangedFile("app/extra.py", "added", 5))},
        None,
        "needs-review",
        "allowed-paths",
        "app/extra.py (other)",
    ),
    (
        "an existing hook edited",
        {"files": files_plus(ChangedFile("app/hooks/billing.py", "modified", 3, 1))},
        None,
        "needs-review",
        "allowed-paths",
        "user-owned hook modified",
    ),
    (
        "an existing migration revision rewritten",
        {"files": files_plus(ChangedFile("migrations/versions/widget.py", "modified", 4, 2))},
        None,
        "needs-review",
        "allowed-paths",
        "existing migration revision rewritten",
    ),
    (
        "a generated file deleted",
        {"files": files_plus(ChangedFile("app/models/old.py", "removed", 0, 40))},
        None,
        "needs-review",
        "allowed-paths",
        "generated file deleted",
    ),
    (
        "a generated file renamed away",
        {"files": files_plus(ChangedFile("notes.py", "renamed", 0, 0, "app/models/x.py"))},
        None,
        "needs-review",
        "allowed-paths",
        "notes.py",
    ),
    ("an empty PR", {"files": ()}, None, "needs-review", "allowed-paths", "no files"),
    (
        "a path escaping the tree",
        {"files": files_plus(ChangedFile("app/models/../../setup.sh", "added", 1))},
        None,
        "needs-review",
        "allowed-paths",
        "(other)",
    ),
    (
        "a workflow edited",
        {"files": files_plus(ChangedFile(".github/workflows/ci.yml", "modified", 2, 2))},
        None,
        "needs-review",
        "no-protected-files",
        ".github/workflows/ci.yml (workflow)",
    ),
    (
        "the bot config edited",
        {"files": files_plus(ChangedFile(".github/issuebot.yml", "modified", 1, 1))},
        None,
        "needs-review",
        "no-protected-files",
        "(config)",
    ),
    (
        "a dependency added",
        {"files": files_plus(ChangedFile("requirements.txt", "modified", 1, 0))},
        None,
        "needs-review",
        "no-protected-files",
        "requirements.txt (dependency)",
    ),
    (
        "a dependency inside a generated dir",
        {"files": files_plus(ChangedFile("app/api/pyproject.toml", "added", 1, 0))},
        None,
        "needs-review",
        "no-protected-files",
        "(dependency)",
    ),
    (
        "a path the repo protects",
        {"files": files_plus(ChangedFile("app/models/billing.py", "modified", 1, 1))},
        RiskPolicy(required_checks=("tests",), protected_paths=("app/models/billing.py",)),
        "needs-review",
        "no-protected-files",
        "app/models/billing.py (config)",
    ),
    (
        "a field removed",
        {"spec_change": SpecChange("breaking", reasons=("field A.x removed",))},
        None,
        "needs-review",
        "additive-spec",
        "field A.x removed",
    ),
    (
        "the spec untouched",
        {"spec_change": SpecChange("unchanged")},
        None,
        "needs-review",
        "additive-spec",
        "did not change",
    ),
    (
        "an invalid spec",
        {"spec_change": SpecChange("invalid", reasons=("head spec is not valid JSON",))},
        None,
        "needs-review",
        "additive-spec",
        "not valid JSON",
    ),
    (
        "a huge diff",
        {},
        RiskPolicy(max_diff_lines=100, required_checks=("tests",)),
        "needs-review",
        "diff-size",
        "over the limit of 100",
    ),
    (
        "no required checks anywhere",
        {"required_checks": ()},
        RiskPolicy(),
        "needs-review",
        "required-checks-defined+checks-green",
        "no required checks",
    ),
    (
        "a red required check",
        {
            "checks": (
                *green("ruff"),
                CheckResult(
                    "tests", HEAD, "completed", "failure", "http://ci/1", origin="github-actions"
                ),
            )
        },
        None,
        "blocked",
        "checks-green",
        "tests (failure)",
    ),
    (
        "a cancelled check",
        {
            "checks": (
                *green("ruff"),
                CheckResult("tests", HEAD, "completed", "cancelled", origin="github-actions"),
            )
        },
        None,
        "blocked",
        "checks-green",
        "tests (cancelled)",
    ),
    (
        "a check still running",
        {
            "checks": (
                *green("ruff"),
                CheckResult("tests", HEAD, "in_progress", origin="github-actions"),
            )
        },
        None,
        "wait",
        "checks-green",
        "waiting",
    ),
    (
        "a required check never reported",
        {"checks": green("ruff")},
        None,
        "wait",
        "checks-green",
        "tests",
    ),
    (
        "green only on an older commit",
        {"checks": green("tests", "ruff", sha=OLD)},
        None,
        "wait",
        "checks-green",
        "waiting on aaaaaaa",
    ),
    (
        "conflicts with base",
        {"mergeable": False, "up_to_date": False},
        None,
        "needs-review",
        "mergeable",
        "conflicts",
    ),
    (
        "mergeability still computing",
        {"mergeable": None, "up_to_date": False},
        None,
        "wait",
        "mergeable",
        "computing",
    ),
    (
        "behind base where the repo requires up to date",
        {"up_to_date": False},
        RiskPolicy(required_checks=("tests",), require_up_to_date=True),
        "needs-review",
        "mergeable",
        "behind",
    ),
    ("held by label", {"hold_label": "hold"}, None, "blocked", "not-held", "label `hold`"),
    (
        "held by /hold",
        {"hold_comment": "maintainer"},
        None,
        "blocked",
        "not-held",
        "/hold by @maintainer",
    ),
]


@pytest.mark.parametrize(
    ("changes", "policy", "outcome", "rule", "words"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_each_rule_alone_takes_a_clean_pr_off_the_merge_path(
    changes: dict[str, Any], policy: RiskPolicy | None, outcome: str, rule: str, words: str
) -> None:
    decision = decide(replace(CLEAN, **changes), policy or POLICY)
    assert decision.outcome == outcome
    expected = rule.split("+")
    assert [r.rule for r in decision.failed] == expected
    assert words in decision.rule(expected[0]).reason


# The passing side of the path rules: what a bot PR is allowed to touch.
@pytest.mark.parametrize(
    "changed",
    [
        ChangedFile("app/hooks/raw_data_source.py", "added", 10),
        ChangedFile("app/hooks/__init__.py", "modified", 1),
        ChangedFile("app/schemas/raw_data_source.py", "modified", 4, 4),
        ChangedFile("migrations/versions/0002_tags.py", "added", 30),
        ChangedFile("tests/test_raw_data_source.py", "modified", 12, 3),
        ChangedFile("specs/entities.json", "added", 50),
    ],
    ids=lambda f: f.path,
)
def test_generated_files_new_hook_stubs_and_the_spec_are_allowed(changed: ChangedFile) -> None:
    decision = decide(replace(CLEAN, files=(changed,)), POLICY)
    assert decision.outcome == "low-risk"


def test_generated_paths_follow_the_configured_output_directory() -> None:
    files = (ChangedFile("service/app/models/x.py", "added", 5), CLEAN_FILES[0])
    moved = replace(CLEAN, files=files, paths=Paths(output="service"))
    assert decide(moved, POLICY).outcome == "low-risk"
    assert decide(replace(CLEAN, files=files), POLICY).rule("allowed-paths").status == "fail"


def test_a_rerun_that_turned_green_supersedes_the_red_one() -> None:
    checks = (
        CheckResult("tests", HEAD, "completed", "failure", origin="github-actions"),
        *green("tests", "ruff"),
    )
    assert decide(replace(CLEAN, checks=checks), POLICY).outcome == "low-risk"


def test_neutral_and_skipped_checks_count_as_green_like_branch_protection() -> None:
    checks = (
        CheckResult("tests", HEAD, "completed", "neutral", origin="github-actions"),
        CheckResult("ruff", HEAD, "completed", "skipped", origin="github-actions"),
    )
    assert decide(replace(CLEAN, checks=checks), POLICY).outcome == "low-risk"


def test_required_checks_come_from_branch_protection_and_the_config_together() -> None:
    only_protection = decide(replace(CLEAN, checks=green("tests")), RiskPolicy())
    assert only_protection.outcome == "low-risk"
    both = decide(replace(CLEAN, checks=green("tests")), POLICY)
    assert both.outcome == "wait"
    assert "ruff" in both.rule("checks-green").reason


def test_behind_base_but_mergeable_is_fine_by_default() -> None:
    decision = decide(replace(CLEAN, up_to_date=False, mergeable=True), POLICY)
    assert decision.outcome == "low-risk"
    assert decision.rule("mergeable").reason == "mergeable without conflicts"


def test_red_checks_and_review_reasons_are_reported_together() -> None:
    red = (
        CheckResult("tests", HEAD, "completed", "failure", "http://ci/1", origin="github-actions"),
        *green("ruff"),
    )
    extra = files_plus(ChangedFile(".github/workflows/ci.yml", "modified", 1, 1))
    decision = decide(replace(CLEAN, checks=red, files=extra), POLICY)
    assert decision.outcome == "blocked"
    assert {r.rule for r in decision.failed} == {"no-protected-files", "checks-green"}
    assert [c.url for c in decision.failing_checks] == ["http://ci/1"]


def test_the_decision_serialises_for_the_audit_log() -> None:
    data = decide(CLEAN, POLICY).to_dict()
    assert data["outcome"] == "low-risk"
    assert data["head_sha"] == HEAD
    assert len(data["rules"]) == 13
    assert CLEAN.to_dict()["labels"] == ["bot-generated", "entity-request"]
