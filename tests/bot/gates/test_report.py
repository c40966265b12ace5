"""The gate's PR comment names every failing rule and cannot be hijacked by untrusted text."""

from __future__ import annotations

import re
from dataclasses import replace

from bot.config import RiskPolicy
from bot.gates.report import decision_comment, issue_final_note, safe, safe_url
from bot.gates.risk import ChangedFile, CheckResult, decide
from tests.bot.gates.test_risk import CLEAN, HEAD, POLICY


def test_the_comment_lists_exactly_the_failed_rules() -> None:
    workflow = ChangedFile(".github/workflows/ci.yml", "modified", 1, 1)
    decision = decide(replace(CLEAN, files=(*CLEAN.files, workflow)), POLICY)
    body = decision_comment(decision)
    assert "Needs human review" in body
    failed_lines = [line for line in body.splitlines() if line.startswith("- **")]
    assert failed_lines == [
        "- **no-protected-files** (no workflow, config or dependency file changes): "
        "changes .github/workflows/ci.yml (workflow)"
    ]


def test_red_checks_are_linked_and_retry_is_offered() -> None:
    red = CheckResult(
        "tests", HEAD, "completed", "failure", "https://ci.example/run/1", origin="github-actions"
    )
    decision = decide(
        replace(CLEAN, checks=(red, *CLEAN.checks[1:])), RiskPolicy(required_checks=("tests",))
    )
    body = decision_comment(decision)
    assert "[tests](https://ci.example/run/1): failure" in body
    assert "/retry" in body


def test_check_names_and_urls_from_ci_stay_inert() -> None:
    evil = CheckResult(
        "x](javascript:alert(1)) <img>", HEAD, "completed", "failure", "javascript:alert(1)"
    )
    decision = decide(replace(CLEAN, checks=(evil,), required_checks=(evil.name,)), RiskPolicy())
    body = decision_comment(decision)
    assert not re.search(r"(?<!\\)\]\(javascript", body)  # only escaped brackets remain
    assert "<img>" not in body
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("https://ci.example/x") == "https://ci.example/x"
    assert safe("a\nb`c") == "a b'c"


def test_the_final_note_says_what_was_merged() -> None:
    note = issue_final_note(12, "c" * 40, decide(CLEAN, POLICY))
    assert "#12" in note and "cccccccccccc" in note and "Closes" in note
