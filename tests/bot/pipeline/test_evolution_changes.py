"""Change requests for a shipped entity, end to end through the bot on the emulator.

Each request is filed the way a person files it (a change block; the issue shows the entity's
diff), previewed, approved and implemented by the pipeline; the PR branch then migrates a
database that sits at the previous head with rows in it (SQLite and PostgreSQL), and the rows
must survive, the API answer, `alembic check` stay clean and downgrade/upgrade round-trip.
One pipeline run per request is shared by both databases, so the file stays quick.
"""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from bot.cli.main import app
from bot.codegen import write_generated
from bot.config import parse_repo_config
from bot.emulator.testing import EmulatorHandle
from bot.errors import SpecError
from bot.issuespec.handlers import preview_issue
from bot.migrations import generate_with_history
from bot.settings import Settings
from bot.store import RunStore
from generators.service import generate_service
from generators.spec import Entity, SpecFile, dump_spec, load_spec
from tests.bot.pipeline.conftest import Target, scaffold
from tests.bot.pipeline.test_end_to_end import clone_branch
from tests.bot.widget import BOT
from tests.generators.migrating import CHECK, check, database_env
from tests.generators.processes import run

pytestmark = pytest.mark.slow
REVISIONS = "migrations/versions/"
_names = itertools.count(1)

SHIPPED: dict[str, Any] = {
    "name": "Widget",
    "fields": [
        {"name": "name", "type": "string", "required": True, "max_length": 100},
        {"name": "kind", "type": "enum", "values": ["small", "large", "spare"], "default": "small"},
        {"name": "count", "type": "integer"},
        {"name": "born", "type": "date"},
        {"name": "blurb", "type": "string", "max_length": 80},
        {"name": "legacy", "type": "string"},
        {"name": "code", "type": "string", "max_length": 20},
    ],
    "indexes": [{"fields": ["name"], "unique": True}, {"fields": ["legacy"]}],
}
ROWS: list[dict[str, Any]] = [
    {"name": "alpha", "kind": "small", "count": 3, "born": "2024-01-02", "blurb": "first",
     "legacy": "old-a", "code": "A1"},
    {"name": "beta", "kind": "large", "count": 5, "born": "2024-02-03", "blurb": "second",
     "legacy": "old-b", "code": "B2"},
]  # fmt: skip
DATA_CHANGING: dict[str, Any] = {
    "change": "Widget",
    "add": [{"name": "stock", "type": "integer", "default": 0}],  # NOT NULL, backfilled
    "rename": {"blurb": "summary"},
    "update": {
        "name": {"max_length": 200},  # widened limit
        "code": {"required": True, "unique": True},  # tightened
        "count": {"type": "float"},  # safe casts
        "born": {"type": "datetime"},
        "legacy": {"type": "text"},
        "kind": {"values": ["small", "large", "spare", "huge"]},  # enum value added
    },
    "entity": {"indexes": [{"fields": ["name"], "unique": True}, {"fields": ["count"]}]},
}
DESTRUCTIVE: dict[str, Any] = {
    "change": "Widget",
    "remove": ["legacy"],  # with its index
    "update": {"kind": {"values": ["small", "large"]}},  # enum value removed
    "entity": {"indexes": [{"fields": ["name"], "unique": True}]},
}


PART: dict[str, Any] = {"name": "Part", "fields": [{"name": "label", "type": "string"}]}
REMOVE_WIDGET: dict[str, Any] = {"change": "Widget", "remove_entity": True}


def ship(
    emulator: EmulatorHandle, root: Path, work_dir: Path, *, also: dict[str, Any] | None = None
) -> Target:
    """A target whose main branch already runs the Widget service (made by an earlier run)."""
    spec = SpecFile.empty().upsert(Entity.model_validate(SHIPPED))
    spec = spec.upsert(Entity.model_validate(also)) if also else spec
    service = generate_service(spec)
    files = {**service.files, **service.user_owned, "specs/entities.json": dump_spec(spec)}
    full_name = f"acme/evolve-{next(_names)}"
    emulator.create_target_repo(full_name, {**scaffold(), **files})
    root.mkdir(parents=True, exist_ok=True)
    settings = Settings(
        GITHUB_API_URL=emulator.api_url,
        GITHUB_TOKEN=emulator.token(BOT),
        DATABASE_URL=f"sqlite:///{root}/runs.db",
        ISSUEBOT_WORK_DIR=work_dir,
        ISSUEBOT_BOT_LOGIN=BOT,
    )
    return Target(emulator, full_name, settings, RunStore.open(settings.database_url), root)


