"""The emulator object: state, webhook sender and fault plan, plus world-building operations.

Routes reach it through ``request.app.state.emulator``; the test handle and the admin
HTTP endpoints call the same methods, so a seed, a fixture and a demo build identical worlds.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import Request

from bot.emulator import gitrepo
from bot.emulator.auth import mint_token_for
from bot.emulator.faults import FaultInjector
from bot.emulator.keys import public_from_private, shared_key_pair
from bot.emulator.requestlog import RequestLog
from bot.emulator.seed import AppSeed, Seed
from bot.emulator.serializers import org_json, repo_json, user_json
from bot.emulator.state import App, Label, Repo, Store, Team, User
from bot.emulator.webhooks import Delivery, WebhookSender

if TYPE_CHECKING:
    from bot.emulator.actions import RunnerSettings, WorkflowRunner

ACTIONS_LOGIN = "github-actions[bot]"


class Emulator:
    """One local GitHub."""

    def __init__(self, root: Path, base_url: str = "http://127.0.0.1") -> None:
        self.store = Store(root, base_url)
        self.hooks = WebhookSender()
        self.faults = FaultInjector()
        self.requests = RequestLog()
        self.app_private_keys: dict[int, str] = {}
        self.actions: WorkflowRunner | None = None  # CI runner, off unless run_workflows()

    def run_workflows(self, settings: RunnerSettings) -> None:
        """Turn on the CI runner: pushes and pull requests run their repo's workflows."""
        from bot.emulator.actions import WorkflowRunner  # noqa: PLC0415 - it imports us

        self.actions = WorkflowRunner(self, settings)

    # -- world building -------------------------------------------------------------
    def add_user(self, login: str, token: str | None, type_: str = "User", **extra: Any) -> User:
        """Create (or update) an account and register its token."""
        with self.store.lock:
            user = self.store.ensure_user(login, type_)
            user.type = type_
            user.name = extra.get("name", user.name)
            user.email = extra.get("email", user.email)
            if token:
                self.store.tokens[token] = user.login
            return user

    def create_repo(
        self,
        full_name: str,
        files: dict[str, bytes] | None = None,
        default_branch: str = "main",
        *,
        private: bool = False,
        description: str | None = None,
    ) -> Repo:
        """A repository with a bare git dir and, if files are given, one initial commit."""
        owner, _, name = full_name.partition("/")
        if not owner or not name or "/" in name:
            raise ValueError(f"repository name must be owner/name, got {full_name!r}")
        with self.store.lock:
            if self.store.repo(owner, name) is not None:
                raise ValueError(f"repository {full_name} already exists")
            if self.store.user(owner) is None:
                self.store.ensure_user(owner, "Organization")
            git_dir = self.store.root / owner / f"{name}.git"
            gitrepo.init_bare(git_dir, default_branch)
            repo = Repo(
                id=self.store.next_id(),
                owner=owner,
                name=name,
                git_dir=git_dir,
                default_branch=default_branch,
                private=private,
                description=description,
            )
            self.store.repos[full_name] = repo
        if files:
            gitrepo.commit_files(git_dir, default_branch, files, "Initial commit")
        return repo

    def fork_repo(self, full_name: str, owner: str) -> Repo:
        """``owner``'s fork of a repository: every branch copied, ``owner`` its admin."""
        source = self.repo_or_raise(full_name)
        fork = self.create_repo(f"{owner}/{source.name}", default_branch=source.default_branch)
        gitrepo.git(fork.git_dir, "fetch", "-q", str(source.git_dir), "+refs/heads/*:refs/heads/*")
        with self.store.lock:
            fork.parent = source.full_name
        self.set_permission(fork.full_name, owner, "admin")
        return fork

    def set_permission(self, full_name: str, login: str, permission: str) -> None:
        """Grant ``permission`` (admin..read, or none to remove) to ``login`` on a repo."""
        repo = self.repo_or_raise(full_name)
        with self.store.lock:
            self.store.ensure_user(login)
            if permission == "none":
                repo.permissions.pop(login, None)
            else:
                repo.permissions[login] = permission

    def add_team(self, full_name: str, slug: str, permission: str = "push") -> Team:
        """Give the owner's team ``slug`` access to a repository (so it can be asked to review)."""
        repo = self.repo_or_raise(full_name)
        with self.store.lock:
            team = Team(self.store.next_id(), slug, slug.replace("-", " ").title(), permission)
            repo.teams[slug] = team
            return team

    def add_team_member(self, org: str, slug: str, login: str, role: str = "member") -> None:
        """Make ``login`` an active member (or maintainer) of team ``org/slug``."""
        if role not in ("member", "maintainer"):
            raise ValueError(f"team role must be member or maintainer, not {role!r}")
        with self.store.lock:
            user = self.store.ensure_user(login)
            members = self.store.team_members.setdefault((org.lower(), slug.lower()), {})
            members[user.login] = role

    def set_merge_methods(self, full_name: str, allowed: dict[str, bool]) -> dict[str, bool]:
        """Turn merge buttons on or off (``merge``, ``squash``, ``rebase``); returns all three."""
        repo = self.repo_or_raise(full_name)
        unknown = set(allowed) - set(repo.merge_methods)
        if unknown:
            raise ValueError(f"merge methods are merge, squash and rebase, not {sorted(unknown)}")
        with self.store.lock:
            repo.merge_methods.update({k: bool(v) for k, v in allowed.items()})
            return dict(repo.merge_methods)

    def add_label(self, full_name: str, name: str, color: str, description: str | None) -> Label:
        """Create a label on a repository."""
        repo = self.repo_or_raise(full_name)
        with self.store.lock:
            label = Label(self.store.next_id(), name, color.lstrip("#"), description)
            repo.labels[name] = label
            return label

    def add_app(self, seed: AppSeed) -> App:
        """Register a GitHub App; an app seeded without keys gets the generated pair, lazily."""
        private, public = seed.private_key, seed.public_key
        if public is None and private is not None:
            public = public_from_private(private)
        with self.store.lock:
            self.store.ensure_user(seed.owner, "Organization")
            self.store.ensure_user(seed.bot_login, "Bot")
            app = App(
                id=seed.id,
                slug=seed.slug,
                name=seed.name,
                owner=seed.owner,
                bot_login=seed.bot_login,
                public_key=public,
                installation_id=self.store.next_id() + 10_000_000,
                repos=list(seed.installed_on),
                permissions=dict(seed.permissions),
                events=list(seed.events),
            )
            self.store.apps[app.id] = app
        if private is not None:
            self.app_private_keys[app.id] = private
        return app

    def mint_actions_token(self, full_name: str) -> str:
        """A workflow's ``GITHUB_TOKEN`` for ``full_name``: an installation token of GitHub
        Actions' own App, acting as ``github-actions[bot]`` with write on that repository."""
        self.repo_or_raise(full_name)
        with self.store.lock:
            self.store.ensure_user(ACTIONS_LOGIN, "Bot")
        self.set_permission(full_name, ACTIONS_LOGIN, "write")
        return mint_token_for(self.store, ACTIONS_LOGIN).token

    def app_private_key(self, app_id: int) -> str | None:
        """The private key an App signs its JWTs with, if the emulator knows it."""
        app = self.store.apps.get(app_id)
        if app is not None and app.public_key is None:
            return shared_key_pair()[0]  # generated on first use (RSA is slow to make)
        return self.app_private_keys.get(app_id)

    def load(self, seed: Seed) -> None:
        """Build the world a seed describes."""
        for user in seed.users:
            self.add_user(user.login, user.token, user.type, name=user.name, email=user.email)
        for app in seed.apps:
            self.add_app(app)
        for repo_seed in seed.repos:
            files = {k: v.encode() for k, v in repo_seed.files.items()}
            if repo_seed.source_dir is not None:
                files |= gitrepo.read_dir(repo_seed.source_dir)
            repo = self.create_repo(
                repo_seed.full_name,
                files,
                repo_seed.default_branch,
                private=repo_seed.private,
                description=repo_seed.description,
            )
            for login, permission in repo_seed.permissions.items():
                self.set_permission(repo.full_name, login, permission)
            for label in repo_seed.labels:
                self.add_label(repo.full_name, label.name, label.color, label.description)
            repo.protection.update(repo_seed.required_checks)
            repo.merge_methods.update({str(k): v for k, v in repo_seed.merge_methods.items()})
        for team in seed.teams:
            for full_name in team.repos:
                self.add_team(full_name, team.slug, team.permission)
            for login, role in team.members.items():
                self.add_team_member(team.org, team.slug, login, role)
        if seed.webhook is not None:
            self.hooks.configure(seed.webhook.url, seed.webhook.secret)

    def repo_or_raise(self, full_name: str) -> Repo:
        """The repository ``owner/name``; KeyError if it does not exist."""
        owner, _, name = full_name.partition("/")
        repo = self.store.repo(owner, name)
        if repo is None:
            raise KeyError(f"no repository {full_name}")
        return repo

    def installation_for(self, repo: Repo) -> App | None:
        """The app installed on ``repo`` (the first, as one bot is installed per repo)."""
        for app in self.store.apps.values():
            if any(r.lower() == repo.full_name.lower() for r in app.repos):
                return app
        return None

    # -- webhooks -------------------------------------------------------------------
    def emit(self, event: str, repo: Repo, sender: str, **fields: Any) -> Delivery:
        """Queue one webhook with GitHub's envelope (repository, sender, installation, org)."""
        with self.store.lock:
            payload: dict[str, Any] = dict(fields)
            payload["repository"] = repo_json(self.store, repo)
            payload["sender"] = user_json(self.store, sender)
            owner = self.store.user(repo.owner)
            if owner is not None and owner.type == "Organization":
                payload["organization"] = org_json(self.store, repo.owner)
            app = self.installation_for(repo)
            if app is not None:
                payload["installation"] = {
                    "id": app.installation_id,
                    "node_id": f"MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u{app.installation_id}",
                }
        return self.hooks.emit(event, payload)

    def close(self, timeout: float = 15.0) -> None:
        """Stop background threads, giving queued webhooks up to ``timeout`` s to go out."""
        if self.actions is not None:
            self.actions.close()
        self.hooks.close(timeout)


def emulator_of(request: Request) -> Emulator:
    """The emulator serving this request."""
    found = request.app.state.emulator
    assert isinstance(found, Emulator)
    return found
