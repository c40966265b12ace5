"""The run executor: applies the steps in order, records each, resumes, fails cleanly.

Resume rule: the run continues after the furthest step ``k`` such that steps 1..k all have
a recorded output and step ``k``'s output still holds in the world (e.g. the pushed sha is
on the remote branch). Later steps read earlier outputs from the record, not from memory,
so a run resumed by another worker, with its workspace gone, still finishes correctly.
"""

from __future__ import annotations

import contextlib
import shutil
import threading
from collections.abc import Callable, Iterator

from bot.errors import CancelledError, GitHubError, IssuebotError
from bot.github.audit import Approval
from bot.gitops import ls_remote
from bot.locks import Lease, LockLostError
from bot.observability import get_logger, redact
from bot.pipeline import texts
from bot.pipeline.model import STEP_NAMES, Output, RunContext, RunResult, Step
from bot.pipeline.render import DIAGNOSIS_MARKER, SUMMARY_MARKER
from bot.pipeline.steps_local import LOCAL_STEPS, TestGateError
from bot.pipeline.steps_remote import REMOTE_STEPS
from bot.store import CANCELLED, FAILED, RUNNING, SUCCEEDED
from bot.testgate import Redactor

STEPS: tuple[Step, ...] = (*LOCAL_STEPS, *REMOTE_STEPS)
assert tuple(s.name for s in STEPS) == STEP_NAMES
AfterStep = Callable[[str], None]
log = get_logger("issuebot.pipeline")


class InternalStepError(IssuebotError):
    """A bug surfaced inside a step: recorded and reported like any failure."""

    kind = "internal"


def recorded_outputs(ctx: RunContext) -> dict[str, Output]:
    """The latest successful (or skipped) output of every step the store has for this run."""
    outputs: dict[str, Output] = {}
    for record in ctx.store.steps(ctx.run.id):
        if record.outcome in {"ok", "skipped"}:
            outputs[record.name] = record.output
        elif record.finished_at is not None:
            outputs.pop(record.name, None)
    return outputs


def resume_point(ctx: RunContext, prior: dict[str, Output]) -> int:
    """How many leading steps can be skipped (their recorded outputs still hold)."""
    for k in range(len(STEPS), 1, -1):
        names = [s.name for s in STEPS[:k]]
        if not all(n in prior for n in names):
            continue
        ctx.outputs = {n: prior[n] for n in names}
        try:
            if STEPS[k - 1].holds(ctx, prior[names[-1]]):
                return k
        except IssuebotError as exc:  # a vanished workspace or PR: that output no longer holds
            log.info("resume_check_failed", step=names[-1], error=exc.message)
    return 1


class Heartbeat:
    """Extends the lease every third of its TTL while a long step (the tests) runs."""

    def __init__(self, lease: Lease | None, ttl_seconds: float) -> None:
        self.lease = lease
        self.interval = max(ttl_seconds / 3, 0.2)
        self.lost: LockLostError | None = None
        self._stop = threading.Event()

    def _beat(self) -> None:
        assert self.lease is not None
        while not self._stop.wait(self.interval):
            try:
                self.lease.extend()
            except LockLostError as exc:
                self.lost = exc
                return

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        """Beat for the duration of the block, then raise if the lease was lost meanwhile."""
        if self.lease is None:
            yield
            return
        self.lease.extend()
        self._stop.clear()
        thread = threading.Thread(target=self._beat, name="lease-heartbeat", daemon=True)
        thread.start()
        try:
            yield
        finally:
            self._stop.set()
            thread.join()
        if self.lost is not None:
            raise self.lost