@dataclass(frozen=True)
class Implemented:
    """One change request taken through the bot: what /preview said, the PR, both checkouts."""

    target: Target
    number: int
    preview: str
    pr_body: str
    main: Path
    branch: Path
    branch_name: str
    new_revision: str
    pr_title: str
    changed: list[str]  # `git diff --name-status` of the PR branch against main


def implement(target: Target, change: dict[str, Any], root: Path) -> Implemented:
    """File the request as a person would, ask for /preview, approve, run the pipeline."""
    number = target.file_request(change, approve=False, via_orchestrator=True)
    config = parse_repo_config(target.bot.read_file(".github/issuebot.yml"))
    preview = preview_issue(target.bot, number, config)
    target.as_user("maintainer").remove_label(number, config.labels.needs_review)
    result = target.orchestrator().implement_issue(number, actor="maintainer")
    assert result.status == "succeeded", result
    main = clone_branch(target, "main", root / "main")
    branch = clone_branch(target, result.branch or "", root / "branch")
    status = git(branch, "diff", "--name-status", "origin/main...HEAD").splitlines()
    revisions = [line.split("\t") for line in status if f"\t{REVISIONS}" in line]
    assert [s for s, _ in revisions] == ["A"], status  # one new file; old ones byte-identical
    pr = target.bot.get_pull(result.pr_number or 0)
    return Implemented(
        target, number, preview, pr.body, main, branch, result.branch or "", revisions[0][1],
        pr.title, status,
    )  # fmt: skip


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture(scope="module")
def data_changing(
    emulator: EmulatorHandle, tmp_path_factory: pytest.TempPathFactory, work_dir: Path
) -> Implemented:
    root = tmp_path_factory.mktemp("data-changing")
    return implement(ship(emulator, root / "target", work_dir), DATA_CHANGING, root)


@pytest.fixture(scope="module")
def destructive(
    emulator: EmulatorHandle, tmp_path_factory: pytest.TempPathFactory, work_dir: Path
) -> Implemented:
    root = tmp_path_factory.mktemp("destructive")
    return implement(ship(emulator, root / "target", work_dir), DESTRUCTIVE, root)


