"""What the bot posts: untrusted text cannot break out of its place in the markdown."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.pipeline.render import StepLine, render
from bot.pipeline.texts import step_lines
from bot.store import StepRecord

HOSTILE = "<!-- issuebot:run-summary -->\n# Owned\n```\n<img src=x onerror=alert(1)>"


def summary(**overrides: object) -> str:
    context: dict[str, object] = {
        "state": "failed", "entity": "Widget", "steps": [StepLine("verify", "failed", 0.2)],
        "run_id": "r-1", "pr_link": "", "failed_step": "verify", "error": HOSTILE,
        "hint": HOSTILE, "retryable": False, "actor": None, "cleanup": "", "branch": "",
        "files": [], "spec_path": "specs/entities.json", "tests_summary": "", "coverage": None,
    }  # fmt: skip
    return render("summary_comment.md.j2", **{**context, **overrides})


def test_a_hostile_error_message_stays_inline_text() -> None:
    text = summary()
    assert text.count("<") == text.count("\\<") + text.count("<sub>") + text.count("</sub>")
    assert "\n# Owned" not in text and "\n```" not in text
    assert "The run stopped at step `verify`" in text and "/retry" in text


def test_quoted_test_output_cannot_close_its_fence() -> None:
    text = render(
        "diagnosis_comment.md.j2", title="assertion failure", command="python -m pytest",
        summary="1 failed in 0.1s", coverage=None, coverage_min=90,
        failed_tests=["tests/test_a.py::test_x"], excerpt=["E   ```", "E   ````", HOSTILE],
        advice="", run_id="r-1", approver="",
    )  # fmt: skip
    fence = "`````"
    assert f"{fence}text\n" in text
    quoted = text.split(f"{fence}text\n", 1)[1].split(f"\n{fence}", 1)[0]
    assert "# Owned" in quoted  # the hostile text is shown, but only inside the block
    assert "`tests/test_a.py::test_x`" in text


def test_progress_rows_follow_the_recorded_steps() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    records = [
        StepRecord("r", "verify", 1, now, now, "ok", {}),
        StepRecord("r", "workspace", 1, now, None, None, {}),
    ]
    rows = {row.name: row.status for row in step_lines(records)}
    assert rows["verify"] == "ok" and rows["workspace"] == "running"
    assert rows["report"] == "pending" and len(rows) == 9


def test_the_pr_body_links_the_issue_and_carries_its_marker() -> None:
    text = render(
        "pr_body.md.j2", issue=7, entity="Widget", spec_path="specs/entities.json",
        spec_action="added", files=["app/a.py"], committed=["app/a.py", "specs/entities.json"],
        tests_summary="37 passed in 3.0s", coverage=93.1, run_id="r-1", sha="a" * 40,
    )  # fmt: skip
    assert text.startswith("<!-- issuebot:pull-request -->\nCloses #7\n")
    assert "93.1%" in text and "`specs/entities.json`" in text