class Executor:
    """Runs one run's steps against its context; owns all status, label and comment changes."""

    def __init__(
        self,
        ctx: RunContext,
        *,
        lease: Lease | None = None,
        lease_ttl: float = 600.0,
        after_step: AfterStep | None = None,
    ) -> None:
        self.ctx = ctx
        self.heartbeat = Heartbeat(lease, lease_ttl)
        self.after_step = after_step

    def execute(self) -> RunResult:
        """Run (or resume) to the end; raise the typed error of the step that failed."""
        ctx = self.ctx
        ctx.store.set_status(ctx.run.id, RUNNING)
        prior = recorded_outputs(ctx)
        current = "verify"
        try:
            self._announce()
            ctx.outputs = {}
            verified = self._run_step(STEPS[0])
            if prior.get("verify", {}).get("spec_hash") != verified["spec_hash"]:
                prior = {}  # the request changed since the interrupted attempt: start over
            skip = resume_point(ctx, {**prior, "verify": verified}) if len(prior) > 1 else 1
            ctx.outputs = {"verify": verified}
            for step in STEPS[1:skip]:
                ctx.outputs[step.name] = prior[step.name]
                ctx.store.finish_step(
                    ctx.run.id, step.name, outcome="skipped", output=prior[step.name]
                )
            for step in STEPS[skip:]:
                current = step.name
                self._check_cancelled()
                self._run_step(step)
        except LockLostError:
            raise  # another worker owns the run now: write nothing more
        except CancelledError as exc:
            self._on_cancel(exc)
            raise
        except IssuebotError as exc:
            self._on_failure(current, exc)
            raise
        except Exception as exc:
            detail = redact(Redactor(ctx.secrets)(f"{type(exc).__name__}: {exc}"))[:300]
            error = InternalStepError(f"step {current} crashed: {detail}")
            self._on_failure(current, error)
            raise error from exc
        if self._cancelled():
            cancelled = CancelledError(f"run {ctx.run.id} was cancelled")
            self._on_cancel(cancelled)
            raise cancelled
        ctx.store.set_status(ctx.run.id, SUCCEEDED)
        shutil.rmtree(ctx.workdir, ignore_errors=True)  # everything it held is pushed now
        self._summary("succeeded")
        ctx.store.audit("run-succeeded", actor=ctx.run.actor, repo=ctx.run.repo,
                        issue=ctx.issue, run_id=ctx.run.id, data=self._brief())  # fmt: skip
        return result_of(ctx, SUCCEEDED)

    # -- one step ------------------------------------------------------------------------------
    def _run_step(self, step: Step) -> Output:
        ctx = self.ctx
        ctx.store.start_step(ctx.run.id, step.name)
        log.info("step_started", run_id=ctx.run.id, step=step.name)
        try:
            with self.heartbeat.running():
                output = step.run(ctx)
        except LockLostError:
            raise  # not this step's failure: the run now belongs to another worker
        except IssuebotError as exc:
            ctx.store.finish_step(ctx.run.id, step.name, outcome="failed",
                                  output={"error": exc.audit_event()})  # fmt: skip
            raise
        except Exception as exc:
            crash = {"error": {"kind": "internal", "message": repr(exc)[:500]}}
            ctx.store.finish_step(ctx.run.id, step.name, outcome="failed", output=crash)
            raise
        ctx.store.finish_step(ctx.run.id, step.name, outcome="ok", output=output)
        ctx.outputs[step.name] = output
        if step.name != STEP_NAMES[-1]:
            self._summary("running")
        if self.after_step is not None:
            self.after_step(step.name)
        return output

    # -- cancellation --------------------------------------------------------------------------
    def _cancelled(self) -> bool:
        run = self.ctx.store.get_run(self.ctx.run.id)
        return run is not None and run.status == CANCELLED

    def _check_cancelled(self) -> None:
        if self._cancelled():
            raise CancelledError(f"run {self.ctx.run.id} was cancelled")

    def _on_cancel(self, exc: CancelledError) -> None:
        ctx = self.ctx
        cleanup = cleanup_branch(ctx)
        ctx.store.set_status(ctx.run.id, CANCELLED, error=exc)
        with contextlib.suppress(IssuebotError):
            ctx.gh.remove_label(ctx.issue, ctx.config.labels.in_progress)
            self._summary("cancelled", cleanup=cleanup)

    # -- failure -------------------------------------------------------------------------------
    def _on_failure(self, step: str, exc: IssuebotError) -> None:
        ctx = self.ctx
        log.warning("run_failed", run_id=ctx.run.id, step=step, kind=exc.kind, error=exc.message)
        if self._cancelled():
            return
        ctx.store.set_status(ctx.run.id, FAILED, error=exc)
        ctx.store.audit("run-failed", actor=ctx.run.actor, repo=ctx.run.repo, issue=ctx.issue,
                        run_id=ctx.run.id, data={**exc.audit_event(), "step": step})  # fmt: skip
        with contextlib.suppress(IssuebotError):  # GitHub down: the store still has the truth
            labels = ctx.config.labels
            ctx.gh.add_labels(ctx.issue, [labels.bot_failed])
            ctx.gh.remove_label(ctx.issue, labels.in_progress)
            if isinstance(exc, TestGateError):  # the diagnosis is this failure's own comment
                body = texts.diagnosis_comment(ctx, exc.report)
                ctx.gh.upsert_comment(ctx.issue, DIAGNOSIS_MARKER, body)
            else:
                body = texts.failure_comment(ctx, step, exc, repeats=self._repeats(exc.kind))
                ctx.gh.upsert_comment(ctx.issue, texts.failure_marker(step, exc.kind), body)
            self._summary("failed", error=exc, failed_step=step)

    def _repeats(self, kind: str) -> int:
        """How many of the issue's latest runs in a row failed with ``kind`` (this one too)."""
        ctx = self.ctx
        count = 0
        for run in ctx.store.list_runs(repo=ctx.run.repo, issue=ctx.issue, limit=20):
            if run.status != FAILED or run.error_kind != kind:
                break
            count += 1
        return count

    # -- progress ------------------------------------------------------------------------------
    def _announce(self) -> None:
        ctx = self.ctx
        with contextlib.suppress(IssuebotError):
            ctx.gh.add_reaction("eyes", issue=ctx.issue)
        ctx.gh.add_labels(ctx.issue, [ctx.config.labels.in_progress])
        self._summary("running")

    def _summary(
        self,
        state: str,
        *,
        error: IssuebotError | None = None,
        failed_step: str = "",
        cleanup: str = "",
    ) -> None:
        ctx = self.ctx
        records = ctx.store.steps(ctx.run.id)
        body = texts.summary_comment(
            ctx, records, state=state, error=error, failed_step=failed_step, cleanup=cleanup
        )
        ctx.gh.upsert_comment(ctx.issue, SUMMARY_MARKER, body)

    def _brief(self) -> dict[str, object]:
        out = self.ctx.outputs
        return {
            "pr": out.get("pull_request", {}).get("number"),
            "sha": out.get("push", {}).get("sha"),
            "branch": out.get("workspace", {}).get("branch"),
        }


