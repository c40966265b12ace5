"""People without the API file requests through the Issue Form; GitHub's rendering parses back."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from bot.issuespec.parse import parse_issue_body
from tests.bot.issuespec.seed import SEED_DEFINITION, SEED_REQUEST, with_tags

ROOT = Path(__file__).resolve().parents[3]
FORM = ROOT / ".github" / "ISSUE_TEMPLATE" / "entity-request.yml"
SCAFFOLD_FORM = (
    ROOT / "templates" / "scaffold" / ".github" / "ISSUE_TEMPLATE" / "entity-request.yml"
)


def form() -> dict[str, Any]:
    return yaml.safe_load(FORM.read_text())  # type: ignore[no-any-return]


def github_renders(template: dict[str, Any], answers: dict[str, str]) -> str:
    """The body GitHub writes for a submission.

    `### Label`, a blank line, the value (fenced when the textarea has `render`),
    `_No response_` for empty fields; markdown elements are left out.
    """
    parts = []
    for element in template["body"]:
        if element["type"] == "markdown":
            continue
        attributes = element["attributes"]
        value = answers.get(element["id"], "").strip()
        if not value:
            value = "_No response_"
        elif element["type"] == "textarea" and attributes.get("render"):
            value = f"```{attributes['render']}\n{value}\n```"
        parts.append(f"### {attributes['label']}\n\n{value}")
    return "\n\n".join(parts)


def test_the_form_follows_githubs_issue_form_schema() -> None:
    schema_file = (
        resources.files("check_jsonschema.builtin_schemas.vendor") / "github-issue-forms.json"
    )
    schema = json.loads(schema_file.read_text())

    jsonschema.validate(form(), schema)


def test_the_form_asks_for_every_section_and_renders_the_definition_as_json() -> None:
    elements = {e["id"]: e for e in form()["body"] if e["type"] != "markdown"}

    assert list(elements) == [
        "description", "user_story", "acceptance_criteria", "api_endpoints", "ui_requirements",
        "entity_definition",
    ]  # fmt: skip
    assert elements["entity_definition"]["attributes"]["render"] == "json"
    assert elements["entity_definition"]["validations"]["required"] is True
    assert set(form()["labels"]) == {"entity-request", "needs-review"}


def answers(definition: dict[str, Any], *, crlf: bool = False) -> dict[str, str]:
    newline = "\r\n" if crlf else "\n"
    return {
        "description": str(SEED_REQUEST["description"]),
        "user_story": str(SEED_REQUEST["user_story"]),
        "acceptance_criteria": newline.join(
            f"- [ ] {c}" for c in SEED_REQUEST["acceptance_criteria"]
        ),
        "api_endpoints": newline.join(f"- {e}" for e in SEED_REQUEST["api_endpoints"]),
        "ui_requirements": "",
        "entity_definition": json.dumps(definition, indent=2).replace("\n", newline),
    }


def test_a_submission_of_the_form_parses_back_into_the_same_entity() -> None:
    for definition in (SEED_DEFINITION, with_tags()):
        for crlf in (False, True):
            parsed = parse_issue_body(github_renders(form(), answers(definition, crlf=crlf)))

            assert parsed.problems == []
            assert parsed.format == "issue-form"
            assert parsed.definition == definition
            assert parsed.api_endpoints == SEED_REQUEST["api_endpoints"]
            assert [c.text for c in parsed.acceptance_criteria] == SEED_REQUEST[
                "acceptance_criteria"
            ]
            assert parsed.ui_requirements is None
            assert parsed.entity is not None
            assert [a.name for a in parsed.entity.actions] == ["sync", "test", "sync-all"]


def test_an_empty_required_definition_is_reported_not_guessed() -> None:
    parsed = parse_issue_body(
        github_renders(form(), {**answers(SEED_DEFINITION), "entity_definition": ""})
    )

    assert parsed.entity is None
    assert "has no ```json block" in parsed.problems[0].message


def test_target_repositories_get_the_same_form() -> None:
    assert SCAFFOLD_FORM.read_text() == FORM.read_text()
