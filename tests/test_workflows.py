"""Every workflow we ship or scaffold passes actionlint and GitHub's workflow JSON schema."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SKIP_DIRS = {"node_modules", ".venv", ".git", "tests"}


def shipped_workflows() -> list[Path]:
    """Workflow files of this repository and of every template tree (scaffold included)."""
    found = []
    for path in sorted(ROOT.rglob("*.y*ml")):
        rel = path.relative_to(ROOT)
        if SKIP_DIRS & set(rel.parts):
            continue
        if rel.parent.parts[-2:] == (".github", "workflows"):
            found.append(path)
    return found


WORKFLOWS = shipped_workflows()


def test_the_project_and_the_scaffold_both_ship_workflows() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in WORKFLOWS}
    assert ".github/workflows/ci.yml" in names
    assert "templates/scaffold/.github/workflows/ci.yml" in names
    assert "templates/scaffold/.github/workflows/issuebot.yml" in names


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_actionlint_finds_nothing(workflow: Path) -> None:
    proc = subprocess.run(
        [str(BIN / "actionlint"), "-no-color", str(workflow)],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_workflow_validates_against_githubs_schema() -> None:
    proc = subprocess.run(
        [
            str(BIN / "check-jsonschema"),
            "--builtin-schema",
            "vendor.github-workflows",
            *map(str, WORKFLOWS),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_broken_workflow_is_caught(tmp_path: Path) -> None:
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: echo ${{ github.nope }}\n"
    )
    lint = subprocess.run(
        [str(BIN / "actionlint"), str(bad)], check=False, capture_output=True, text=True
    )
    assert lint.returncode != 0


def test_the_shipped_action_validates_against_githubs_action_schema() -> None:
    action = ROOT / "action.yml"
    proc = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-actions", str(action)],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
