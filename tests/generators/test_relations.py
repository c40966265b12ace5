"""Relations between entities (`ref` fields): what the validator refuses, and what the
generated service does with a parent/child/self-reference chain and every `on_delete`."""

from __future__ import annotations

import copy
import itertools
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from bot.codegen import write_generated
from bot.errors import GenerationError
from bot.gates.migration_ops import summarize
from bot.migrations import generate_with_history
from generators.endpoints import entity_endpoints, service_endpoints
from generators.migration import is_revision_path
from generators.service import generate_service
from generators.spec import SpecFile, load_spec, validate_spec_data
from generators.views import entity_views
from tests.generators.cases import ROOT
from tests.generators.processes import run

EXAMPLE = ROOT / "specs" / "examples" / "relations.json"
Spec = dict[str, Any]


def example() -> Spec:
    data: Spec = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return data


def entity(name: str, *fields: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": name, "fields": list(fields), **extra}


def ref(name: str, target: str, **options: Any) -> dict[str, Any]:
    return {"name": name, "type": "ref", "entity": target, **options}


def problems(*entities: dict[str, Any]) -> list[str]:
    spec, found = validate_spec_data({"version": 1, "entities": list(entities)})
    assert spec is None
    return [p.render() for p in found]


def test_tables_are_created_parents_first_whatever_the_spec_order() -> None:
    views = entity_views(load_spec(EXAMPLE.read_text()).entities)
    assert [v.name for v in views] == ["Folder", "DataSource", "SyncRun", "Tag", "SourceTag"]
    for before, after in itertools.pairwise(views):
        assert after.down_revision == before.revision
    sync_run = views[2]
    assert [f.name for f in sync_run.fixtures] == ["Folder", "DataSource"]
    assert sync_run.samples.rows[0]["source_id"] == sync_run.refs[0].fixture
    folder = views[0]
    assert folder.samples.rows[0]["parent_id"] is None  # a tree's rows are made by its tests
    assert [(c.segment, c.name) for c in folder.children] == [
        ("data-sources", "DataSource"),
        ("folders", "Folder"),
    ]


def test_a_ref_is_a_foreign_key_with_an_index_in_the_model_and_the_migration() -> None:
    files = generate_service(load_spec(EXAMPLE.read_text())).files
    model = files["app/models/data_source.py"]
    assert '"folders.id",' in model and 'ondelete="SET NULL",' in model
    assert '"ix_data_sources_folder_id",' in model
    migration = files["migrations/versions/data_source.py"]
    assert "sa.ForeignKeyConstraint(" in migration and '["folders.id"],' in migration
    restrict = files["migrations/versions/folder.py"]
    assert "ondelete" not in restrict  # restrict: NO ACTION in SQL, a 409 from the API first
    views = {v.name: v for v in entity_views(load_spec(EXAMPLE.read_text()).entities)}
    assert f'down_revision = "{views["Folder"].revision}"' in migration


def test_the_example_is_valid_and_documents_many_to_many_as_a_link_entity() -> None:
    spec = load_spec(EXAMPLE.read_text())
    link = spec.entity("SourceTag")
    assert [f.entity for f in link.fields if f.type == "ref"] == ["DataSource", "Tag"]
    rules = {f.delete_rule for e in spec.entities for f in e.fields if f.type == "ref"}
    assert rules == {"cascade", "restrict", "set_null"}


@pytest.mark.parametrize(
    ("entities", "expected"),
    [
        (
            [entity("A", ref("owner", "Nobody"))],
            "entities[0].fields[0].entity: unknown entity 'Nobody' (declared entities: A)",
        ),
        (
            [
                entity("A", ref("b", "B", required=True)),
                entity("B", ref("a", "A", required=True)),
            ],
            "entities[0].fields[0]: required refs form a cycle (A.b → B, B.a → A): "
            "no row could ever be created first",
        ),
        (
            [entity("Node", ref("up", "Node", required=True))],
            "entities[0].fields[0]: required refs form a cycle (Node.up → Node)",
        ),
        (
            [entity("A", ref("b", "B")), entity("B", ref("a", "A", required=True))],
            "entities[0].fields[0]: refs form a cycle through several entities (A.b → B, B.a → A)"
            " (keep the ref on one side only, or link the two through an entity of its own",
        ),
        (
            [entity("A", ref("up", "A", required=True, on_delete="set_null"))],
            "entities[0].fields[0].on_delete: set_null needs an optional ref",
        ),
        (
            [entity("A", ref("up", "A", on_delete="sometimes"))],
            "entities[0].fields[0].on_delete: unknown on_delete 'sometimes' "
            "(use cascade, restrict or set_null)",
        ),
        (
            [entity("A", {"name": "up", "type": "ref"})],
            "entities[0].fields[0].entity: a ref field needs the entity it references",
        ),
        (
            [entity("A", {"name": "n", "type": "string", "entity": "A", "on_delete": "cascade"})],
            "entities[0].fields[0].entity: entity applies to ref fields, not string",
        ),
        (
            [entity("A", ref("up", "A"), {"name": "up_id", "type": "string"})],
            "entities[0].fields[1].name: 'up_id' would answer with the key 'up_id', "
            "which 'up' uses too",
        ),
        (
            [entity("A", ref("up", "A"), {"name": "expand", "type": "string"})],
            "entities[0].fields[1].name: 'expand' is a query parameter of an entity with refs",
        ),
        (
            [entity("A", ref("up", "A", sensitive=True))],
            "entities[0].fields[0].sensitive: a ref field cannot be sensitive",
        ),
        (
            [entity("A", ref("x" * 61, "A"))],
            "entities[0].fields[0].name: its column " + "x" * 61 + "_id is over 63 characters",
        ),
        (
            [
                entity("Parent", {"name": "n", "type": "string"}, actions=[{"name": "kids"}]),
                entity("Kid", ref("parent", "Parent")),
            ],
            "entities[0].actions[0].name: /parents/{id}/kids already lists the rows that "
            "reference it",
        ),
    ],
)
def test_bad_refs_are_precise_problems(entities: list[dict[str, Any]], expected: str) -> None:
    found = problems(*entities)
    assert any(p.startswith(expected) for p in found), found


def test_refs_to_later_entities_and_to_itself_are_fine() -> None:
    leg = entity("Leg", ref("shipment", "Shipment", required=True, on_delete="cascade"))
    shipment = entity("Shipment", ref("split_from", "Shipment"), {"name": "code", "type": "string"})
    spec, found = validate_spec_data({"version": 1, "entities": [leg, shipment]})
    assert found == [] and spec is not None
    assert [v.name for v in entity_views(spec.entities)] == ["Shipment", "Leg"]
    with pytest.raises(ValidationError, match="unknown entity 'Shipment'"):
        SpecFile.model_validate({"version": 1, "entities": [leg]})


FK_ON_NEW_COLUMN = """
def upgrade() -> None:
    with op.batch_alter_table('data_sources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('folder_id', sa.Uuid(), nullable=True))
        batch_op.create_index('ix_data_sources_folder_id', ['folder_id'], unique=False)
        batch_op.create_foreign_key('fk_x', 'folders', ['folder_id'], ['id'])
"""
FK_ON_OLD_COLUMN = """
def upgrade() -> None:
    op.create_foreign_key('fk_x', 'data_sources', 'folders', ['folder_id'], ['id'])
"""


def test_a_foreign_key_is_additive_only_on_a_column_the_revision_adds() -> None:
    new = summarize({"migrations/versions/a.py": FK_ON_NEW_COLUMN})
    assert new.risk == "additive"
    assert new.operations[-1].describe() == (
        "create foreign key on data_sources.folder_id (additive)"
    )
    old = summarize({"migrations/versions/b.py": FK_ON_OLD_COLUMN})
    assert old.risk == "data-changing"
    assert old.operations[0].target == "data_sources.folder_id"


def without_folder_ref(spec: Spec) -> Spec:
    """The example before `DataSource.folder` was added."""
    before = copy.deepcopy(spec)
    source = next(e for e in before["entities"] if e["name"] == "DataSource")
    source["fields"] = [f for f in source["fields"] if f["name"] != "folder"]
    return before


def test_adding_an_optional_ref_to_a_shipped_table_appends_one_additive_revision(
    tmp_path: Path,
) -> None:
    write_generated(
        tmp_path, generate_service(load_spec(json.dumps(without_folder_ref(example()))))
    )
    shipped = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.py")}
    service = generate_with_history(tmp_path, load_spec(EXAMPLE.read_text()))
    added = {p: t for p, t in service.files.items() if is_revision_path(p) and p not in shipped}
    assert len(added) == 1
    summary = summarize(added)
    assert summary.risk == "additive", summary.as_data()
    assert summary.as_data()["operations"] == [
        "add column data_sources.folder_id (additive)",
        "create index ix_data_sources_folder_id on data_sources (additive)",
        "create foreign key on data_sources.folder_id (additive)",
    ]


def test_a_child_named_item_does_not_shadow_its_parents_list_route() -> None:
    tree = entity("Item", ref("parent", "Item", on_delete="cascade"), ref("order", "Order"))
    spec, found = validate_spec_data(
        {"version": 1, "entities": [tree, entity("Order", ref("up", "Order"))]}
    )
    assert spec is not None, found
    api = generate_service(spec).files["app/api/order.py"]
    assert api.count("def list_items(") == 1 and "def list_nested_items(" in api


def test_generating_a_ref_to_a_missing_entity_is_a_readable_error() -> None:
    spec = SpecFile.empty().upsert(load_spec(EXAMPLE.read_text()).entity("SyncRun"))
    with pytest.raises(GenerationError, match=r"SyncRun\.source refers to DataSource"):
        generate_service(spec)


def test_listed_endpoints_are_exactly_the_served_routes(tmp_path: Path) -> None:
    """What /preview and the PR body list (nested child routes and action runs included)
    is what the generated app answers, per its OpenAPI document."""
    spec = load_spec(EXAMPLE.read_text())
    write_generated(tmp_path, generate_service(spec))
    probe = (
        "import json; from app.main import app\n"
        "print(json.dumps(sorted([m.upper(), p] for p, ops in app.openapi()['paths'].items()"
        " for m in ops)))"
    )
    served = run([sys.executable, "-c", probe], tmp_path)
    assert served.returncode == 0, served.stderr[-2000:]
    listed = [e for entity in spec.entities for e in entity_endpoints(entity, spec.entities)]
    listed += service_endpoints()
    assert sorted([e.method, e.path] for e in listed) == json.loads(served.stdout)
    folders = [e.path for e in entity_endpoints(spec.entities[2], spec.entities)]
    assert "/folders/{id}/folders" in folders  # a tree lists its own children
