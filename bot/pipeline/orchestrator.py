"""The Orchestrator: the seed's Python API (`request_feature`, `implement_issue`) and friends.

It wires the collaborators (GitHub repo, run store, locks, settings, repo config), takes the
per-issue lease, and hands one run to the executor. Everything it needs can be injected;
what is not is built from the environment's ``Settings``.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.config import RepoConfig, read_repo_config
from bot.errors import (
    CancelledError,
    IssuebotError,
    LockConflictError,
    NotFoundError,
    UsageError,
)
from bot.github import ClientOptions, GitHubRepo, connect_repo
from bot.gitops import GitIdentity
from bot.incidents import AppriseNotifier, IncidentTracker, targets_for
from bot.incidents.tracker import update_quietly
from bot.issuespec.request import request_from_data
from bot.issuespec.request_feature import request_feature
from bot.locks import (
    Lease,
    LockLostError,
    LockManager,
    default_owner,
    issue_lock_key,
    make_lock_manager,
)
from bot.observability import get_logger, register_secret
from bot.pipeline.executor import AfterStep, Executor, cleanup_branch, recorded_outputs, result_of
from bot.pipeline.model import FeatureResult, RunContext, RunResult
from bot.pipeline.render import SUMMARY_MARKER
from bot.pipeline.texts import summary_comment
from bot.settings import Settings, load_settings
from bot.store import CANCELLED, FAILED, SUCCEEDED, RunStore
from bot.store.records import Run

DEFAULT_LOCK_TTL = 600.0
INCIDENT_LOCK_WAIT = 15.0
log = get_logger("issuebot.pipeline")
_REMOTE = re.compile(r"[:/](?P<owner>[A-Za-z0-9_.-]+)/(?P<name>[A-Za-z0-9_.-]+?)(?:\.git)?/?$")


def repo_from_path(path: Path) -> str:
    """`OWNER/NAME` from the checkout's `origin` URL (https, ssh or the emulator's http)."""
    try:
        url = subprocess.run(
            ["git", "-C", str(path), "remote", "get-url", "origin"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError) as exc:
        raise UsageError(
            f"cannot tell the repository of {path}: no git remote 'origin'",
            hint="pass repo='OWNER/NAME'",
        ) from exc
    match = _REMOTE.search(url)
    if match is None:
        raise UsageError(f"origin URL of {path} does not name OWNER/NAME", hint="pass repo=")
    return f"{match['owner']}/{match['name']}"


def client_options(settings: Settings) -> ClientOptions:
    """PyGithub's write spacing protects github.com; a loopback emulator needs none of it."""
    host = urlsplit(settings.github_api_url).hostname or ""
    return ClientOptions.fast() if host in {"127.0.0.1", "localhost", "::1"} else ClientOptions()


