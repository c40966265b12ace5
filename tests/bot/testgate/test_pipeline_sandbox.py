"""Through the real pipeline, in App mode on the emulator: a hostile repository gets nothing.

The bot runs as a separate worker process (`issuebot implement`) whose environment holds the
App private key and the webhook secret, as a deployed worker's does.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.emulator import gitrepo
from bot.github.markers import marker_tag
from tests.bot.pipeline.conftest import Target, emulator, make_target, work_dir

__all__ = ["emulator", "make_target", "work_dir"]  # the pipeline's fixtures, reused here
pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]
WEBHOOK_SECRET = "whsec-sandbox-e2e-4be1c0d9a7f3"

HUNT = """
import os


def read(path):
    try:
        with open(path, errors="replace") as fh:
            return fh.read()
    except OSError:
        return ""


def test_the_workers_secrets_are_out_of_reach():
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            text = read(f"/proc/{pid}/environ") + read(f"/proc/{pid}/cmdline")
            if "PRIVATE KEY" in text or "whsec-" in text or "GITHUB_APP" in text:
                found.append(pid)
    for path in {look}:  # the run store, the work dir's other runs, the bot's source and HOME
        if os.path.exists(path):
            found.append(path)
    assert not found, f"FOUND {found}"


def test_leave_a_hook_for_the_bot():
    here = os.getcwd()
    while True:
        hooks = os.path.join(here, ".git", "hooks")
        try:
            os.makedirs(hooks, exist_ok=True)
            hook = os.path.join(hooks, "post-commit")
            with open(hook, "w") as fh:
                fh.write("#!/bin/sh\\nenv > {witness}\\n")
            os.chmod(hook, 0o755)
        except OSError:
            pass
        if here == "/":
            break
        here = os.path.dirname(here)
"""


def run_worker(target: Target, number: int) -> subprocess.CompletedProcess[str]:
    """`issuebot implement` as a worker process in App mode, secrets in its environment."""
    em = target.emulator
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "ISSUEBOT_"))},
        "GITHUB_API_URL": target.settings.github_api_url,
        "GITHUB_APP_ID": str(em.app_id),
        "GITHUB_APP_PRIVATE_KEY": em.app_private_key(),
        "GITHUB_APP_INSTALLATION_ID": str(em.installation_id()),
        "ISSUEBOT_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "DATABASE_URL": target.settings.database_url,
        "ISSUEBOT_WORK_DIR": str(target.settings.work_dir),
        "ISSUEBOT_BOT_LOGIN": "issuebot[bot]",
        "ISSUEBOT_LOG_JSON": "false",
    }
    return subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "implement", "--repo", target.full_name,
         "--issue", str(number)],
        check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def add_to_main(target: Target, files: dict[str, str]) -> None:
    """A commit on the default branch adding ``files`` (as a write user's merged PR would)."""
    git_dir = target.emulator.git_dir(target.full_name)
    parent = gitrepo.resolve(git_dir, "refs/heads/main")
    tree = {
        path: gitrepo.read_blob(git_dir, "main", path) or b""
        for path in gitrepo.git(git_dir, "ls-tree", "-r", "--name-only", "main").splitlines()
    }
    tree |= {path: text.encode() for path, text in files.items()}
    gitrepo.commit_files(git_dir, "main", tree, "Add tests", parent)


def diagnosis_of(target: Target, number: int) -> str:
    """The diagnosis comment on the issue, if the bot wrote one."""
    tag = marker_tag("run-diagnosis")
    comments = [c.body for c in target.bot.list_comments(number) if c.body.startswith(tag)]
    return "\n".join(comments)


def test_a_hostile_suite_passes_blind_and_its_hook_never_runs_in_the_bots_commit(
    make_target: Callable[..., Target], tmp_path: Path
) -> None:
    witness = tmp_path / "hook-ran.txt"
    target = make_target()
    store = target.settings.database_url.removeprefix("sqlite:///")
    look = [store, str(target.settings.work_dir / target.full_name.replace("/", "__")),
            str(ROOT / "bot" / "settings.py"), str(Path.home() / ".gitconfig")]  # fmt: skip
    hunt = HUNT.replace("{witness}", str(witness)).replace("{look}", repr(look))
    add_to_main(target, {"tests/test_hostile.py": hunt})
    number = target.file_request()
    assert Path(store).is_file() and all(Path(p).exists() for p in look[2:])

    worker = run_worker(target, number)

    assert worker.returncode == 0, worker.stderr[-3000:] + diagnosis_of(target, number)
    branch = f"feat/issue-{number}-widget"
    pull = target.bot.find_pull(branch, state="open")
    assert pull is not None and target.remote_sha(branch) == pull.head_sha
    assert not witness.exists()  # the bot's commit ran no hook the tests left
    checks = target.bot.list_check_runs(pull.head_sha)
    assert [(c.name, c.conclusion) for c in checks] == [("issuebot / tests", "success")]
    assert "(sandbox: bwrap)" in pull.body  # the test summary names the sandbox


def test_a_base64_secret_in_an_assertion_is_redacted_in_the_diagnosis(
    make_target: Callable[..., Target],
) -> None:
    encoded = base64.b64encode(f"webhook={WEBHOOK_SECRET};".encode()).decode()
    failing = f"def test_leak():\n    assert {encoded!r} == 'nothing'\n"
    target = make_target({"tests/test_leak.py": failing})
    number = target.file_request()

    worker = run_worker(target, number)

    assert worker.returncode == 30, worker.stderr[-3000:]
    diagnosis = diagnosis_of(target, number)
    assert diagnosis.count(marker_tag("run-diagnosis")) == 1
    assert "tests/test_leak.py::test_leak" in diagnosis and "assertion" in diagnosis
    inner = base64.b64encode(WEBHOOK_SECRET.encode()).decode()[4:-4]
    assert encoded not in diagnosis and inner[:12] not in diagnosis
    assert WEBHOOK_SECRET not in diagnosis and "[REDACTED]" in diagnosis
    assert "sandbox: bwrap" in diagnosis
