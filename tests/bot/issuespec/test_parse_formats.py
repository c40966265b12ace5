"""A reviewer's issue body, in every shape people leave it in, still yields the same entity."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.issuespec.parse import parse_issue_body
from bot.issuespec.render import render_issue_body
from bot.issuespec.request import FeatureRequest
from tests.bot.issuespec.seed import SEED_DEFINITION, SEED_REQUEST, seed_request, with_tags

DATA = Path(__file__).parent / "data"


def seed_body(**changes: object) -> str:
    return render_issue_body(FeatureRequest.model_validate(seed_request(**changes)))


@pytest.mark.parametrize("definition", [SEED_DEFINITION, with_tags()], ids=["seed", "with-tags"])
def test_rendered_request_parses_back_to_the_same_request(definition: dict[str, object]) -> None:
    parsed = parse_issue_body(seed_body(entity_definition=definition))

    assert parsed.problems == []
    assert parsed.format == "rendered"
    assert parsed.definition == definition
    assert parsed.entity is not None and parsed.entity.name == "RawDataSource"
    names = [f.name for f in parsed.entity.fields]
    assert names == [f["name"] for f in definition["fields"]]  # type: ignore[index, union-attr]
    assert parsed.description == SEED_REQUEST["description"]
    assert parsed.user_story == SEED_REQUEST["user_story"]
    assert [c.text for c in parsed.acceptance_criteria] == SEED_REQUEST["acceptance_criteria"]
    assert not any(c.done for c in parsed.acceptance_criteria)
    assert parsed.api_endpoints == SEED_REQUEST["api_endpoints"]
    assert parsed.ui_requirements == SEED_REQUEST["ui_requirements"]


def test_markdown_in_strangers_text_survives_the_round_trip_without_taking_over() -> None:
    sneaky = (
        '## Entity definition\n```json\n{"name": "Evil", "fields": []}\n```\n'
        "<!-- issuebot:entity-request v1 -->\nC:\\path\\to\\file and a \\# hash\n---"
    )
    body = seed_body(description=sneaky, acceptance_criteria=["# not a heading", "`code` ok"])

    parsed = parse_issue_body(body)

    assert parsed.problems == []
    assert parsed.entity is not None and parsed.entity.name == "RawDataSource"
    assert parsed.description == sneaky
    assert [c.text for c in parsed.acceptance_criteria] == ["# not a heading", "`code` ok"]


def test_a_request_without_optional_sections_says_so_and_parses() -> None:
    parsed = parse_issue_body(
        seed_body(acceptance_criteria=[], api_endpoints=[], ui_requirements=None)
    )

    assert parsed.valid
    assert parsed.acceptance_criteria == [] and parsed.api_endpoints == []
    assert parsed.ui_requirements is None


def test_crlf_bom_and_trailing_whitespace_change_nothing() -> None:
    body = seed_body()
    mangled = "\ufeff" + "\r\n".join(line + "  \t" for line in body.split("\n"))

    assert parse_issue_body(mangled).definition == parse_issue_body(body).definition
    assert parse_issue_body(mangled).description == SEED_REQUEST["description"]
    assert parse_issue_body(mangled).valid


def test_edited_text_extra_sections_and_ticked_boxes_are_tolerated() -> None:
    body = seed_body().replace(
        "- [ ] CRUD API endpoints working", "- [x] CRUD API endpoints working"
    )
    body = body.replace(
        "## Entity definition",
        "## Notes from the review\n\nLooks fine.\n\n### entity definition (JSON)",
    )
    body += "\n\nThanks! Edited to fix a typo.\n"

    parsed = parse_issue_body(body)

    assert parsed.valid
    assert [c.text for c in parsed.acceptance_criteria if c.done] == ["CRUD API endpoints working"]
    assert parsed.extra_sections == {"Notes from the review": "Looks fine."}


def test_the_issue_form_as_github_renders_a_submission() -> None:
    body = (DATA / "issue_form_submission.md").read_bytes().decode("utf-8")
    assert "\r\n" in body  # browsers send CRLF inside textareas; GitHub keeps them

    parsed = parse_issue_body(body)

    assert parsed.problems == []
    assert parsed.format == "issue-form"
    assert parsed.entity is not None and parsed.entity.name == "RawDataSource"
    assert [f.name for f in parsed.entity.fields][1:3] == ["name", "source_type"]
    assert parsed.description == (
        "Store configuration for external data sources\n(databases, APIs, files, streams)."
    )
    assert [(c.text, c.done) for c in parsed.acceptance_criteria][:2] == [
        ("Entity created with all required fields", True),
        ("CRUD API endpoints working", False),
    ]
    assert parsed.api_endpoints[1] == "POST /raw-data-sources/{id}/sync - Trigger manual sync"
    assert parsed.ui_requirements is None  # GitHub's "_No response_"


def test_a_fence_pasted_into_the_forms_json_box_is_unwrapped() -> None:
    definition = json.dumps(SEED_DEFINITION, indent=2)
    body = f"### Entity definition\n\n```json\n```json\n{definition}\n```\n```"

    parsed = parse_issue_body(body)

    assert parsed.problems == []
    assert parsed.definition == SEED_DEFINITION


def test_a_yaml_block_is_read_like_json() -> None:
    body = """## Description

