"""Every workflow we ship or scaffold passes actionlint, zizmor and GitHub's workflow schema."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.scaffold import init_repository

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


def zizmor(*paths: Path) -> list[dict[str, object]]:
    """zizmor's findings at its default persona, offline (no GitHub API, no network)."""
    proc = subprocess.run(
        [str(BIN / "zizmor"), "--offline", "--format", "json", *map(str, paths)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.stdout.strip(), proc.stderr  # an unreadable file is an error, not "clean"
    findings: list[dict[str, object]] = json.loads(proc.stdout)
    return findings


def describe(findings: list[dict[str, object]]) -> str:
    return "\n".join(f"{f['ident']}: {f['desc']}" for f in findings)


@pytest.mark.parametrize(
    "path", [*WORKFLOWS, ROOT / "action.yml"], ids=lambda p: p.relative_to(ROOT).as_posix()
)
def test_zizmor_finds_nothing(path: Path) -> None:
    findings = zizmor(path)
    assert findings == [], describe(findings)


def test_the_workflows_init_writes_pass_zizmor(tmp_path: Path) -> None:
    init_repository(tmp_path)
    written = sorted((tmp_path / ".github" / "workflows").glob("*.yml"))
    assert [p.name for p in written] == ["ci.yml", "issuebot.yml"]
    findings = zizmor(*written)
    assert findings == [], describe(findings)


def test_zizmor_catches_an_unpinned_action_and_an_injected_expression(tmp_path: Path) -> None:
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "on: issues\npermissions: {}\njobs:\n  x:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n"
        '      - run: echo "${{ github.event.issue.title }}"\n'
    )
    kinds = {f["ident"] for f in zizmor(bad)}
    assert {"unpinned-uses", "template-injection", "artipacked"} <= kinds


USES = re.compile(r"uses:\s*([\w.-]+/[\w./-]+)@(\S+)(?:\s*#\s*(\S+))?")


def test_every_action_is_pinned_to_a_commit_with_its_release_named() -> None:
    """One SHA per action everywhere, each with the `# vX.Y.Z` it was released as."""
    pins: dict[str, set[tuple[str, str | None]]] = {}
    for path in [*WORKFLOWS, ROOT / "action.yml"]:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.lstrip().startswith("#") or not (match := USES.search(line)):
                continue
            action, ref, comment = match.groups()
            assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{path.name}: {action}@{ref}"
            assert comment and re.fullmatch(r"v\d+\.\d+\.\d+", comment), line
            pins.setdefault(action, set()).add((ref, comment))
    assert {"actions/checkout", "actions/setup-python"} <= set(pins)
    assert all(len(refs) == 1 for refs in pins.values()), pins
