"""A user installs the built wheel outside any checkout: init, generate and the demo work.

The wheel is built from a copy of the repository's files (what a clean checkout has), then
installed into a fresh venv that borrows the dev venv's dependencies as plain paths — so no
network and no second copy of them, and never the dev venv's editable issuebot.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    assert proc.returncode == 0, f"{args}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def clean_checkout(dest: Path) -> Path:
    """The files git would hand a new contributor (tracked, plus new unignored ones)."""
    listed = run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT)
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def fresh_venv(where: Path) -> Path:
    """A venv whose only issuebot is the one we install; dependencies come from ours."""
    venv.create(where, with_pip=False)
    python = where / "bin" / "python"
    site = run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=where)
    # A path line, not a site dir: the dev venv's .pth files (its editable issuebot) stay out.
    Path(site.strip(), "dev-deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return python


@pytest.mark.slow
def test_the_built_wheel_scaffolds_generates_and_runs_the_demo_from_any_directory(
    tmp_path: Path,
) -> None:
    source = clean_checkout(tmp_path / "src")
    dist = tmp_path / "dist"
    run(BIN / "pip", "wheel", ".", "--no-deps", "--no-build-isolation", "-q", "-w", dist,
        cwd=source)  # fmt: skip
    [wheel] = dist.glob("issuebot-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "bot/_data/templates/service/app/main.py.j2" in names
    assert "bot/_data/templates/scaffold/.github/workflows/ci.yml" in names
    assert "bot/_data/specs/examples/raw-data-source.request.json" in names

    python = fresh_venv(tmp_path / "venv")
    run(BIN / "pip", "--python", python, "install", "--no-deps", "--no-index", "-q", wheel,
        cwd=tmp_path)  # fmt: skip
    shutil.rmtree(source)  # nothing may be read from the build tree either
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    issuebot = tmp_path / "venv" / "bin" / "issuebot"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    where = run(python, "-c", "import generators.resources as r; print(r.TEMPLATES_DIR)",
                cwd=elsewhere, env=env)  # fmt: skip
    templates = Path(where.strip())
    assert templates.is_relative_to(tmp_path / "venv") and templates.parts[-3:] == (
        "bot", "_data", "templates",
    ), templates  # fmt: skip
    version = run(issuebot, "--version", cwd=elsewhere, env=env)
    assert version.strip() == f"issuebot {wheel.name.split('-')[1]}"

    repo = elsewhere / "repo"
    run(issuebot, "init", repo, cwd=elsewhere, env=env)
    assert (repo / ".github/workflows/issuebot.yml").is_file()
    shutil.copy(ROOT / "specs" / "entities.json", repo / "specs" / "entities.json")
    run(issuebot, "generate", "--specs", "specs/entities.json", cwd=repo, env=env)
    checked = run(issuebot, "generate", "--specs", "specs/entities.json", "--check",
                  cwd=repo, env=env)  # fmt: skip
    assert checked.startswith("ok: ")
    assert (repo / "app" / "models").is_dir()

    # The whole story (issue and pipeline templates, the emulator) from the installed package.
    story = run(issuebot, "demo", "--timeout", "120", cwd=elsewhere, env=env)
    assert "merged: True" in story and "issue #1 is closed" in story
