"""The emulator's opt-in CI: run a pushed commit's workflows and report each job as a check run.

Off unless asked for (``issuebot emulator --run-workflows``, ``start_emulator(run_workflows=
...)``), so worlds that post their own checks are unaffected. A push to a branch and a pull
request opened or synchronized queue the commit; one background thread takes them in order,
reads ``.github/workflows/*.yml`` at that commit, and for every workflow whose ``on:``
matches posts one check run per job as the "GitHub Actions" app (queued, in_progress,
completed), then announces ``workflow_run.completed``. What a job may do, and what makes
it neutral instead, is bot/emulator/runner.py's to say.

Limits: pull request jobs run the head commit (GitHub runs a merge commit), pull requests
from forks run nothing, and jobs run one at a time. A job still running when the emulator
stops is abandoned with its directory.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from bot.emulator import checks, gitrepo, workflows
from bot.emulator.runner import (
    Context,
    JobPlan,
    JobResult,
    Unsupported,
    plan_jobs,
    run_job,
    triggered,
    unsupported_result,
)
from bot.emulator.state import Issue, Repo
from bot.errors import ConfigError
from bot.observability import get_logger
from bot.testgate.sandbox import Sandbox, SandboxMode, resolve_sandbox

if TYPE_CHECKING:
    from bot.emulator.core import Emulator

ACTIONS_LOGIN = "github-actions[bot]"
WORKFLOWS_DIR = ".github/workflows"
log = get_logger("issuebot.emulator.actions")


@dataclass(frozen=True)
class RunnerSettings:
    """How the runner runs: sandbox mode, extra job environment, ``vars``, a job filter.

    ``env`` is the runner machine's (e.g. ``PIP_FIND_LINKS`` of a local wheel directory);
    ``jobs``, when set, names the only job ids that run (a testing aid to keep runs short:
    the others are not posted at all).
    """

    sandbox: SandboxMode = "auto"
    env: Mapping[str, str] = field(default_factory=dict)
    vars: Mapping[str, str] = field(default_factory=dict)
    jobs: frozenset[str] | None = None


@dataclass(frozen=True)
class _Trigger:
    repo: Repo
    sha: str
    event: str
    ref: str
    branch: str  # pushed branch, or the pull request's base
    action: str = ""


class WorkflowRunner:
    """A queue of triggered commits and the one thread that runs their workflows."""

    def __init__(self, emulator: Emulator, settings: RunnerSettings) -> None:
        self.emulator = emulator
        self.settings = settings
        self._pending: list[_Trigger] = []
        self._busy = False
        self._closed = False
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._sandbox: Sandbox | str | None = None  # resolved on first use; str: why none
        self._root = Path(tempfile.mkdtemp(prefix="issuebot-actions-"))

    # -- triggers (called from request handlers: only queue) -------------------------------
    def on_push(self, repo: Repo, branch: str, sha: str) -> None:
        """A branch moved to ``sha``."""
        self._queue(_Trigger(repo, sha, "push", f"refs/heads/{branch}", branch))

    def on_pull_request(self, repo: Repo, issue: Issue, action: str) -> None:
        """A pull request was opened or its head moved (``synchronize``)."""
        pull = issue.pull
        if pull is None or pull.head_repo is not None:
            return  # forks: GitHub asks a maintainer first; this runner does not run them
        ref = f"refs/pull/{issue.number}/head"
        self._queue(_Trigger(repo, pull.head_sha, "pull_request", ref, pull.base_ref, action))

    def _queue(self, trigger: _Trigger) -> None:
        with self._cond:
            if self._closed:
                return
            self._pending.append(trigger)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._work, name="emulator-actions", daemon=True
                )
                self._thread.start()
            self._cond.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Block until every queued trigger has run; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._pending and not self._busy, timeout)

    def close(self) -> None:
        """Run nothing more; the current job (if any) is abandoned to its thread."""
        with self._cond:
            self._closed = True
            self._pending.clear()
            self._cond.notify_all()
            if self._thread is not None:
                return  # the worker removes the job directories once its job is over
        shutil.rmtree(self._root, ignore_errors=True)

    # -- the worker thread ----------------------------------------------------------------
    def _work(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending or self._closed)
                if self._closed:
                    shutil.rmtree(self._root, ignore_errors=True)
                    return
                trigger = self._pending.pop(0)
                self._busy = True
            try:
                self._run_workflows(trigger)
            except Exception as exc:  # one bad run must not stop the runner
                if not self._closed:  # after close, the git dirs are gone: expected
                    log.error("workflow_runner_failed", repo=trigger.repo.full_name,
                              sha=trigger.sha, error=repr(exc))  # fmt: skip
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _sandbox_or_reason(self) -> Sandbox | str:
        if self._sandbox is None:
            try:
                self._sandbox = resolve_sandbox(self.settings.sandbox)
            except ConfigError as exc:
                self._sandbox = f"no sandbox to run repository code in: {exc.message}"
        return self._sandbox

    def _run_workflows(self, trigger: _Trigger) -> None:
        repo = trigger.repo
        entries = gitrepo.tree_entries(repo.git_dir, trigger.sha, WORKFLOWS_DIR) or []
        names = sorted(n for t, _, n in entries if t == "blob" and n.endswith((".yml", ".yaml")))
        for name in names:
            if self._closed:
                return
            self._run_workflow(trigger, f"{WORKFLOWS_DIR}/{name}")

    def _run_workflow(self, trigger: _Trigger, path: str) -> None:
        repo = trigger.repo
        raw = gitrepo.read_blob(repo.git_dir, trigger.sha, path) or b""
        ctx = Context(trigger.sha, trigger.ref, repo.full_name, trigger.event,
                      self.settings.vars)  # fmt: skip
        try:
            workflow = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            bad = JobResult("failure", f"Invalid workflow file {path}: {exc}", "")
            self._post(repo, trigger.sha, path, bad)
            return
        if not isinstance(workflow, dict):
            return
        try:
            if not triggered(workflow, trigger.event, trigger.branch, trigger.action):
                return
            plans = plan_jobs(workflow, ctx)
        except Unsupported as why:
            plans = [
                JobPlan(p.job_id, p.name, unsupported=str(why))
                for p in plan_jobs({"jobs": workflow.get("jobs")}, ctx)
            ]
        wanted = self.settings.jobs
        plans = [p for p in plans if wanted is None or p.job_id in wanted]
        if not plans:
            return
        ids = [self._create(repo, trigger.sha, p.name) for p in plans]
        results = [
            self._run_one(trigger, ctx, plan, run_id)
            for plan, run_id in zip(plans, ids, strict=True)
        ]
        overall = _overall([r.conclusion for r in results])
        name = str(workflow.get("name") or path)
        workflows.complete_workflow_run(self.emulator, repo, sha=trigger.sha, name=name,
                                        conclusion=overall, login=ACTIONS_LOGIN, path=path,
                                        event=trigger.event)  # fmt: skip

    def _run_one(self, trigger: _Trigger, ctx: Context, plan: JobPlan, run_id: int) -> JobResult:
        if plan.unsupported:
            result = unsupported_result(plan)
        else:
            sandbox = self._sandbox_or_reason()
            if isinstance(sandbox, str):
                result = JobResult("neutral", f"Not run: {sandbox}.", "")
            else:
                self._update(trigger.repo, run_id, {"status": "in_progress"})
                job_dir = Path(tempfile.mkdtemp(prefix=f"{plan.job_id}-", dir=self._root))
                try:
                    result = run_job(plan, git_dir=trigger.repo.git_dir, ctx=ctx,
                                     job_dir=job_dir, sandbox=sandbox,
                                     runner_env=self.settings.env)  # fmt: skip
                except OSError as exc:  # the sandbox itself could not start: never green
                    result = JobResult("failure", f"Runner error, job not run: {exc}", "")
                finally:
                    shutil.rmtree(job_dir, ignore_errors=True)
        self._update(trigger.repo, run_id, _completed(result))
        return result

    # -- check runs --------------------------------------------------------------------
    def _create(self, repo: Repo, sha: str, name: str) -> int:
        body = {"name": name, "head_sha": sha, "status": "queued"}
        return checks.create_check_run(self.emulator, repo, ACTIONS_LOGIN, body).id

    def _update(self, repo: Repo, run_id: int, body: dict[str, Any]) -> None:
        run = repo.check_runs[run_id]
        checks.update_check_run(self.emulator, repo, run, ACTIONS_LOGIN, body)

    def _post(self, repo: Repo, sha: str, name: str, result: JobResult) -> None:
        self._update(repo, self._create(repo, sha, name), _completed(result))


def _overall(conclusions: list[str]) -> str:
    """A workflow run's conclusion from its jobs': any red wins, then any green."""
    for conclusion in ("failure", "timed_out", "success"):
        if conclusion in conclusions:
            return conclusion
    return "neutral"


def _completed(result: JobResult) -> dict[str, Any]:
    title = {"success": "Passed", "failure": "Failed", "timed_out": "Timed out"}.get(
        result.conclusion, "Not run"
    )
    output = {"title": title, "summary": result.summary, "text": result.log[-60_000:] or None}
    return {"status": "completed", "conclusion": result.conclusion, "output": output}