def cleanup_branch(ctx: RunContext) -> str:
    """Delete the branch this run pushed, unless a PR uses it or someone moved it."""
    pushed = ctx.outputs.get("push")
    if not pushed:
        return "Nothing was pushed."
    branch = pushed["branch"]
    if ctx.gh.find_pull(branch, state="open") is not None:
        return f"The pull request for `{branch}` stays open."
    if ls_remote(ctx.url(), branch) != pushed["sha"]:
        return f"`{branch}` was left alone: it no longer points at the bot's commit."
    approval = Approval.delete_branch(
        ctx.run.repo, branch, actor=ctx.run.actor, reason="run cancelled"
    )
    try:
        ctx.gh.delete_branch(branch, approval=approval)
    except GitHubError as exc:
        return f"`{branch}` could not be deleted: {exc.message}"
    return f"Branch `{branch}` was deleted."


def result_of(ctx: RunContext, status: str) -> RunResult:
    """The run's result from its recorded outputs and step records."""
    out = ctx.outputs
    steps: dict[str, str] = {}
    durations: dict[str, float] = {}
    for record in ctx.store.steps(ctx.run.id):
        steps[record.name] = record.outcome or "running"
        if record.duration_seconds is not None:
            durations[record.name] = record.duration_seconds
    pr = out.get("pull_request", {})
    test = out.get("test", {})
    return RunResult(
        run_id=ctx.run.id,
        repo=ctx.run.repo,
        issue=ctx.issue,
        status=status,
        branch=out.get("workspace", {}).get("branch"),
        head_sha=out.get("push", {}).get("sha"),
        pr_number=pr.get("number"),
        pr_url=pr.get("url"),
        files=tuple(out.get("commit", {}).get("files", ())),
        tests=test.get("summary"),
        coverage=test.get("coverage"),
        steps=steps,
        durations=durations,
    )
