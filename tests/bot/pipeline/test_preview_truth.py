"""`/preview` and the request summary list exactly what `issuebot generate` would write."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from bot.config import parse_repo_config
from bot.issuespec import on_issue_changed, preview_issue
from bot.scaffold import init_repository
from generators.spec import Entity, dump_spec, load_spec
from tests.bot.pipeline.conftest import WIDGET, Target


def generate_service_files() -> set[str]:
    """Every file the generator makes for the spec with the entity (the old preview's list)."""
    from generators.service import generate_service
    from generators.spec import SpecFile

    service = generate_service(SpecFile.empty().upsert(Entity.model_validate(WIDGET)))
    return {*service.files, *service.user_owned}


ROW = re.compile(r"^\| `([^`]+)` \| \d+ \| (new|changed)", re.MULTILINE)


def init_tree(tmp_path: Path) -> dict[str, str]:
    """Every file `issuebot init` writes into an empty repository."""
    checkout = tmp_path / "init"
    init_repository(checkout)
    return {
        p.relative_to(checkout).as_posix(): p.read_text(encoding="utf-8")
        for p in checkout.rglob("*")
        if p.is_file()
    }


def generate_writes(
    tree: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> set[str]:
    """Run `issuebot generate` in a checkout of ``tree`` with the entity added to the spec."""
    checkout = tmp_path / "checkout"
    for path, text in tree.items():
        (checkout / path).parent.mkdir(parents=True, exist_ok=True)
        (checkout / path).write_text(text, encoding="utf-8")
    spec = checkout / "specs/entities.json"
    spec.write_text(dump_spec(load_spec(spec.read_text()).upsert(Entity.model_validate(WIDGET))))
    monkeypatch.chdir(checkout)
    result = CliRunner().invoke(app, ["generate"])
    assert result.exit_code == 0, result.output
    verbs = {"wrote", "created"}
    return {line.split()[1] for line in result.output.splitlines() if line.split()[0] in verbs}


def test_preview_on_a_fresh_repository_lists_exactly_the_files_generate_writes(
    make_target: Callable[..., Target], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = init_tree(tmp_path)
    target = make_target(tree)
    number = target.file_request(approve=False)
    config = parse_repo_config(target.bot.read_file(".github/issuebot.yml"))

    preview = preview_issue(target.bot, number, config)
    on_issue_changed(target.bot, number, config)

    expected = generate_writes(tree, tmp_path, monkeypatch)
    # not everything the generator makes: init already wrote the base files
    assert expected and expected < generate_service_files()
    assert {path for path, _ in ROW.findall(preview)} == expected
    changed = {path for path, how in ROW.findall(preview) if how == "changed"}
    written = (
        f"{len(expected)} written ({len(expected) - len(changed)} new, {len(changed)} changed)"
    )
    assert written in preview, preview
    assert "compared with the default branch" in preview
    [summary] = [
        c.body for c in target.bot.list_comments(number) if "what approval would build" in c.body
    ]
    assert f"**{len(expected)} files** the generator would write" in summary
    assert {path for path, _ in ROW.findall(summary)} == expected


def test_after_the_run_the_branch_already_holds_everything_the_preview_would_write(
    make_target: Callable[..., Target],
) -> None:
    target = make_target()
    number = target.file_request()
    result = target.orchestrator().implement_issue(number, actor="maintainer")
    assert result.status == "succeeded"
    config = parse_repo_config(target.bot.read_file(".github/issuebot.yml"))

    on_branch = target.bot.file_shas(result.branch)
    assert on_branch is not None
    from bot.issuespec.parse import parse_issue_body
    from bot.issuespec.summary import safe_preview

    entity = parse_issue_body(target.bot.get_issue(number).body).entity
    assert entity is not None
    spec = target.bot.read_file(config.paths.spec, ref=result.branch)
    preview, error = safe_preview(entity, spec, config, on_branch)
    assert error is None and preview is not None
    assert preview.files == () and preview.unchanged > 0
