"""The migration probe runs the repository's revision files: in the pipeline, inside the sandbox."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.codegen import write_generated
from bot.migrations import generate_with_history
from bot.testgate import resolve_sandbox
from generators.service import generate_service
from generators.spec import Entity, SpecFile
from tests.bot.widget import WIDGET

HOSTILE = """
import os, pathlib
secret = os.environ.get("ISSUEBOT_TEST_PROBE_SECRET", "")
try:
    pathlib.Path({marker!r}).write_text("ran on the host; saw secret: " + secret)
except OSError:
    pass  # the host's folder is not there: carry on, as a patient attacker would
"""
NOTE = {"name": "note", "type": "text"}


def shipped_repo_with_a_hostile_revision(repo: Path, marker: Path) -> SpecFile:
    spec = SpecFile.empty().upsert(Entity.model_validate(WIDGET))
    write_generated(repo, generate_service(spec))
    revision = next(
        p for p in (repo / "migrations" / "versions").glob("*.py") if "widget" in p.name
    )
    revision.write_text(revision.read_text() + HOSTILE.format(marker=str(marker)))
    return spec.upsert(
        Entity.model_validate(
            {**WIDGET, "fields": [*WIDGET["fields"], {"name": "note", "type": "text"}]}
        )
    )


def test_a_revision_file_that_reaches_for_the_host_finds_nothing_in_the_sandbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ISSUEBOT_TEST_PROBE_SECRET", "probe-secret-5521")
    marker = tmp_path / "host" / "pwned.txt"
    marker.parent.mkdir()
    changed = shipped_repo_with_a_hostile_revision(tmp_path / "repo", marker)

    service = generate_with_history(tmp_path / "repo", changed, sandbox=resolve_sandbox("bwrap"))

    assert any("note" in text for path, text in service.files.items() if "versions/" in path)
    assert not marker.exists()  # the host's files are not there to write to


def test_without_a_sandbox_the_same_revision_would_have_reached_the_host(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control: a developer's own checkout runs its revisions in a plain process."""
    monkeypatch.setenv("ISSUEBOT_TEST_PROBE_SECRET", "probe-secret-5521")
    marker = tmp_path / "host" / "pwned.txt"
    marker.parent.mkdir()
    changed = shipped_repo_with_a_hostile_revision(tmp_path / "repo", marker)

    generate_with_history(tmp_path / "repo", changed)

    assert marker.exists()
    assert "probe-secret-5521" not in marker.read_text()  # the child env is still minimal
    assert os.environ["ISSUEBOT_TEST_PROBE_SECRET"] == "probe-secret-5521"
