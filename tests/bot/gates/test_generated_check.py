"""`issuebot generate --check` names every file under generated paths the generator never wrote."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from bot.errors import DriftError, GenerationError

runner = CliRunner()
SPEC = Path(__file__).resolve().parents[3] / "specs" / "entities.json"


def check(tmp_path: Path) -> object:
    args = ["generate", "--specs", str(SPEC), "--out", ".", "--check"]
    return runner.invoke(app, args).exception


def test_an_extra_route_under_generated_paths_fails_the_check_with_or_without_a_marker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    done = runner.invoke(app, ["generate", "--specs", str(SPEC), "--out", "."])
    assert done.exit_code == 0, done.output
    assert check(tmp_path) is None
    generated = (tmp_path / "app/api/raw_data_source.py").read_text()
    (tmp_path / "app/api/backdoor.py").write_text("router = None\n")  # no marker at all
    (tmp_path / "app/models/extra.py").write_text(generated)  # a copied marker
    (tmp_path / "app/api/__pycache__").mkdir(exist_ok=True)
    (tmp_path / "app/api/__pycache__/x.pyc").write_bytes(b"\0")  # local caches are not drift

    error = check(tmp_path)

    assert isinstance(error, DriftError) and error.exit_code == 14
    assert error.paths == [
        "app/api/backdoor.py (not written by the generator, yet under its generated paths)",
        "app/models/extra.py (orphaned: no longer generated, `issuebot generate` removes it)",
    ]


def test_a_file_in_the_migration_history_that_is_no_revision_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["generate", "--specs", str(SPEC), "--out", "."]).exit_code == 0
    generated = (tmp_path / "app/api/raw_data_source.py").read_text()
    (tmp_path / "migrations/versions/9999_extra.py").write_text(generated)  # a copied marker

    error = check(tmp_path)

    assert isinstance(error, GenerationError) and error.exit_code == 13
    assert "migrations/versions/9999_extra.py" in error.message
