"""The UI project the generator writes: on by default, fixed manifests, user files kept."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.codegen import write_generated
from bot.config import RepoConfig, parse_repo_config
from bot.errors import SpecError
from bot.scaffold import scaffold_files
from generators.header import MARKER, verify_header
from generators.service import generate_service
from generators.spec import load_spec
from generators.ui import comment_for
from tests.generators.cases import case_spec

MANIFESTS = ("ui/package.json", "ui/package-lock.json")


def test_the_ui_is_on_unless_the_repo_config_turns_it_off() -> None:
    assert RepoConfig().ui is True
    assert parse_repo_config("ui: false\n").ui is False
    scaffold = scaffold_files()[".github/issuebot.yml"]
    assert parse_repo_config(scaffold).ui is True


def test_manifests_are_the_same_for_every_spec_and_pin_exact_versions() -> None:
    example = generate_service(case_spec("example"), ui=True).files
    other = generate_service(case_spec("every_field_type"), ui=True).files
    for path in MANIFESTS:
        assert example[path] == other[path], path
    package = json.loads(example["ui/package.json"])
    lock = json.loads(example["ui/package-lock.json"])
    pins = {**package["dependencies"], **package["devDependencies"]}
    assert all(v[0].isdigit() for v in pins.values()), pins  # no ^ or ~: npm ci is exact
    assert lock["packages"][""]["dependencies"] == package["dependencies"]
    assert lock["packages"][""]["devDependencies"] == package["devDependencies"]


def test_headerless_files_are_only_those_without_line_comments() -> None:
    files = generate_service(case_spec("example"), ui=True).files
    headerless = sorted(p for p in files if p.startswith("ui/") and comment_for(p) is None)
    assert headerless == [
        "ui/index.html", "ui/package-lock.json", "ui/package.json", "ui/src/styles.css",
    ]  # fmt: skip
    for path in files:
        if path.startswith("ui/") and path not in headerless:
            assert verify_header(files[path]), path
    assert MARKER in json.loads(files["ui/package.json"])["description"]


def test_one_workbench_per_entity_with_the_spec_metadata(tmp_path: Path) -> None:
    service = generate_service(case_spec("every_field_type"), ui=True)
    page = service.files["ui/src/workbenches/LabSampleWorkbench.tsx"]
    assert 'paths["/lab-samples/{id}"]' in page
    meta = json.loads(page.split("export const meta: EntityMeta = ", 1)[1].split(";\n", 1)[0])
    fields = {f["name"]: f for f in meta["fields"]}
    assert fields["api_key"]["sensitive"] and fields["api_key"]["default"] is None
    assert fields["id"]["managed"] and not fields["id"]["required"]
    assert {a["name"]: a["scope"] for a in meta["actions"]} == {
        "analyze": "item", "import": "collection",
    }  # fmt: skip
    assert '"/lab-samples"' in service.files["ui/vite.config.ts"]


def test_custom_files_are_written_once_and_never_overwritten(tmp_path: Path) -> None:
    spec = load_spec(Path("specs/entities.json").read_text(encoding="utf-8"))
    service = generate_service(spec, ui=True)
    assert "ui/src/custom/index.ts" in service.user_owned
    assert not any(p.startswith("ui/src/custom/") for p in service.files)
    write_generated(tmp_path, service)
    mine = tmp_path / "ui" / "src" / "custom" / "index.ts"
    mine.write_text("export const overrides = {};  // mine\n", encoding="utf-8")
    report = write_generated(tmp_path, service)
    assert "// mine" in mine.read_text(encoding="utf-8")
    assert report.written == [] and "ui/src/custom/index.ts" in report.unchanged


def test_without_ui_nothing_under_ui_is_generated() -> None:
    service = generate_service(case_spec("example"), ui=False)
    assert not [p for p in (*service.files, *service.user_owned) if p.startswith("ui/")]
    assert "mount_ui" in service.files["app/main.py"]  # the mount is inert without ui/dist


def _meta(page: str) -> dict[str, Any]:
    text = page.split("export const meta: EntityMeta = ", 1)[1].split(";\n", 1)[0]
    return dict(json.loads(text))


def test_refs_name_their_target_rows_and_parents_list_their_children() -> None:
    spec = load_spec(Path("specs/examples/relations.json").read_text(encoding="utf-8"))
    files = generate_service(spec, ui=True).files
    run = _meta(files["ui/src/workbenches/SyncRunWorkbench.tsx"])
    source = {f["name"]: f for f in run["fields"]}["source_id"]
    assert source["label"] == "source" and source["type"] == "ref"
    assert source["ref"] == {
        "expand": "source", "path": "data-sources", "label": "data source", "labelField": "name",
    }  # fmt: skip
    assert 'query = { expand: ["source"] }' in files["ui/src/workbenches/SyncRunWorkbench.tsx"]
    data = _meta(files["ui/src/workbenches/DataSourceWorkbench.tsx"])
    assert {c["path"]: c["labelField"] for c in data["children"]} == {
        "sync-runs": "status", "source-tags": "id",
    }  # fmt: skip
    folder = _meta(files["ui/src/workbenches/FolderWorkbench.tsx"])
    assert folder["labelField"] == "title"
    assert [c["path"] for c in folder["children"]] == ["data-sources", "folders"]


def test_ui_requirements_reach_the_page_as_an_escaped_literal() -> None:
    entity = {
        "name": "Widget",
        "fields": [{"name": "title", "type": "string"}],
        "ui_requirements": "A </script> board",
    }
    spec = load_spec(json.dumps({"version": 1, "entities": [entity]}))
    page = generate_service(spec, ui=True).files["ui/src/workbenches/WidgetWorkbench.tsx"]
    assert _meta(page)["uiRequirements"] == "A </script> board"
    assert "</script>" not in page


@pytest.mark.parametrize("text", ["bell \x07", "x" * 2001])
def test_ui_requirements_are_checked_like_a_description(text: str) -> None:
    entity = {
        "name": "Widget",
        "fields": [{"name": "t", "type": "string"}],
        "ui_requirements": text,
    }
    with pytest.raises(SpecError) as raised:
        load_spec(json.dumps({"version": 1, "entities": [entity]}))
    assert "ui_requirements" in str(raised.value)
