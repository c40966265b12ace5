"""Start an emulator in-process for tests and scripts: ``with start_emulator() as gh: ...``.

The handle drives the emulator directly (no HTTP) for setup, and hands out real PyGithub
clients and git clone URLs for the code under test.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import github
from github import Auth

from bot.emulator import checks, workflows
from bot.emulator.actions import RunnerSettings
from bot.emulator.core import Emulator
from bot.emulator.faults import Fault
from bot.emulator.requestlog import RequestRecord
from bot.emulator.seed import DEFAULT_PERMISSIONS, Seed, default_seed
from bot.emulator.server import BackgroundServer
from bot.emulator.state import CheckRun
from bot.emulator.webhooks import Delivery


class EmulatorHandle:
    """A running emulator: its URLs, its users' tokens, and admin operations."""

    def __init__(self, emulator: Emulator, server: BackgroundServer) -> None:
        self.emulator = emulator
        self.server = server
        self.port: int = server.port
        self.api_url = f"http://127.0.0.1:{server.port}"
        self.web_url = self.api_url
        self.root: Path = emulator.store.root

    # -- identities -----------------------------------------------------------------
    def token(self, login: str) -> str:
        """The token of ``login`` (KeyError if the user has none)."""
        for token, owner in self.emulator.store.tokens.items():
            if owner.lower() == login.lower():
                return token
        raise KeyError(f"no token for {login}")

    def github(self, login: str) -> github.Github:
        """A PyGithub client acting as ``login``: retries and client-side throttling off."""
        return github.Github(
            auth=Auth.Token(self.token(login)),
            base_url=self.api_url,
            retry=None,
            seconds_between_requests=None,
            seconds_between_writes=None,
        )

    def add_user(self, login: str, token: str, type_: str = "User") -> None:
        """Create a user with a token."""
        self.emulator.add_user(login, token, type_)

    # -- apps -----------------------------------------------------------------------
    @property
    def app_id(self) -> int:
        """The id of the first (default: ``issuebot``) GitHub App."""
        return next(iter(self.emulator.store.apps))

    def app_private_key(self, app_id: int | None = None) -> str:
        """The PEM private key of an app (generated at start when the seed had none)."""
        key = self.emulator.app_private_key(app_id or self.app_id)
        if key is None:
            raise KeyError(f"the emulator does not know app {app_id}'s private key")
        return key

    def installation_id(self, app_id: int | None = None) -> int:
        """The installation id of an app."""
        return self.emulator.store.apps[app_id or self.app_id].installation_id

    # -- repositories ---------------------------------------------------------------
    def create_repo(
        self,
        full_name: str,
        files: dict[str, str] | None = None,
        default_branch: str = "main",
        *,
        private: bool = False,
    ) -> None:
        """A new repository, with one initial commit of ``files`` if given."""
        encoded = {path: text.encode() for path, text in (files or {}).items()}
        self.emulator.create_repo(full_name, encoded, default_branch, private=private)

    def create_target_repo(self, full_name: str, files: dict[str, str] | None = None) -> None:
        """A new repository with the default users' permissions (as in ``acme/widgets``)."""
        self.create_repo(full_name, files)
        for login, permission in DEFAULT_PERMISSIONS.items():
            self.set_permission(full_name, login, permission)

    def fork_repo(self, full_name: str, owner: str) -> str:
        """``owner``'s fork of ``full_name`` (same name); its OWNER/NAME."""
        return self.emulator.fork_repo(full_name, owner).full_name

    def set_permission(self, full_name: str, login: str, permission: str) -> None:
        """Grant admin/maintain/write/triage/read, or ``none`` to revoke."""
        self.emulator.set_permission(full_name, login, permission)

    def add_team(self, full_name: str, slug: str, permission: str = "push") -> None:
        """Give the owner's team ``slug`` access to a repository (a possible reviewer)."""
        self.emulator.add_team(full_name, slug, permission)

    def add_team_member(self, org: str, slug: str, login: str, role: str = "member") -> None:
        """Make ``login`` an active ``member`` or ``maintainer`` of team ``org/slug``."""
        self.emulator.add_team_member(org, slug, login, role)

    def actions_token(self, full_name: str) -> str:
        """A GitHub Actions ``GITHUB_TOKEN`` for a workflow running in ``full_name``."""
        return self.emulator.mint_actions_token(full_name)

    def set_merge_methods(self, full_name: str, **allowed: bool) -> None:
        """Turn a repository's merge buttons on or off (``rebase=False``...)."""
        self.emulator.set_merge_methods(full_name, allowed)

    def clone_url(self, full_name: str, login: str | None = None) -> str:
        """Smart-HTTP URL; with ``login``, its token is embedded for push/fetch."""
        if login is None:
            return f"{self.web_url}/{full_name}.git"
        token = quote(self.token(login), safe="")
        return f"http://x-access-token:{token}@127.0.0.1:{self.port}/{full_name}.git"

    def git_dir(self, full_name: str) -> Path:
        """The bare repository on disk (for assertions with plain git)."""
        return self.emulator.repo_or_raise(full_name).git_dir

    # -- webhooks -------------------------------------------------------------------
    def set_webhook(self, url: str | None, secret: str | None) -> None:
        """Deliver every event to ``url`` signed with ``secret``."""
        self.emulator.hooks.configure(url, secret)

    def deliveries(self) -> list[Delivery]:
        """Every delivery so far (each with id, event, action, payload, status_code, ...)."""
        return self.emulator.hooks.deliveries()

    def wait_for_delivery(
        self,
        event: str,
        action: str | None = None,
        predicate: Callable[[Delivery], bool] | None = None,
        timeout: float = 10.0,
    ) -> Delivery:
        """The first finished delivery matching; TimeoutError after ``timeout`` seconds."""
        return self.emulator.hooks.wait_for(event, action, predicate, timeout)

    def redeliver(self, delivery_id: str) -> Delivery:
        """Send a past delivery again (same X-GitHub-Delivery GUID, as GitHub does)."""
        return self.emulator.hooks.redeliver(delivery_id)

    # -- faults and CI --------------------------------------------------------------
    def inject_fault(
        self, method: str, path_regex: str, kind: str, count: int = 1, delay: float = 0.0
    ) -> Fault:
        """The next ``count`` calls matching fail with ``kind`` (see bot.emulator.faults)."""
        return self.emulator.faults.add(method, path_regex, kind, count, delay)

    def requests(self) -> list[RequestRecord]:
        """Every request answered so far (method, path, status, arrival), oldest first."""
        return self.emulator.requests.records()

    def set_required_checks(self, full_name: str, branch: str, contexts: list[str]) -> None:
        """Protect ``branch`` so merges need these check names to be green."""
        self.emulator.repo_or_raise(full_name).protection[branch] = list(contexts)

    def post_check(
        self, full_name: str, sha: str, name: str, conclusion: str, login: str = "ci-bot"
    ) -> int:
        """Report a completed check run as CI would; returns its id."""
        repo = self.emulator.repo_or_raise(full_name)
        body = {"name": name, "head_sha": sha, "status": "completed", "conclusion": conclusion}
        return checks.create_check_run(self.emulator, repo, login, body).id

    def wait_for_workflows(self, timeout: float = 120.0) -> None:
        """Block until the CI runner has run everything triggered so far."""
        runner = self.emulator.actions
        if runner is None:
            raise RuntimeError("the CI runner is off: start_emulator(run_workflows=True)")
        if not runner.wait_idle(timeout):
            raise TimeoutError(f"workflows still running after {timeout} s")

    def check_runs(self, full_name: str, sha: str) -> dict[str, CheckRun]:
        """The check runs on ``sha`` by name (the latest of each name)."""
        repo = self.emulator.repo_or_raise(full_name)
        with self.emulator.store.lock:
            runs = sorted(repo.check_runs.values(), key=lambda r: r.id)
            return {r.name: r for r in runs if r.head_sha == sha}

    def complete_workflow_run(
        self,
        full_name: str,
        sha: str,
        name: str = "CI",
        conclusion: str = "success",
        login: str = "ci-bot",
    ) -> dict[str, object]:
        """Announce ``workflow_run.completed`` as GitHub Actions would; returns the run."""
        repo = self.emulator.repo_or_raise(full_name)
        return workflows.complete_workflow_run(
            self.emulator, repo, sha=sha, name=name, conclusion=conclusion, login=login
        )


@contextmanager
def start_emulator(
    seed: Seed | None = None,
    *,
    webhook_url: str | None = None,
    webhook_secret: str | None = None,
    run_workflows: RunnerSettings | bool = False,
) -> Iterator[EmulatorHandle]:
    """Serve a fresh emulator on a free 127.0.0.1 port; everything is removed on exit.

    ``run_workflows`` turns on the CI runner (bot/emulator/actions.py), with settings or not.
    """
    with tempfile.TemporaryDirectory(prefix="issuebot-emulator-") as tmp:
        emulator = Emulator(Path(tmp) / "git")
        server = BackgroundServer(emulator)
        emulator.store.base_url = f"http://127.0.0.1:{server.port}"
        try:
            emulator.load(seed if seed is not None else default_seed())
            if run_workflows:
                settings = run_workflows if isinstance(run_workflows, RunnerSettings) else None
                emulator.run_workflows(settings or RunnerSettings())
            if webhook_url is not None:
                emulator.hooks.configure(webhook_url, webhook_secret)
            server.start()
            yield EmulatorHandle(emulator, server)
        finally:
            server.stop()
            emulator.close()