@pytest.fixture(scope="module")
def removed(
    emulator: EmulatorHandle, tmp_path_factory: pytest.TempPathFactory, work_dir: Path
) -> Implemented:
    root = tmp_path_factory.mktemp("removed")
    return implement(ship(emulator, root / "target", work_dir, also=PART), REMOVE_WIDGET, root)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The production database: a SQLite file, or a fresh PostgreSQL schema of its own."""
    url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else ""
    with database_env(request.param, tmp_path, url) as env:
        yield env


def at_previous_head(done: Implemented, database: dict[str, str]) -> list[str]:
    """Migrate the database with main's revisions and store the rows through main's API."""
    created: list[str] = check(done.main, database, {"create": {"widgets": ROWS}})["created"][
        "widgets"
    ]
    return created


def test_renames_casts_limits_indexes_and_a_new_enum_value_keep_every_row(
    data_changing: Implemented, database: dict[str, str]
) -> None:
    stored = at_previous_head(data_changing, database)
    fresh = {"name": "g" * 150, "kind": "huge", "count": 1.5, "born": "2024-03-04T05:06:07",
             "summary": "new", "legacy": "x" * 300, "code": "C3", "stock": 7}  # fmt: skip
    report = check(
        data_changing.branch,
        database,
        {"read": {"widgets": stored}, "round_trip": True, "create": {"widgets": [fresh]}},
    )
    assert report["totals"]["widgets"] == 2
    for row_id, sent in zip(stored, ROWS, strict=True):
        got = report["rows"]["widgets"][row_id]
        assert got["summary"] == sent["blurb"]  # renamed, data kept
        assert (got["name"], got["kind"], got["code"], got["legacy"]) == (
            sent["name"], sent["kind"], sent["code"], sent["legacy"],
        )  # fmt: skip
        assert got["count"] == float(sent["count"]) and isinstance(got["count"], float)
        assert got["born"].startswith(sent["born"]) and "T" in got["born"]
        assert got["stock"] == 0  # the server default backfilled existing rows
    assert len(report["created"]["widgets"]) == 1  # wider name, new enum value, text column


def test_the_data_changing_request_is_shown_as_a_diff_classified_and_applied_as_one_revision(
    data_changing: Implemented,
) -> None:
    issue = data_changing.target.bot.get_issue(data_changing.number)
    assert "## What changes in `Widget`" in issue.body
    assert "**renamed** `blurb` → `summary` (data kept)" in issue.body
    assert "#### Migration: data-changing" in data_changing.preview
    assert "### Migration: data-changing" in data_changing.pr_body
    assert "deletes data" not in data_changing.pr_body
    text = (data_changing.branch / data_changing.new_revision).read_text()
    assert f"(issue #{data_changing.number})" in text
    assert "new_column_name='summary'" in text or "'blurb', new_column_name" in text
    spec = SpecFile.model_validate_json((data_changing.branch / "specs/entities.json").read_text())
    widget = spec.entity("Widget")
    assert widget.field("summary").renamed_from == "blurb"
    assert [i.fields for i in widget.indexes] == [("name",), ("count",)]


def test_removing_a_field_an_index_and_an_enum_value_says_in_bold_what_is_lost(
    destructive: Implemented, database: dict[str, str]
) -> None:
    stored = at_previous_head(destructive, database)
    report = check(destructive.branch, database, {"read": {"widgets": stored}, "round_trip": True})
    assert report["totals"]["widgets"] == 2
    for row_id, sent in zip(stored, ROWS, strict=True):
        got = report["rows"]["widgets"][row_id]
        assert (got["name"], got["kind"], got["code"]) == (sent["name"], sent["kind"], sent["code"])
        assert "legacy" not in got
    assert "### Migration: destructive" in destructive.pr_body
    lost = "widgets.kind, widgets.legacy"  # the removed enum value's rows, the dropped column
    assert f"**This migration deletes data: {lost}." in destructive.pr_body
    assert "drop index ix_widgets_legacy on widgets" in destructive.pr_body
    assert "#### Migration: destructive" in destructive.preview
    shown = lost.replace(".", "\\.")  # comments escape dots: no autolinked "domains"
    assert f"**Approving this deletes data: {shown}.**" in destructive.preview


def test_removing_an_enum_value_still_in_use_stops_the_upgrade_with_the_rows_named(
    destructive: Implemented, database: dict[str, str]
) -> None:
    check(destructive.main, database, {"create": {"widgets": [dict(ROWS[0], kind="spare")]}})
    result = run([sys.executable, str(CHECK)], destructive.branch, database, 180, "{}")
    assert result.returncode != 0
    assert "1 row(s) of widgets still have kind in ['spare']" in result.stderr


def test_gate_evaluate_names_the_migration_risk(
    data_changing: Implemented,
    destructive: Implemented,
    removed: Implemented,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    target = destructive.target
    monkeypatch.setenv("GITHUB_API_URL", target.emulator.api_url)
    monkeypatch.setenv("GITHUB_TOKEN", target.emulator.token(BOT))
    monkeypatch.setenv("ISSUEBOT_BOT_LOGIN", BOT)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli-runs.db'}")
    for done, risk in (
        (data_changing, "data-changing"),
        (destructive, "destructive"),
        (removed, "destructive"),
    ):
        pr = next(p for p in done.target.bot.list_open_pulls() if p.head_ref == done.branch_name)
        args = ["gate", "evaluate", "--repo", done.target.full_name, "--pr", str(pr.number)]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        assert re.search(rf"FAIL +additive-spec +{risk} migration: ", result.output), result.output


def test_an_unsafe_type_change_is_a_spec_problem_with_a_hint_and_nothing_is_pushed(
    emulator: EmulatorHandle, tmp_path: Path, work_dir: Path
) -> None:
    target = ship(emulator, tmp_path / "target", work_dir)
    change = {"change": "Widget", "update": {"blurb": {"type": "integer", "max_length": None}}}
    number = target.file_request(change, via_orchestrator=True)
    with pytest.raises(SpecError, match="could lose data"):
        target.orchestrator().implement_issue(number, actor="maintainer")
    assert target.remote_sha(f"feat/issue-{number}-widget") is None
    comments = "\n".join(c.body for c in target.bot.list_comments(number))
    assert "widgets.blurb" in comments and "could lose data" in comments


def test_reordered_fields_add_no_revision(
    emulator: EmulatorHandle, tmp_path: Path, work_dir: Path
) -> None:
    target = ship(emulator, tmp_path / "target", work_dir)
    reordered = {**SHIPPED, "fields": list(reversed(SHIPPED["fields"]))}
    number = target.file_request(reordered)
    result = target.orchestrator().implement_issue(number, actor="maintainer")
    assert result.status == "succeeded", result
    branch = clone_branch(target, result.branch or "", tmp_path / "branch")
    changed = git(branch, "diff", "--name-only", "origin/main...HEAD").splitlines()
    assert "specs/entities.json" in changed
    assert not [p for p in changed if p.startswith(REVISIONS)], changed


def test_regenerating_the_pr_branch_appends_nothing(data_changing: Implemented) -> None:
    spec = load_spec((data_changing.branch / "specs/entities.json").read_text())
    service = generate_with_history(data_changing.branch, spec)
    assert write_generated(data_changing.branch, service).written == []
    assert git(data_changing.branch, "status", "--porcelain") == ""


def test_a_change_request_pr_says_what_changes_with_each_operations_risk(
    data_changing: Implemented, destructive: Implemented
) -> None:
    assert data_changing.pr_title == (
        "Change Widget: add 1 field, rename 1 field, change 6 fields, update indexes"
    )
    body = data_changing.pr_body
    assert "Adds the `Widget` entity" not in body
    assert "### What changes in `Widget`" in body
    assert "- **renamed** `blurb` → `summary` (data kept)" in body
    assert "| rename column widgets.blurb → summary | data-changing |" in body
    assert destructive.pr_title == "Change Widget: remove 1 field, change 1 field, update indexes"
    assert "- **removed** `legacy` (its data is dropped)" in destructive.pr_body
    assert "| drop column widgets.legacy | destructive |" in destructive.pr_body
    summary = "\n".join(c.body for c in destructive.target.bot.list_comments(destructive.number))
    assert "- Change: Change Widget: remove 1 field" in summary


def test_removing_an_entity_drops_its_table_and_files_and_says_in_bold_that_its_rows_go(
    removed: Implemented, tmp_path: Path
) -> None:
    with database_env("sqlite", tmp_path, "") as env:
        stored = check(removed.main, env, {"create": {"widgets": ROWS, "parts": [{"label": "a"}]}})
        report = check(removed.branch, env, {"read": {"parts": stored["created"]["parts"]}})
        assert report["totals"]["parts"] == 1  # the other entity's rows are untouched
        engine = sa.create_engine(env["DATABASE_URL"])
        assert "widgets" not in sa.inspect(engine).get_table_names()  # upgrade dropped it
        down = run([sys.executable, "-m", "alembic", "downgrade", "-1"], removed.branch, env)
        assert down.returncode == 0, down.stderr[-2000:]
        with engine.connect() as connection:  # downgrade recreates it, without the rows
            assert connection.execute(sa.text("SELECT count(*) FROM widgets")).scalar() == 0
        engine.dispose()
        check(removed.branch, env, {"round_trip": True})  # back to head; alembic check clean
    spec = load_spec((removed.branch / "specs/entities.json").read_text())
    assert [e.name for e in spec.entities] == ["Part"]
    gone = sorted(line.split("\t")[1] for line in removed.changed if line.startswith("D"))
    assert "app/models/widget.py" in gone and not any("part" in path for path in gone), gone
    assert not any(line.startswith(("M", "D")) and REVISIONS in line for line in removed.changed)
    assert removed.pr_title == "Remove entity Widget"
    assert "### Migration: destructive" in removed.pr_body
    assert "**This migration deletes data: widgets." in removed.pr_body
    assert "| drop table widgets | destructive |" in removed.pr_body
    assert "**removed** entity `Widget`: its table and every row in it are dropped" in (
        removed.pr_body
    )
    assert "Endpoints of `Widget`: all removed" in removed.preview
    assert "#### Migration: destructive" in removed.preview
    text = (removed.branch / removed.new_revision).read_text()
    assert f"(issue #{removed.number})" in text and "drop_table" in text
