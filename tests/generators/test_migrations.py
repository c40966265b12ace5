"""Changing entities that already ship: each change appends one revision and keeps the data.

The story: a team generates a service, migrates a database and stores rows; then, one request
at a time, adds an entity, adds and removes fields, renames things, widens limits, changes enum
values and types, and removes an entity. After every regeneration the database at the previous
head is upgraded with `alembic upgrade head`, on SQLite and on PostgreSQL, and must still serve
its rows through the API.
"""

from __future__ import annotations

import copy
import itertools
import json
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from bot.codegen import write_generated
from bot.errors import DriftError, SpecError
from bot.gates.spec_change import classify_spec_change
from bot.migrations import generate_with_history, preview_migration
from generators.migration import VERSIONS
from generators.spec import SpecFile, load_spec
from generators.views import EntityView, entity_views
from tests.generators.migrating import CHECK, check, database_env
from tests.generators.processes import run

pytestmark = pytest.mark.slow

Spec = dict[str, Any]
BASE: Spec = {
    "version": 1,
    "entities": [
        {
            "name": "Widget",
            "fields": [
                {"name": "title", "type": "string", "max_length": 40, "required": True},
                {"name": "kind", "type": "enum", "values": ["small", "large"], "required": True},
                {"name": "count", "type": "integer"},
                {"name": "born", "type": "date"},
                {"name": "blurb", "type": "string", "max_length": 80},
                {"name": "legacy", "type": "string"},
            ],
            "indexes": [{"fields": ["kind"]}],
        },
        {"name": "Gadget", "fields": [{"name": "label", "type": "string", "required": True}]},
        {"name": "Spare", "fields": [{"name": "serial", "type": "string"}]},
    ],
}


def entity(spec: Spec, name: str) -> dict[str, Any]:
    return next(e for e in spec["entities"] if e["name"] == name)


def field(spec: Spec, entity_name: str, name: str) -> dict[str, Any]:
    return next(f for f in entity(spec, entity_name)["fields"] if f["name"] == name)


def add_entity(spec: Spec) -> None:
    spec["entities"].append({"name": "Gizmo", "fields": [{"name": "size", "type": "float"}]})


def add_optional_field(spec: Spec) -> None:
    entity(spec, "Widget")["fields"].append({"name": "notes", "type": "text"})


def add_field_with_default(spec: Spec) -> None:
    entity(spec, "Widget")["fields"].append({"name": "level", "type": "integer", "default": 3})


def remove_field(spec: Spec) -> None:
    widget = entity(spec, "Widget")
    widget["fields"] = [f for f in widget["fields"] if f["name"] != "legacy"]


def rename_field(spec: Spec) -> None:
    blurb = field(spec, "Widget", "blurb")
    blurb.update(name="summary", renamed_from="blurb")


def rename_entity(spec: Spec) -> None:
    entity(spec, "Gadget").update(name="Device", renamed_from="Gadget")


def change_limits(spec: Spec) -> None:
    field(spec, "Widget", "title").update(max_length=120, description="What it is called")
    field(spec, "Widget", "count").update(min=0, max=1000, required=True)
    field(spec, "Device", "label").update(unique=True)


def change_indexes(spec: Spec) -> None:
    entity(spec, "Widget")["indexes"] = [{"fields": ["count"]}]


def add_enum_value(spec: Spec) -> None:
    field(spec, "Widget", "kind")["values"] = ["small", "large", "huge"]


def remove_enum_value(spec: Spec) -> None:
    field(spec, "Widget", "kind")["values"] = ["small", "large"]


def safe_casts(spec: Spec) -> None:
    field(spec, "Widget", "count").update(type="float")
    field(spec, "Widget", "born").update(type="datetime")
    summary = field(spec, "Widget", "summary")
    summary.update(type="text")
    del summary["max_length"]


def remove_entity(spec: Spec) -> None:
    spec["entities"] = [e for e in spec["entities"] if e["name"] != "Spare"]