class Orchestrator:
    """Turns approved entity-request issues of one repository into tested, linked PRs."""

    def __init__(
        self,
        repo_path: Path | None = None,
        *,
        repo: str | None = None,
        github: GitHubRepo | None = None,
        store: RunStore | None = None,
        locks: LockManager | None = None,
        settings: Settings | None = None,
        config: RepoConfig | None = None,
        lock_ttl_seconds: float = DEFAULT_LOCK_TTL,
        after_step: AfterStep | None = None,
    ) -> None:
        self.settings = settings or load_settings()
        self.repo = repo or repo_from_path(Path(repo_path or "."))
        self._github = github
        self._store = store
        self._locks = locks
        self._config = config
        self.lock_ttl_seconds = lock_ttl_seconds
        self.after_step = after_step
        self.work_dir = Path(self.settings.work_dir).resolve()

    # -- collaborators, built on first use -----------------------------------------------------
    @property
    def store(self) -> RunStore:
        """The run store (opened from DATABASE_URL unless injected)."""
        if self._store is None:
            self._store = RunStore.open(self.settings.database_url)
        return self._store

    @property
    def github(self) -> GitHubRepo:
        """The GitHub repository (connected with the configured credentials unless injected)."""
        if self._github is None:
            self._github = connect_repo(
                self.settings, self.repo, audit=self.store, options=client_options(self.settings)
            )
        return self._github

    @property
    def locks(self) -> LockManager:
        """Leases in Redis (QUEUE_URL) or the SQL store."""
        if self._locks is None:
            self._locks = make_lock_manager(self.settings, self.store)
        return self._locks

    def config(self) -> RepoConfig:
        """The target repo's `.github/issuebot.yml` (read at each run unless injected)."""
        if self._config is not None:
            return self._config
        return read_repo_config(self.github.read_file)

    @classmethod
    def for_repo(cls, repo: str, **kwargs: Any) -> Orchestrator:
        """The orchestrator of ``repo`` (OWNER/NAME) with the given collaborators."""
        return cls(repo=repo, **kwargs)

    # -- public API ----------------------------------------------------------------------------
    def request_feature(  # noqa: PLR0917 - the seed's positional signature
        self,
        title: str,
        description: str,
        user_story: str,
        acceptance_criteria: Sequence[str],
        entity_definition: dict[str, Any],
        api_endpoints: Sequence[str],
        ui_requirements: str | None = None,
    ) -> FeatureResult:
        """File the feature request as a `needs-review` issue (phase 1 of the seed flow)."""
        req = request_from_data(
            {
                "title": title, "description": description, "user_story": user_story,
                "acceptance_criteria": list(acceptance_criteria),
                "entity_definition": entity_definition, "api_endpoints": list(api_endpoints),
                "ui_requirements": ui_requirements,
            }
        )  # fmt: skip
        number, url = request_feature(self.github, req, self.config())
        return FeatureResult(number=number, url=url)

    def implement_issue(
        self, number: int, *, actor: str | None = None, trigger: str = "cli"
    ) -> RunResult:
        """One run from approved issue to PR; LockConflictError if one is already running."""
        self._require_issue(number)
        with self._lease(number) as lease:
            run = self.store.active_run(self.repo, number)
            if run is None:
                run = self.store.create_run(
                    self.repo, number, trigger=trigger, actor=actor or self.settings.bot_login
                )
            return self._execute(run, lease)

    def _require_issue(self, number: int) -> None:
        """Fail before any run is recorded when the issue, the repo or the credentials are off."""
        if number < 1:
            raise UsageError(f"issue numbers start at 1, not {number}")
        try:
            self.github.get_issue(number)
        except NotFoundError as exc:
            raise NotFoundError(
                f"issue #{number} does not exist in {self.repo} (or the bot cannot see it)",
                hint="check --repo and --issue, and that the bot has access to the repository",
            ) from exc

    def retry(self, number: int, *, actor: str | None = None) -> RunResult:
        """A fresh run after a failure (`/retry`): every step is redone against today's base."""
        return self.implement_issue(number, actor=actor, trigger="retry")

    def resume(self, run_id: str) -> RunResult:
        """Continue an interrupted or failed run, skipping steps whose outputs still hold."""
        run = self._run(run_id)
        if run.status == SUCCEEDED:  # nothing left to do: report what the run produced
            ctx = self._context(run)
            ctx.outputs = recorded_outputs(ctx)
            return result_of(ctx, SUCCEEDED)
        if run.status == CANCELLED:  # e.g. `/cancel` while its job was still queued
            raise CancelledError(f"run {run_id} was cancelled", hint="/implement starts over")
        with self._lease(run.issue) as lease:
            run = self._run(run_id)
            return self._execute(run, lease)

    def cancel(self, number: int, *, actor: str | None = None) -> str:
        """Stop the issue's run between steps and delete its branch if no PR uses it."""
        run = self.store.active_run(self.repo, number)
        if run is None:
            latest = self.store.list_runs(repo=self.repo, issue=number, limit=1)
            if not latest or latest[0].status in {SUCCEEDED, CANCELLED}:
                return f"nothing to cancel for {self.repo}#{number}"
            run = latest[0]
        who = actor or self.settings.bot_login
        self.store.set_status(run.id, CANCELLED, error=CancelledError(f"cancelled by {who}"))
        lease = self.locks.acquire(
            issue_lock_key(self.repo, number), self.lock_ttl_seconds, owner=default_owner("cancel")
        )
        if lease is None:  # a worker is executing it: it stops and cleans up at the next step
            return f"run {run.id} will stop after its current step"
        try:
            ctx = self._context(run)
            ctx.outputs = recorded_outputs(ctx)
            note = cleanup_branch(ctx)
            self.github.remove_label(number, ctx.config.labels.in_progress)
            body = summary_comment(ctx, self.store.steps(run.id), state="cancelled", cleanup=note)
            self.github.upsert_comment(number, SUMMARY_MARKER, body)
        finally:
            lease.release()
        return f"run {run.id} cancelled. {note}"

    def evaluate_merge(self, pr: int, *, head_sha: str | None = None) -> object:
        """Hand a bot PR whose checks changed to the merge gate (`bot.gates`)."""
        from bot.gates.merge import evaluate_pull  # noqa: PLC0415 - gates load only when merging

        if head_sha is not None and self.github.get_pull(pr).head_sha != head_sha:
            return None  # an event about an older head: the newer one will come
        return evaluate_pull(
            self.github, pr, self.config(), audit=self.store, locks=self.locks,
            bot_login=self.settings.bot_login, runs=self.store,
        )  # fmt: skip

    def status(self, number: int) -> str:
        """One line on the issue's latest run: status, current step, PR or error."""
        runs = self.store.list_runs(repo=self.repo, issue=number, limit=1)
        if not runs:
            return f"{self.repo}#{number}: no runs yet"
        run = runs[0]
        steps = self.store.steps(run.id)
        line = f"{self.repo}#{number}: run {run.id} {run.status}"
        if steps:
            last = steps[-1]
            line += f", step {last.name} {last.outcome or 'running'}"
        pr = [s.output.get("url") for s in steps if s.name == "pull_request" and s.output]
        if pr and pr[-1]:
            line += f", PR {pr[-1]}"
        if run.status == FAILED and run.error_message:
            line += f" ({run.error_kind}: {run.error_message})"
        return line

    # -- internals -----------------------------------------------------------------------------
    def _run(self, run_id: str) -> Run:
        run = self.store.get_run(run_id)
        if run is None:
            raise NotFoundError(f"no run {run_id}")
        if run.repo != self.repo:
            raise UsageError(f"run {run_id} belongs to {run.repo}, not {self.repo}")
        return run

    def _lease(self, number: int) -> _Held:
        lease = self.locks.acquire(
            issue_lock_key(self.repo, number), self.lock_ttl_seconds, owner=default_owner("run")
        )
        if lease is None:
            active = self.store.active_run(self.repo, number)
            detail = f" (run {active.id})" if active else ""
            raise LockConflictError(
                f"{self.repo}#{number} is already running{detail}",
                hint="wait for it, or check `issuebot runs list`",
            )
        return _Held(lease)

    def _context(self, run: Run) -> RunContext:
        settings = self.settings
        secrets = [
            s.get_secret_value()
            for s in (
                settings.github_token,
                settings.webhook_secret,
                settings.github_app_private_key,
            )
            if s is not None
        ]
        for secret in secrets:
            register_secret(secret)
        return RunContext(
            run=run,
            gh=self.github,
            store=self.store,
            config=self.config(),
            settings=settings,
            identity=GitIdentity(settings.bot_login, settings.bot_email),
            workdir=self.work_dir / self.repo.replace("/", "__") / run.id,
            secrets=secrets,
        )

    def _execute(self, run: Run, lease: Lease) -> RunResult:
        executor = Executor(
            self._context(run),
            lease=lease,
            lease_ttl=self.lock_ttl_seconds,
            after_step=self.after_step,
        )
        try:
            result = executor.execute()
        except (LockLostError, CancelledError):
            raise  # not this worker's outcome to count, or not a failure
        except IssuebotError:
            self._track_incident()
            raise
        self._track_incident()
        return result

    def _track_incident(self) -> None:
        """Open, escalate or resolve the repository's incident (one updater at a time)."""
        config = self.config()
        if not config.notify.incidents:
            return
        key = f"incident:{self.repo}"
        deadline = time.monotonic() + INCIDENT_LOCK_WAIT
        while (lease := self.locks.acquire(key, 60, owner=default_owner("incident"))) is None:
            if time.monotonic() > deadline:
                log.warning("incident_update_skipped", repo=self.repo, reason="lock busy")
                return
            time.sleep(0.2)
        try:
            tracker = IncidentTracker(
                self.github, self.store, config, bot_login=self.settings.bot_login,
                notifier=AppriseNotifier(),
                targets=targets_for(self.settings.notify_urls, config.notify.urls),
            )  # fmt: skip
            update_quietly(tracker)
        finally:
            lease.release()


class _Held:
    """Releases the lease when the run ends, however it ends (a SIGKILL leaves it to the TTL)."""

    def __init__(self, lease: Lease) -> None:
        self.lease = lease

    def __enter__(self) -> Lease:
        return self.lease

    def __exit__(self, *exc: object) -> None:
        self.lease.release()
