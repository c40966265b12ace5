"""A second request changes an entity that already ships: the bot's PR appends one revision that
upgrades the production database without losing its rows; an unsafe change pushes nothing."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.errors import SpecError
from generators.service import generate_service
from generators.spec import Entity, SpecFile, dump_spec
from generators.views import entity_views
from tests.bot.pipeline.conftest import Target
from tests.bot.pipeline.test_end_to_end import clone_branch
from tests.bot.widget import WIDGET
from tests.generators.migrating import check, database_env

pytestmark = pytest.mark.slow
REVISIONS = "migrations/versions/"


def shipped(make_target: Callable[..., Target]) -> Target:
    """A target whose main branch already has the Widget service (made by an earlier version)."""
    spec = SpecFile.empty().upsert(Entity.model_validate(WIDGET))
    service = generate_service(spec)
    files = {**service.files, **service.user_owned, "specs/entities.json": dump_spec(spec)}
    return make_target(files)


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The production database of the target: SQLite, or a fresh PostgreSQL schema."""
    url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else ""
    with database_env(request.param, tmp_path, url) as env:
        yield env


def test_adding_fields_to_a_shipped_entity_appends_one_revision_that_keeps_the_rows(
    make_target: Callable[..., Target], tmp_path: Path, database: dict[str, str]
) -> None:
    target = shipped(make_target)
    main = clone_branch(target, "main", tmp_path / "main")
    rows = list(entity_views((Entity.model_validate(WIDGET),))[0].samples.rows[:2])
    stored = check(main, database, {"create": {"widgets": rows}})["created"]["widgets"]

    changed: dict[str, Any] = {
        **WIDGET,
        "fields": [
            *WIDGET["fields"],
            {"name": "colour", "type": "string", "max_length": 20},
            {"name": "stock", "type": "integer", "default": 0},
        ],
    }
    number = target.file_request(changed)
    result = target.orchestrator().implement_issue(number, actor="maintainer")
    assert result.status == "succeeded", result

    branch = clone_branch(target, result.branch or "", tmp_path / "branch")
    status = git(branch, "diff", "--name-status", "origin/main...HEAD").splitlines()
    revisions = [line.split("\t") for line in status if f"\t{REVISIONS}" in line]
    assert [s for s, _ in revisions] == ["A"], status  # one new file; old ones byte-identical
    text = (branch / revisions[0][1]).read_text()
    assert f"(issue #{number})" in text and "server_default=sa.text('0')" in text
    pr = target.bot.get_pull(result.pr_number or 0)
    assert "### Migration: data-changing" in pr.body
    assert "add required column (rows get its default) widgets.stock" in pr.body

    report = check(branch, database, {"read": {"widgets": stored}, "round_trip": True})
    assert report["totals"]["widgets"] == 2
    for row_id, sent in zip(stored, rows, strict=True):
        got = report["rows"]["widgets"][row_id]
        assert (got["name"], got["kind"], got["stock"], got["colour"]) == (
            sent["name"],
            sent["kind"],
            0,
            None,
        )
    fresh = dict(rows[0], name="a-new-one", colour="teal", stock=5)
    assert check(branch, database, {"create": {"widgets": [fresh]}})["created"]["widgets"]


def test_a_required_field_without_default_is_a_spec_problem_and_nothing_is_pushed(
    make_target: Callable[..., Target],
) -> None:
    target = shipped(make_target)
    changed = {**WIDGET, "fields": [*WIDGET["fields"], {"name": "sku", "type": "string"}]}
    changed["fields"][-1]["required"] = True
    number = target.file_request(changed)
    with pytest.raises(SpecError, match=r"widgets\.sku is new and required"):
        target.orchestrator().implement_issue(number, actor="maintainer")

    assert target.remote_sha(f"feat/issue-{number}-widget") is None
    comments = "\n".join(c.body for c in target.bot.list_comments(number))
    assert "widgets.sku is new and required" in comments
    assert 'give it a "default"' in comments
    failure = [c.body for c in target.bot.list_comments(number) if "could not finish" in c.body]
    assert len(failure) == 1  # a new comment that notifies the approver, not only an edit
    assert failure[0].count("@maintainer") == 1 and "`/retry`" in failure[0]


def test_renaming_a_shipped_entity_moves_its_rows_to_the_new_name(
    make_target: Callable[..., Target], tmp_path: Path
) -> None:
    target = shipped(make_target)
    main = clone_branch(target, "main", tmp_path / "main")
    database = {"DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}"}
    rows = list(entity_views((Entity.model_validate(WIDGET),))[0].samples.rows[:2])
    stored = check(main, database, {"create": {"widgets": rows}})["created"]["widgets"]

    number = target.file_request({**WIDGET, "name": "Gadget", "renamed_from": "Widget"})
    result = target.orchestrator().implement_issue(number, actor="maintainer")
    assert result.status == "succeeded", result

    branch = clone_branch(target, result.branch or "", tmp_path / "branch")
    diff = git(branch, "diff", "--no-renames", "--name-status", "origin/main...HEAD")
    status = diff.splitlines()
    assert [s[0] for s in status if f"\t{REVISIONS}" in s] == ["A"]  # history kept
    assert "D\tapp/models/widget.py" in status and "A\tapp/models/gadget.py" in status
    assert "Widget" not in [e.name for e in SpecFile.model_validate_json(
        (branch / "specs/entities.json").read_text()
    ).entities]  # fmt: skip
    report = check(branch, database, {"read": {"gadgets": stored}, "round_trip": True})
    assert report["totals"]["gadgets"] == 2
    assert {report["rows"]["gadgets"][i]["name"] for i in stored} == {r["name"] for r in rows}