CHANGES: list[Callable[[Spec], None]] = [
    add_entity,
    add_optional_field,
    add_field_with_default,
    remove_field,
    rename_field,
    rename_entity,
    change_limits,
    change_indexes,
    add_enum_value,
    remove_enum_value,
    safe_casts,
    remove_entity,
]


@dataclass
class Step:
    """One version of the target repository: its spec, folder and what generating did."""

    name: str
    spec: Spec
    directory: Path
    new_revisions: list[str]
    rewritten: list[str]
    second_run_wrote: list[str]


def revisions(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((directory / VERSIONS).glob("*.py"))}


def parsed(spec: Spec) -> SpecFile:
    return load_spec(json.dumps(spec))


def generate(directory: Path, spec: Spec) -> list[str]:
    return write_generated(directory, generate_with_history(directory, parsed(spec))).written


@pytest.fixture(scope="module")
def steps(tmp_path_factory: pytest.TempPathFactory) -> list[Step]:
    """Generate the first version, then each change on a copy of the previous version."""
    root = tmp_path_factory.mktemp("history")
    first = root / "v00_base"
    generate(first, BASE)
    made = [Step("base", copy.deepcopy(BASE), first, [], [], [])]
    for number, change in enumerate(CHANGES, start=1):
        previous = made[-1]
        directory = root / f"v{number:02d}_{change.__name__}"
        shutil.copytree(previous.directory, directory)
        spec = copy.deepcopy(previous.spec)
        change(spec)
        before = revisions(directory)
        generate(directory, spec)
        after = revisions(directory)
        rewritten = [name for name, text in before.items() if after.get(name) != text]
        new = sorted(set(after) - set(before))
        again = generate(directory, spec)
        made.append(Step(change.__name__, spec, directory, new, rewritten, again))
    return made


def test_each_change_appends_exactly_one_revision_and_rewrites_none(steps: list[Step]) -> None:
    for step in steps[1:]:
        assert step.rewritten == [], step.name
        assert len(step.new_revisions) == 1, (step.name, step.new_revisions)
        assert step.second_run_wrote == [], step.name
        text = (step.directory / VERSIONS / step.new_revisions[0]).read_text()
        assert "def downgrade() -> None:" in text


def test_reordering_entities_and_fields_adds_no_revision(steps: list[Step], tmp_path: Path) -> None:
    last = steps[-1]
    shutil.copytree(last.directory, tmp_path / "repo")
    spec = copy.deepcopy(last.spec)
    spec["entities"].reverse()
    for item in spec["entities"]:
        item["fields"].reverse()
    before = revisions(tmp_path / "repo")
    generate(tmp_path / "repo", spec)
    assert revisions(tmp_path / "repo") == before


def test_the_revision_message_names_the_entities_changed(steps: list[Step]) -> None:
    step = next(s for s in steps if s.name == "rename_entity")
    text = (step.directory / VERSIONS / step.new_revisions[0]).read_text()
    assert '"Change Device."' in text
    assert "op.rename_table('gadgets', 'devices')" in text


def add_required_field_without_default(spec: Spec) -> None:
    entity(spec, "Widget")["fields"].append({"name": "code", "type": "string", "required": True})


def turn_text_into_numbers(spec: Spec) -> None:
    title = field(spec, "Widget", "title")
    title.update(type="integer")
    del title["max_length"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (add_required_field_without_default, "widgets.code is new and required"),
        (turn_text_into_numbers, "could lose data"),
    ],
)
def test_unsafe_changes_are_refused_as_spec_problems_and_write_nothing(
    steps: list[Step], tmp_path: Path, change: Callable[[Spec], None], reason: str
) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(steps[0].directory, repo)
    before = {p: p.read_bytes() for p in sorted(repo.rglob("*")) if p.is_file()}
    spec = copy.deepcopy(BASE)
    change(spec)
    with pytest.raises(SpecError, match=reason) as raised:
        generate_with_history(repo, parsed(spec))
    assert raised.value.hint
    assert {p: p.read_bytes() for p in sorted(repo.rglob("*")) if p.is_file()} == before


