"""Nobody approves blind: the preview shows files, endpoints and the spec diff approval makes."""

from __future__ import annotations

from bot.issuespec.preview import compute_preview, render_preview
from bot.issuespec.request import FeatureRequest
from bot.issuespec.request_feature import validate_request
from generators.spec import SpecFile, dump_spec
from tests.bot.issuespec.seed import seed_request, with_tags

SEED = validate_request(FeatureRequest.model_validate(seed_request()))
TAGGED = validate_request(
    FeatureRequest.model_validate(seed_request(entity_definition=with_tags()))
)
OTHER = validate_request(
    FeatureRequest.model_validate(
        seed_request(
            entity_definition={"name": "Tag", "fields": [{"name": "label", "type": "string"}]},
            api_endpoints=[],
        )
    )
)


def test_first_entity_lists_every_file_with_lines_endpoints_and_the_whole_spec_as_added() -> None:
    preview = compute_preview(SEED, None)

    paths = {change.path: change for change in preview.files}
    assert paths["app/models/raw_data_source.py"].change == "new"
    assert paths["app/hooks/raw_data_source.py"].user_owned
    assert all(change.lines > 0 for change in preview.files)
    assert "| `app/api/raw_data_source.py` |" in preview.markdown
    assert "| `POST` | `/raw-data-sources/{id}/sync` | Trigger manual sync |" in preview.markdown
    assert preview.spec_diff.startswith("--- a/specs/entities.json\n+++ b/specs/entities.json")
    assert '+      "name": "RawDataSource",' in preview.spec_diff


def test_a_second_entity_touches_only_its_own_files_and_adds_to_the_spec() -> None:
    current = dump_spec(SpecFile.empty().upsert(OTHER))

    preview = compute_preview(SEED, current)

    touched = {change.path for change in preview.files}
    assert "app/models/raw_data_source.py" in touched
    assert not any("tag" in path.split("/")[-1] for path in touched)
    assert preview.unchanged > 0
    assert not [line for line in preview.spec_diff.splitlines()[2:] if line.startswith("-")]


def test_editing_an_entity_already_in_the_spec_shows_the_added_field() -> None:
    current = dump_spec(SpecFile.empty().upsert(SEED))

    preview = compute_preview(TAGGED, current)

    new = [c.path for c in preview.files if c.change == "new"]
    assert len(new) == 1 and new[0].startswith("migrations/versions/")  # appended, not rewritten
    assert {c.change for c in preview.files if c.path not in new} == {"changed"}
    assert '+          "name": "tags",' in preview.spec_diff
    assert "app/hooks/raw_data_source.py" not in {c.path for c in preview.files}


def test_a_broken_spec_in_the_repository_is_said_not_hidden() -> None:
    markdown = render_preview(SEED, '{"version": 1, "entities": [')

    assert "current spec is invalid" in markdown
