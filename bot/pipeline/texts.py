"""Template contexts for every text the pipeline posts: pure functions of recorded outputs."""

from __future__ import annotations

import re

from bot.errors import IssuebotError
from bot.pipeline.model import STEP_NAMES, RunContext
from bot.pipeline.render import StepLine, render
from bot.store.records import StepRecord
from bot.testgate import TestReport

_LOGIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,38}")  # a person's login (bots are not pinged)
_ADVICE = {
    "environment": "Check requirements.txt: every package must be installable by pip.",
    "import": "A module could not be imported: check for syntax errors or missing packages.",
    "database": "A database or migration error: check migrations and the test database setup.",
    "assertion": "A test's expectation did not hold: the existing tests may need updating.",
    "timeout": "The tests ran past the time limit: look for a hanging test or raise the limit.",
    "coverage": "Tests passed but coverage is below the minimum set in .github/issuebot.yml.",
    "error": "A test raised an unexpected exception.",
}


def step_lines(records: list[StepRecord]) -> list[StepLine]:
    """One row per step: the latest attempt's outcome, or pending."""
    latest: dict[str, StepRecord] = {}
    for record in records:
        latest[record.name] = record
    lines = []
    for name in STEP_NAMES:
        rec = latest.get(name)
        if rec is None:
            lines.append(StepLine(name, "pending"))
        elif rec.finished_at is None:
            lines.append(StepLine(name, "running"))
        else:
            lines.append(StepLine(name, rec.outcome or "ok", rec.duration_seconds))
    return lines


def summary_comment(
    ctx: RunContext,
    records: list[StepRecord],
    *,
    state: str,
    error: IssuebotError | None = None,
    failed_step: str = "",
    cleanup: str = "",
) -> str:
    """The one summary comment on the issue, in any state of the run."""
    verify = ctx.outputs.get("verify", {})
    pr = ctx.outputs.get("pull_request", {})
    test = ctx.outputs.get("test", {})
    return render(
        "summary_comment.md.j2",
        state=state,
        entity=verify.get("entity", f"issue #{ctx.issue}"),
        change=verify.get("change"),
        steps=step_lines(records),
        run_id=ctx.run.id,
        pr_link=f"#{pr['number']}" if pr else "",
        failed_step=failed_step,
        error=error.message if error else "",
        hint=error.hint if error else None,
        retryable=bool(error and error.retryable),
        actor=ctx.run.actor if state == "cancelled" else None,
        cleanup=cleanup,
        branch=ctx.outputs.get("workspace", {}).get("branch", ""),
        files=ctx.outputs.get("generate", {}).get("files", []),
        spec_path=ctx.config.paths.spec,
        tests_summary=test.get("summary", ""),
        coverage=test.get("coverage"),
        up_to_date=bool(ctx.outputs.get("push", {}).get("up_to_date")),
        pushed_sha=ctx.outputs.get("push", {}).get("sha", ""),
    )


def diagnosis_comment(ctx: RunContext, report: TestReport) -> str:
    """Which tests failed, what kind of failure, and the redacted lines that show it."""
    diagnosis = report.diagnosis()
    return render(
        "diagnosis_comment.md.j2",
        title=diagnosis.title,
        command=" ".join(report.command),
        summary=report.summary(),
        coverage=report.coverage,
        coverage_min=report.coverage_min,
        failed_tests=list(diagnosis.failed_tests),
        excerpt=list(diagnosis.excerpt),
        advice=_ADVICE.get(diagnosis.kind, ""),
        run_id=ctx.run.id,
        approver=_approver(ctx),
    )


def pr_title(ctx: RunContext) -> str:
    """A new entity's PR says so; a change request's says what changes in the shipped one."""
    verify = ctx.outputs["verify"]
    change = verify.get("change")
    return str(change["title"]) if change else f"feat: add {verify['entity']} entity"


def pr_body(ctx: RunContext) -> str:
    """The PR description: `Closes #n`, the summary and the file list, with its marker."""
    test = ctx.outputs["test"]
    return render(
        "pr_body.md.j2",
        issue=ctx.issue,
        entity=ctx.outputs["verify"]["entity"],
        spec_path=ctx.outputs["spec"]["path"],
        spec_action=ctx.outputs["spec"]["action"],
        files=ctx.outputs["generate"]["files"],
        committed=ctx.outputs["commit"]["files"],
        tests_summary=test["summary"],
        coverage=test.get("coverage"),
        run_id=ctx.run.id,
        sha=ctx.outputs["commit"]["sha"],
        migration=ctx.outputs["generate"].get("migration"),
        change=ctx.outputs["verify"].get("change"),
        removed=ctx.outputs["generate"].get("removed", []),
    )


def check_summary(ctx: RunContext) -> str:
    """The check run's short summary line."""
    test = ctx.outputs["test"]
    coverage = test.get("coverage")
    cov = f", coverage {coverage:.1f}%" if coverage is not None else ""
    return f"{test['summary']}{cov}; PR #{ctx.outputs['pull_request']['number']} is open."


def check_text(ctx: RunContext) -> str:
    """The check run's detail text: the command, the result and the step table."""
    test = ctx.outputs["test"]
    return render(
        "check_run.md.j2",
        command=test["command"],
        summary=test["summary"],
        coverage=test.get("coverage"),
        coverage_min=test.get("coverage_min", 0),
        steps=[row for row in step_lines(ctx.store.steps(ctx.run.id)) if row.name != "report"],
        run_id=ctx.run.id,
        issue=ctx.issue,
    )


def failure_comment(ctx: RunContext, step: str, error: IssuebotError, *, repeats: int) -> str:
    """A new comment per distinct failure: it notifies the approver, unlike an edited summary."""
    return render(
        "failure_comment.md.j2",
        approver=_approver(ctx),
        step=step,
        error_kind=error.kind,
        message=error.message,
        hint=error.hint,
        retryable=error.retryable,
        run_id=ctx.run.id,
        repeats=repeats,
    )


def _approver(ctx: RunContext) -> str:
    """Who started the run, to be notified by name (never the bot, never a malformed login)."""
    actor = ctx.run.actor
    return actor if actor != ctx.settings.bot_login and _LOGIN.fullmatch(actor) else ""


def failure_marker(step: str, kind: str) -> str:
    """One comment per (step, kind): the same failure on a retry edits it, a new one is new."""
    return f"run-failure-{step}-{kind}"