# --- the same history against real databases with rows ----------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The database the generated service migrates: SQLite, or a fresh PostgreSQL schema."""
    url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else ""
    with database_env(request.param, tmp_path, url) as env:
        yield env


COMPARABLE = ("string", "text", "enum", "integer", "boolean")


def carried(rows: dict[str, dict[str, dict[str, Any]]], view: EntityView) -> dict[str, Any]:
    """The rows an entity had before this step, keys renamed the way the spec renamed them."""
    old = rows.get(view.spec.renamed_from or view.name, rows.get(view.name, {}))
    renames = {f.spec.renamed_from: f.name for f in view.fields if f.spec.renamed_from}
    return {
        row_id: {renames.get(k, k): v for k, v in payload.items()}
        for row_id, payload in old.items()
    }


def test_each_change_upgrades_a_database_with_rows_and_round_trips(
    steps: list[Step], database: dict[str, str]
) -> None:
    rows: dict[str, dict[str, dict[str, Any]]] = {}  # entity -> id -> payload sent
    for step in steps:
        views = entity_views(parsed(step.spec).entities)
        current = {view.name: carried(rows, view) for view in views}
        request: dict[str, Any] = {
            "read": {v.path: sorted(current[v.name]) for v in views},
            "create": {v.path: list(v.samples.rows[:2]) for v in views if not current[v.name]},
            "probe": {v.path: v.samples.rows[2] for v in views},
            "round_trip": step.name != "base",
        }
        report = check(step.directory, database, request)
        before = parsed(steps[max(steps.index(step) - 1, 0)].spec)
        for view in views:
            assert report["totals"][view.path] == len(current[view.name]), (step.name, view.name)
            types = {f.name: f.type for f in view.fields}
            previous = previous_types(before, view)
            for row_id, sent in current[view.name].items():
                got = report["rows"][view.path][row_id]
                for key, value in sent.items():
                    if types.get(key) in COMPARABLE and previous.get(key) == types[key]:
                        assert got[key] == value, (step.name, view.name, key)
            made = report["created"].get(view.path, [])
            sent_rows = view.samples.rows[:2]
            current[view.name].update(
                {row_id: dict(body) for row_id, body in zip(made, sent_rows, strict=False)}
            )
        rows = current


def previous_types(before: SpecFile, view: EntityView) -> dict[str, str]:
    """Field types the entity had one step earlier (under today's names), to skip casts."""
    renames = {f.spec.renamed_from: f.name for f in view.fields if f.spec.renamed_from}
    for old in entity_views(before.entities):
        if old.name in (view.name, view.spec.renamed_from):
            return {renames.get(f.name, f.name): f.type for f in old.fields}
    return {}


def test_removing_an_enum_value_still_in_use_fails_the_migration_clearly(
    steps: list[Step], tmp_path: Path
) -> None:
    added = next(s for s in steps if s.name == "add_enum_value")
    removed = next(s for s in steps if s.name == "remove_enum_value")
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}"}
    body = dict(entity_views(parsed(added.spec).entities)[0].samples.rows[0], kind="huge")
    check(added.directory, env, {"create": {"widgets": [body]}})
    result = run([sys.executable, str(CHECK)], removed.directory, env, 180, "{}")
    assert result.returncode != 0
    assert "1 row(s) of widgets still have kind in ['huge']" in result.stderr


EXPECTED_RISK = {
    "add_entity": "additive",
    "add_optional_field": "additive",
    "add_field_with_default": "data-changing",
    "remove_field": "destructive",
    "rename_field": "data-changing",
    "rename_entity": "data-changing",
    "change_limits": "data-changing",
    "change_indexes": "additive",
    "add_enum_value": "additive",
    "remove_enum_value": "destructive",
    "safe_casts": "data-changing",
    "remove_entity": "destructive",
}


