"""Writing generated files: unchanged files keep their mtime, hooks stay yours, drift is named."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from bot.codegen import describe_drift, find_drift, write_generated
from bot.errors import DriftError, GenerationError, SpecError
from generators.service import GeneratedService
from tests.generators.cases import ROOT


def test_second_write_touches_nothing(tmp_path: Path, combined_service: GeneratedService) -> None:
    first = write_generated(tmp_path, combined_service)
    assert sorted(first.written) == sorted(combined_service.files)
    assert sorted(first.created) == sorted(combined_service.user_owned)
    db = tmp_path / "app" / "db.py"
    os.utime(db, (1_000_000, 1_000_000))
    second = write_generated(tmp_path, combined_service)
    assert second.written == [] and second.created == []
    assert db.stat().st_mtime == 1_000_000


def test_hooks_are_written_once_and_never_overwritten(
    tmp_path: Path, combined_service: GeneratedService
) -> None:
    write_generated(tmp_path, combined_service)
    hook = tmp_path / "app" / "hooks" / "raw_data_source.py"
    hook.write_text("# my real sync code\n")
    report = write_generated(tmp_path, combined_service)
    assert hook.read_text() == "# my real sync code\n"
    assert "app/hooks/raw_data_source.py" in report.unchanged
    assert find_drift(tmp_path, combined_service) == []


def test_drift_names_missing_edited_and_stale_files(
    tmp_path: Path, combined_service: GeneratedService
) -> None:
    write_generated(tmp_path, combined_service)
    (tmp_path / "app" / "main.py").unlink()
    db = tmp_path / "app" / "db.py"
    db.write_text(db.read_text() + "# tweak\n")
    stale = dict(combined_service.files)
    stale["app/common.py"] = combined_service.files["app/db.py"]
    (tmp_path / "app" / "common.py").write_text(stale["app/common.py"])
    drifted = find_drift(tmp_path, combined_service)
    assert drifted == ["app/common.py", "app/db.py", "app/main.py"]
    assert describe_drift(tmp_path, drifted) == [
        "app/common.py (stale)",
        "app/db.py (hand-edited)",
        "app/main.py (missing)",
    ]


def test_files_no_longer_generated_are_reported(
    tmp_path: Path, combined_service: GeneratedService
) -> None:
    write_generated(tmp_path, combined_service)
    old = tmp_path / "app" / "api" / "removed_entity.py"
    old.write_text(combined_service.files["app/api/raw_data_source.py"])
    (tmp_path / "app" / "notes.py").write_text("# my own module, not generated\n")
    assert find_drift(tmp_path, combined_service) == ["app/api/removed_entity.py"]
    assert describe_drift(tmp_path, ["app/api/removed_entity.py"], combined_service) == [
        "app/api/removed_entity.py (orphaned: no longer generated, `issuebot generate` removes it)"
    ]


def test_generating_again_removes_what_a_removed_entity_left_behind(
    tmp_path: Path, combined_service: GeneratedService
) -> None:
    write_generated(tmp_path, combined_service)
    untouched = tmp_path / "app" / "api" / "removed_entity.py"
    untouched.write_text(combined_service.files["app/api/raw_data_source.py"])
    edited = tmp_path / "app" / "models" / "removed_entity.py"
    edited.write_text(combined_service.files["app/models/raw_data_source.py"] + "# mine\n")
    mine = tmp_path / "app" / "notes.py"
    mine.write_text("# my own module, not generated\n")

    report = write_generated(tmp_path, combined_service)

    assert report.removed == ["app/api/removed_entity.py"] and not untouched.exists()
    assert report.kept_orphans == ["app/models/removed_entity.py"] and edited.exists()
    assert mine.exists()


def test_paths_outside_the_output_directory_are_refused(tmp_path: Path) -> None:
    evil = GeneratedService(files={"../escape.py": "x = 1\n"})
    with pytest.raises(GenerationError):
        write_generated(tmp_path / "out", evil)
    assert not (tmp_path / "escape.py").exists()


def test_cli_generate_then_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    spec = str(ROOT / "specs" / "entities.json")
    result = runner.invoke(app, ["generate", "--specs", spec, "--out", "svc"])
    assert result.exit_code == 0, result.output
    assert "created app/hooks/raw_data_source.py" in result.output
    result = runner.invoke(app, ["generate", "--specs", spec, "--out", "svc", "--check"])
    assert result.exit_code == 0 and result.output.startswith("ok:")
    (tmp_path / "svc" / "app" / "main.py").write_text("print('hacked')\n")
    result = runner.invoke(app, ["generate", "--specs", spec, "--out", "svc", "--check"])
    assert isinstance(result.exception, DriftError)
    assert result.exception.paths == ["app/main.py (hand-edited)"]
    assert result.exception.exit_code == 14


def test_cli_spec_validate_lists_every_problem(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["spec", "validate", str(ROOT / "specs" / "entities.json")])
    assert ok.exit_code == 0 and "1 entities" in ok.output
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"version": 1, "entities": [{"name": "Thing", "fields": ['
        '{"name": "a", "type": "str"}, {"name": "b", "type": "integer", "min": 5, "default": 1}'
        "]}]}"
    )
    result = runner.invoke(app, ["spec", "validate", str(bad)])
    assert isinstance(result.exception, SpecError)
    assert [p.split(":")[0] for p in result.exception.problems] == [
        "entities[0].fields[0].type",
        "entities[0].fields[1].default",
    ]


def test_cli_spec_validate_accepts_a_lone_entity(tmp_path: Path) -> None:
    lone = tmp_path / "entity.json"
    lone.write_text('{"name": "Thing", "fields": [{"name": "a", "type": "strin"}]}')
    result = CliRunner().invoke(app, ["spec", "validate", str(lone)])
    assert isinstance(result.exception, SpecError)
    assert result.exception.problems[0].startswith("fields[0].type: unknown type 'strin'")


def test_cli_uses_a_repository_template_override(tmp_path: Path) -> None:
    overrides = tmp_path / "overrides" / "app" / "hooks"
    overrides.mkdir(parents=True)
    (overrides / "entity.py.j2").write_text('"""Hooks of {{ entity.name | ident }}."""\n')
    spec = str(ROOT / "specs" / "entities.json")
    out = tmp_path / "svc"
    args = [
        "generate",
        "--specs",
        spec,
        "--out",
        str(out),
        "--templates",
        str(tmp_path / "overrides"),
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    hook = out / "app" / "hooks" / "raw_data_source.py"
    assert hook.read_text() == '"""Hooks of RawDataSource."""\n'
