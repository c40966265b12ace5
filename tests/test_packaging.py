"""A user installs the built wheel outside any checkout: init, generate and the demo work, and
the repository it scaffolds, pushed to the emulator with its CI runner on, passes its
`generated-code` job with that very wheel pinned.

The wheel is built once per session from a copy of the repository's files (what a clean
checkout has), then installed into fresh venvs that borrow the dev venv's dependencies as
plain paths — so no network and no second copy of them, and never the dev venv's editable
issuebot.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import venv
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from bot.emulator.actions import RunnerSettings
from bot.emulator.testing import start_emulator

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CLEAN_ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


def run(
    *args: str | Path, cwd: Path, env: dict[str, str] | None = None, ok: bool = True
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    if ok:
        assert proc.returncode == 0, f"{args}\n{proc.stdout}\n{proc.stderr}"
    return proc


def clean_checkout(dest: Path) -> Path:
    """The files git would hand a new contributor (tracked, plus new unignored ones)."""
    listed = run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT)
    for name in filter(None, listed.stdout.split("\0")):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def fresh_venv(where: Path) -> Path:
    """A venv with no issuebot; dependencies (and pip) come from ours, as a plain path."""
    venv.create(where, with_pip=False)
    python = where / "bin" / "python"
    site = run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=where)
    # A path line, not a site dir: the dev venv's .pth files (its editable issuebot) stay out.
    Path(site.stdout.strip(), "dev-deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return python


@dataclass(frozen=True)
class Installed:
    """The wheel, installed into a fresh venv; ``elsewhere`` is a directory far from ROOT."""

    wheel: Path
    python: Path
    issuebot: Path
    elsewhere: Path

    def __call__(self, *args: str | Path, cwd: Path | None = None) -> str:
        return run(self.issuebot, *args, cwd=cwd or self.elsewhere, env=CLEAN_ENV).stdout


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`pip wheel .` of a clean copy of the checkout, built once for every test here."""
    source = clean_checkout(tmp_path_factory.mktemp("src"))
    dist = tmp_path_factory.mktemp("dist")
    run(BIN / "pip", "wheel", ".", "--no-deps", "--no-build-isolation", "-q", "-w", dist,
        cwd=source)  # fmt: skip
    shutil.rmtree(source)  # nothing may be read from the build tree afterwards
    [built] = dist.glob("issuebot-*.whl")
    return built


@pytest.fixture(scope="session")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """`pip install issuebot-*.whl` into a clean venv outside the checkout."""
    where = tmp_path_factory.mktemp("user")
    python = fresh_venv(where / "venv")
    run(BIN / "pip", "--python", python, "install", "--no-deps", "--no-index", "-q", wheel,
        cwd=where)  # fmt: skip
    (where / "elsewhere").mkdir()
    return Installed(wheel, python, where / "venv" / "bin" / "issuebot", where / "elsewhere")


@pytest.mark.slow
def test_the_wheel_carries_the_templates_and_specs(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "bot/_data/templates/service/app/main.py.j2" in names
    assert "bot/_data/templates/scaffold/.github/workflows/ci.yml" in names
    assert "bot/_data/specs/examples/raw-data-source.request.json" in names


@pytest.mark.slow
def test_the_installed_bot_knows_its_version_and_reads_its_own_templates(
    installed: Installed,
) -> None:
    where = run(installed.python, "-c", "import generators.resources as r; print(r.TEMPLATES_DIR)",
                cwd=installed.elsewhere, env=CLEAN_ENV).stdout  # fmt: skip
    templates = Path(where.strip())
    assert templates.is_relative_to(installed.python.parent.parent)
    assert templates.parts[-3:] == ("bot", "_data", "templates"), templates
    assert installed("--version").strip() == f"issuebot {installed.wheel.name.split('-')[1]}"


@pytest.mark.slow
def test_the_installed_bot_runs_the_demo(installed: Installed) -> None:
    # The whole story (issue and pipeline templates, the emulator) from the installed package.
    story = installed("demo", "--timeout", "120")
    assert "merged: True" in story and "issue #1 is closed" in story


@pytest.mark.slow
def test_the_scaffolded_generated_code_job_passes_on_the_emulators_runner(
    installed: Installed, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"  # what a user of the installed wheel commits
    installed("init", repo, "--bot-source", installed.wheel)
    spec = json.loads((ROOT / "specs" / "entities.json").read_text())
    (repo / "specs" / "entities.json").write_text(json.dumps(spec, indent=2) + "\n")
    installed("generate", "--specs", "specs/entities.json", cwd=repo)
    assert (repo / "app" / "models" / "raw_data_source.py").is_file()
    workflow = yaml.safe_load((repo / ".github/workflows/ci.yml").read_text())
    assert workflow["env"]["ISSUEBOT_PACKAGE"] == f"issuebot @ {installed.wheel.as_uri()}"

    # Only this job runs (the others install from an index this machine cannot reach).
    settings = RunnerSettings(jobs=frozenset({"generated-code"}))
    with start_emulator(run_workflows=settings) as gh:
        gh.create_target_repo("acme/service")
        git = {**CLEAN_ENV, "GIT_AUTHOR_NAME": "Dev", "GIT_AUTHOR_EMAIL": "dev@example.com",
               "GIT_COMMITTER_NAME": "Dev", "GIT_COMMITTER_EMAIL": "dev@example.com"}  # fmt: skip
        for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "init"],
                     ["push", "-q", gh.clone_url("acme/service", "writer"), "main"]):  # fmt: skip
            run("git", *args, cwd=repo, env=git)
        sha = run("git", "rev-parse", "HEAD", cwd=repo).stdout.strip()
        gh.wait_for_workflows(timeout=300)
        check = gh.check_runs("acme/service", sha)["generated-code"]
        assert check.conclusion == "success", check.output["summary"]
        # The job installed the bot from the pin, through the sandbox's read-only wheel dir.
        assert f"Processing {installed.wheel}" in check.output["text"]

        # The check goes red on a hand edit: it checks something.
        model = repo / "app" / "models" / "raw_data_source.py"
        model.write_text(model.read_text() + "# hand edit\n")
        for args in (["commit", "-qam", "hand edit"],
                     ["push", "-q", gh.clone_url("acme/service", "writer"), "main"]):  # fmt: skip
            run("git", *args, cwd=repo, env=git)
        edited = run("git", "rev-parse", "HEAD", cwd=repo).stdout.strip()
        gh.wait_for_workflows(timeout=300)
        red = gh.check_runs("acme/service", edited)["generated-code"]
        assert red.conclusion == "failure", red.output["summary"]
        assert (
            "Step `No drift and no hand edits of generated files` exited 14"
            in red.output["summary"]
        )


def test_the_changelog_has_a_section_for_this_version() -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert re.search(rf"^## \[{re.escape(version)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.M)
    assert f"[{version}]: " in changelog  # the link to its tag
