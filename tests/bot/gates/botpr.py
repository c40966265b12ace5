"""Test helpers: a target repository on the emulator and a bot PR built with real git."""

from __future__ import annotations

import itertools
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.emulator.testing import EmulatorHandle
from bot.gates.merge import evaluate_pull, load_config
from bot.gates.risk import Decision
from bot.github import MemoryAuditSink, PyGithubRepo
from bot.locks import SqlLockManager
from bot.store import SUCCEEDED, RunStore
from generators.service import generate_service
from generators.spec import Entity, SpecFile, dump_spec

_numbers = itertools.count(1)
BOT = "issuebot[bot]"
CHECKS = ("tests", "ruff")
CONFIG = "risk:\n  required_checks: [tests, ruff]\n"
SOURCE: dict[str, Any] = {
    "name": "RawDataSource",
    "layer": "infrastructure",
    "fields": [
        {"name": "name", "type": "string", "required": True, "max_length": 100},
        {"name": "is_active", "type": "boolean", "default": True},
    ],
}


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(cwd), "-c", "user.name=issuebot", "-c", "user.email=bot@x", *args],
        check=True, capture_output=True, text=True, timeout=60,
    ).stdout.strip()  # fmt: skip


def write(root: Path, files: dict[str, str]) -> None:
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def service_files(spec: SpecFile) -> dict[str, str]:
    """The spec file plus everything the generator writes for it (hooks included)."""
    # No UI: its package.json/lockfile are dependency paths that always need a human, and
    # these repositories are not seeded by `issuebot init` (tests/bot/gates/test_paths.py).
    service = generate_service(spec, ui=False)
    return {"specs/entities.json": dump_spec(spec), **service.files, **service.user_owned}


@dataclass
class TargetRepo:
    """One fresh repository on the emulator, seen by the maintainer, CI and the bot."""

    gh: EmulatorHandle
    work: Path
    name: str = ""
    runs: RunStore | None = None  # where the bot's pushes are recorded, as the pipeline does

    def __post_init__(self) -> None:
        if not self.name:
            self.name = f"acme/gate-{next(_numbers)}"
            self.gh.create_target_repo(self.name, {"README.md": "# target\n"})

    def upstream(self) -> Any:
        """The repository through PyGithub as the maintainer (for assertions)."""
        return self.gh.github("maintainer").get_repo(self.name)

    def clone(self, name: str, login: str = BOT) -> Path:
        path = self.work / name
        if not path.exists():
            git(self.work, "clone", "-q", self.gh.clone_url(self.name, login), str(path))
        return path

    def push_to_main(self, files: dict[str, str], message: str = "setup") -> None:
        """A maintainer's commit on the default branch."""
        path = self.clone("maintainer")
        git(path, "pull", "-q", "origin", "main")
        write(path, files)
        git(path, "add", "-A")
        git(path, "commit", "-q", "-m", message)
        git(path, "push", "-q", "origin", "HEAD:main")

    def open_request(
        self, title: str = "RawDataSource entity and API", approved: bool = True
    ) -> int:
        labels = ["entity-request"] + ([] if approved else ["needs-review"])
        repo = self.upstream()
        return int(repo.create_issue(title=title, body="the spec", labels=labels).number)

    def record_push(self, branch: str, sha: str) -> None:
        """What the pipeline's push step records: this run pushed ``sha`` to ``branch``."""
        if self.runs is None:
            return
        issue = int(branch.split("-")[1])
        run = self.runs.create_run(self.name, issue, trigger="test", actor=BOT)
        self.runs.start_step(run.id, "push")
        self.runs.finish_step(run.id, "push", outcome="ok", output={"branch": branch, "sha": sha})
        self.runs.set_status(run.id, SUCCEEDED)

    def push_branch(
        self, branch: str, files: dict[str, str], message: str, *, by_bot: bool = True
    ) -> str:
        """Commit ``files`` on the bot's branch (created from main) and push; the new head.

        A bot push is recorded in ``runs``; ``by_bot=False`` is the user `writer` pushing
        with write access, committing under the bot's git name (only the recorded SHA counts).
        """
        path = self.clone("bot") if by_bot else self.clone("writer", "writer")
        git(path, "fetch", "-q", "origin")
        remote = git(path, "ls-remote", "--heads", "origin", branch)
        git(path, "checkout", "-q", "-B", branch, f"origin/{branch}" if remote else "origin/main")
        write(path, files)
        git(path, "add", "-A")
        git(path, "commit", "-q", "-m", message)
        git(path, "push", "-q", "origin", f"HEAD:refs/heads/{branch}")
        sha = git(path, "rev-parse", "HEAD")
        if by_bot:
            self.record_push(branch, sha)
        return sha

    def open_bot_pr(self, issue: int, files: dict[str, str]) -> tuple[int, str]:
        """The PR the pipeline would open: bot branch, labels, `Closes #issue`."""
        branch = f"feat/issue-{issue}-raw-data-source"
        head = self.push_branch(
            branch, files, f"feat(RawDataSource): add entity and API (#{issue})"
        )
        repo = self.gh.github(BOT).get_repo(self.name)
        pull = repo.create_pull(
            title="feat: add RawDataSource entity",
            body=f"Generated from the approved request.\n\nCloses #{issue}\n",
            head=branch,
            base="main",
        )
        pull.add_to_labels("entity-request", "bot-generated")
        return int(pull.number), head

    def green(self, sha: str, *names: str) -> None:
        for name in names:
            self.gh.post_check(self.name, sha, name, "success")

    def bot_repo(self, audit: Any = None) -> PyGithubRepo:
        return PyGithubRepo(
            self.gh.github(BOT), self.name, audit=audit or MemoryAuditSink(), bot_login=BOT
        )


def new_entity_files(*entities: dict[str, Any]) -> dict[str, str]:
    spec = SpecFile.empty()
    for raw in entities or (SOURCE,):
        spec = spec.upsert(Entity.model_validate(raw))
    return service_files(spec)


def evaluate(target: TargetRepo, store: RunStore, pr: int) -> Decision:
    """The gate on one PR, acting, with the store where the bot's pushes are recorded."""
    repo = target.bot_repo(store)
    return evaluate_pull(
        repo,
        pr,
        load_config(repo),
        audit=store,
        locks=SqlLockManager(store),
        bot_login=BOT,
        runs=store,
    )
