"""A correctly set-up App installation on the emulator, to break one piece at a time."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.config import Labels
from bot.doctor import Verdict, run_doctor
from bot.doctor.facts import scaffold_checks
from bot.doctor.labels import wanted_labels
from bot.emulator import gitrepo
from bot.emulator.routes_apps import ping
from bot.emulator.seed import LabelSeed, default_seed
from bot.emulator.state import App, Repo
from bot.emulator.testing import EmulatorHandle, start_emulator
from bot.github.requirements import required_events, required_permissions
from bot.queue import InProcessQueue
from bot.scaffold.write import scaffold_files
from bot.server.app import create_app
from bot.server.background import serve_in_thread
from bot.settings import Settings
from bot.store import RunStore

REPO = "acme/widgets"
CONFIG = ".github/issuebot.yml"
SECRET = "doctor-webhook-secret"


@dataclass
class Installation:
    """The emulator, its App and repo, and the environment `issuebot doctor` runs with."""

    gh: EmulatorHandle
    webhook_url: str  # `issuebot serve`'s /webhook, verifying with SECRET
    env: dict[str, str]
    files: dict[str, bytes]

    @property
    def app(self) -> App:
        """The bot's App as the emulator stores it."""
        return self.gh.emulator.store.apps[self.gh.app_id]

    @property
    def repo(self) -> Repo:
        """The target repository."""
        return self.gh.emulator.repo_or_raise(REPO)

    def ping(self) -> None:
        """GitHub's ping to the App's webhook, delivered."""
        assert ping(self.gh.emulator, self.app).done.wait(10)

    def commit(self, path: str, text: str) -> None:
        """Change one file on main (the emulator writes whole trees)."""
        self.files[path] = text.encode()
        gitrepo.commit_files(self.repo.git_dir, "main", self.files, f"Change {path}")

    def doctor(
        self, env: dict[str, str] | None = None, *, fix: bool = False, replace: bool = False
    ) -> dict[str, Verdict]:
        """Run every gate in-process with this environment plus ``env`` (or ``env`` alone)."""
        values = (env or {}) if replace else self.env | (env or {})
        saved = {k: os.environ.get(k) for k in ("ISSUEBOT_BWRAP",)}
        if "ISSUEBOT_BWRAP" in values:
            os.environ["ISSUEBOT_BWRAP"] = values["ISSUEBOT_BWRAP"]
        try:
            settings = Settings.model_validate(
                {k: v for k, v in values.items() if k != "ISSUEBOT_BWRAP"}
            )
            return {v.gate: v for v in run_doctor(settings, REPO, fix=fix)}
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


@contextmanager
def installation(tmp_path: Path) -> Iterator[Installation]:
    """The App with exactly the bot's needs, installed on a scaffolded, protected repo, its
    webhook going to the bot's own server (which answers the ping and refuses bad signatures)."""
    seed = default_seed()
    seed.apps[0].permissions = required_permissions()  # type: ignore[assignment]
    seed.apps[0].events = required_events()
    repo = seed.repos[0]
    repo.files[CONFIG] = scaffold_files()[CONFIG]
    repo.labels += [
        LabelSeed(name=name, color=color, description=description)
        for name, (color, description) in wanted_labels(Labels()).styles.items()
    ]
    repo.required_checks = {"main": list(scaffold_checks())}
    database_url = f"sqlite:///{tmp_path / 'store.db'}"
    store = RunStore.open(database_url)  # migrated, as `issuebot db upgrade` leaves it
    queue = InProcessQueue()
    server = create_app(
        Settings.model_validate({"ISSUEBOT_WEBHOOK_SECRET": SECRET}), store=store, queue=queue
    )
    try:
        with serve_in_thread(server) as url, start_emulator(seed) as gh:
            gh.set_webhook(f"{url}/webhook", SECRET)
            env = {
                "GITHUB_API_URL": gh.api_url,
                "GITHUB_APP_ID": str(gh.app_id),
                "GITHUB_APP_PRIVATE_KEY": gh.app_private_key(),
                "ISSUEBOT_WEBHOOK_SECRET": SECRET,
                "DATABASE_URL": database_url,
            }
            files = {k: v.encode() for k, v in repo.files.items()}
            setup = Installation(gh, f"{url}/webhook", env, files)
            setup.ping()
            yield setup
    finally:
        queue.close()
        store.close()