def test_the_gate_classifies_each_change_from_its_migration(steps: list[Step]) -> None:
    for before, step in itertools.pairwise(steps):
        files = {
            f"{VERSIONS}{name}": text.decode() for name, text in revisions(step.directory).items()
        }
        change = classify_spec_change(
            json.dumps(before.spec),
            json.dumps(step.spec),
            files,
            tuple(f"{VERSIONS}{name}" for name in step.new_revisions),
        )
        assert change.risk == EXPECTED_RISK[step.name], (step.name, change.describe())
        assert change.additive == (change.risk == "additive")
    dropped = classify_spec_change(
        json.dumps(steps[-2].spec),
        json.dumps(steps[-1].spec),
        {f"{VERSIONS}{n}": t.decode() for n, t in revisions(steps[-1].directory).items()},
        tuple(f"{VERSIONS}{n}" for n in steps[-1].new_revisions),
    )
    assert dropped.data_lost == ("spares",)


def test_two_heads_in_the_migration_folder_are_refused(steps: list[Step]) -> None:
    files = {f"{VERSIONS}{n}": t.decode() for n, t in revisions(steps[2].directory).items()}
    fork = files[f"{VERSIONS}{steps[2].new_revisions[0]}"].replace('revision = "', 'revision = "f0')
    files[f"{VERSIONS}fork.py"] = fork
    change = classify_spec_change(
        json.dumps(steps[1].spec), json.dumps(steps[2].spec), files, (f"{VERSIONS}fork.py",)
    )
    assert change.kind == "invalid"
    assert "2 heads" in change.describe()


def test_the_preview_shows_the_operations_and_what_data_would_be_lost() -> None:
    after = copy.deepcopy(BASE)
    remove_field(after)
    add_optional_field(after)
    summary = preview_migration(parsed(BASE), parsed(after))
    assert summary is not None
    assert summary.risk == "destructive" and summary.data_lost == ("widgets.legacy",)
    assert "add column widgets.notes (additive)" in summary.as_data()["operations"]  # type: ignore[operator]
    assert preview_migration(parsed(BASE), parsed(BASE)) is None


def test_the_cli_appends_a_revision_and_check_catches_a_missing_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    spec_file = tmp_path / "entities.json"
    spec_file.write_text(json.dumps(BASE))
    args = ["generate", "--specs", str(spec_file), "--out", "svc"]
    assert runner.invoke(app, args).exit_code == 0
    changed = copy.deepcopy(BASE)
    add_optional_field(changed)
    spec_file.write_text(json.dumps(changed))

    stale = runner.invoke(app, [*args, "--check"])
    assert isinstance(stale.exception, DriftError)
    assert any(p.startswith(VERSIONS) and p.endswith("(missing)") for p in stale.exception.paths)
    written = runner.invoke(app, args)
    assert written.exit_code == 0 and f"wrote {VERSIONS}" in written.output
    assert runner.invoke(app, [*args, "--check"]).output.startswith("ok:")

    add_required_field_without_default(changed)
    spec_file.write_text(json.dumps(changed))
    refused = runner.invoke(app, args)
    assert isinstance(refused.exception, SpecError)
    assert refused.exception.exit_code == 12


def test_the_probe_files_rendered_apart_are_the_same_bytes_as_the_whole_service(
    tmp_path: Path,
) -> None:
    """The next revision renders the probe's files first and the rest beside the probe."""
    from bot.migrations import SCRATCH, read_history
    from generators.service import generate_service

    before = SpecFile.model_validate(BASE)
    write_generated(tmp_path, generate_service(before))
    history = read_history(tmp_path)
    after = copy.deepcopy(BASE)
    add_optional_field(after)
    spec = SpecFile.model_validate(after)
    whole = generate_service(spec, history=history)
    probe = generate_service(spec, history=history, select=lambda p: p.startswith(SCRATCH))
    rest = generate_service(spec, history=history, select=lambda p: not p.startswith(SCRATCH))
    assert probe.files and all(p.startswith(SCRATCH) for p in probe.files)
    assert "app/models/widget.py" in probe.files and "app/api/widget.py" not in probe.files
    assert {**rest.files, **probe.files} == whole.files
    assert rest.user_owned == whole.user_owned