Tags for things.

## Entity definition

```yaml
name: Tag
fields:
  - {name: label, type: string, required: true, max_length: 40}
  - name: color
    type: enum
    values: [red, green]
    default: red
```
"""
    parsed = parse_issue_body(body)

    assert parsed.problems == []
    assert parsed.format == "yaml"
    assert parsed.entity is not None and parsed.entity.field("color").values == ("red", "green")


def test_definition_without_fences_under_its_heading_still_counts() -> None:
    body = "### Entity definition\n\n" + json.dumps(SEED_DEFINITION)

    assert parse_issue_body(body).definition == SEED_DEFINITION


def test_a_single_json_block_without_headings_is_found() -> None:
    body = "Please build this:\n\n```json\n" + json.dumps(SEED_DEFINITION) + "\n```\n"

    parsed = parse_issue_body(body)

    assert parsed.valid and parsed.format == "rendered"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (None, "the issue body is empty"),
        ("   \n", "the issue body is empty"),
        ("## Description\n\nJust words.", "no entity definition found"),
        ("### Entity definition\n\n_No response_", "has no ```json block"),
        ("```json\n{}\n```\n\n```json\n{}\n```", "2 definition blocks"),
    ],
)
def test_bodies_without_one_definition_get_a_clear_verdict(body: str | None, expected: str) -> None:
    parsed = parse_issue_body(body)

    assert parsed.entity is None
    assert expected in " ".join(p.message for p in parsed.problems)


def test_broken_json_reports_line_and_column_relative_to_the_block() -> None:
    body = seed_body().replace('"max_length": 100}', '"max_length": 100')

    parsed = parse_issue_body(body)

    [problem] = parsed.problems
    assert parsed.entity is None
    # block lines: 1 "{", 2 name, 3 layer, 4 "fields": [, 5 id, 6 name (brace removed),
    # 7 source_type: JSON notices at its opening brace, after four spaces of indent.
    assert "line 7, column 5 of the entity definition block" in problem.message
    assert parsed.block_line is not None
    assert body.split("\n")[parsed.block_line + 7 - 1].startswith('    {"name": "source_type"')
    assert f"line {parsed.block_line + 7} of the issue body" in problem.message
    assert problem.hint


def test_invalid_fields_are_reported_with_their_path() -> None:
    definition = {
        "name": "Thing",
        "fields": [{"name": "size", "type": "integer", "min": 5, "default": 1}],
    }
    body = seed_body(entity_definition=definition)

    parsed = parse_issue_body(body)

    assert parsed.entity is None
    assert any(p.path.startswith("fields[0]") for p in parsed.problems)
