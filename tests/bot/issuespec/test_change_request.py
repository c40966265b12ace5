"""A change request for a shipped entity: filed as a diff, read back as the new entity, and every
name in it checked against what ships (a typo is a problem with its path, never a crash)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.config import RepoConfig
from bot.errors import SpecError
from bot.issuespec.handlers import on_issue_changed, preview_issue
from bot.issuespec.parse import parse_issue_body
from bot.issuespec.render import render_issue_body
from bot.issuespec.request import FeatureRequest
from bot.issuespec.request_feature import request_feature
from generators.spec import SpecFile, dump_spec, load_spec
from tests.bot.issuespec.fakes import FakeRepo
from tests.bot.issuespec.test_issue_form import answers, form, github_renders

SHIPPED = load_spec(
    dump_spec(
        SpecFile.model_validate(
            {
                "version": 1,
                "entities": [
                    {
                        "name": "RawDataSource",
                        "fields": [
                            {"name": "name", "type": "string", "max_length": 100,
                             "required": True},
                            {"name": "kind", "type": "enum", "values": ["database", "api"]},
                            {"name": "blurb", "type": "string"},
                            {"name": "legacy", "type": "integer"},
                        ],
                    },
                    {"name": "Tag", "fields": [{"name": "label", "type": "string"}]},
                ],
            }
        )
    )
)  # fmt: skip
CHANGE: dict[str, Any] = {
    "change": "RawDataSource",
    "add": [{"name": "notes", "type": "text"}, {"name": "stock", "type": "integer", "default": 0}],
    "remove": ["legacy"],
    "rename": {"blurb": "summary"},
    "update": {"name": {"max_length": 200}, "kind": {"values": ["database", "api", "file"]}},
}


def request(change: dict[str, Any]) -> FeatureRequest:
    return FeatureRequest(
        title="Change RawDataSource",
        description="Sources need notes and stock.",
        user_story="As an operator I want notes so that I remember why a source exists.",
        entity_definition=change,
    )


def shipped_repo() -> Any:  # FakeRepo records only what these handlers use
    return FakeRepo(files={"specs/entities.json": dump_spec(SHIPPED)})


def test_a_filed_change_shows_the_entity_diff_and_reads_back_as_the_new_entity() -> None:
    repo = shipped_repo()
    number, _ = request_feature(repo, request(CHANGE), RepoConfig())

    body = repo.issues[number].body
    assert "## What changes in `RawDataSource`" in body
    for line in (
        "- **added** `notes` (text)",
        "- **added** `stock` (integer, default 0)",
        "- **removed** `legacy` (its data is dropped)",
        "- **renamed** `blurb` → `summary` (data kept)",
        "- **changed** `name`: max_length → `200`",
        "- **changed** `kind`: values → `('database', 'api', 'file')`",
    ):
        assert line in body
    parsed = parse_issue_body(body, SHIPPED)
    assert parsed.problems == [] and parsed.entity is not None
    assert [f.name for f in parsed.entity.fields] == [
        "id", "name", "kind", "summary", "notes", "stock", "created_at", "updated_at",
    ]  # fmt: skip
    assert parsed.entity.field("summary").renamed_from == "blurb"
    assert parsed.entity.field("name").max_length == 200
    summary = repo.comments[number][-1].body
    assert "Changes to the shipped `RawDataSource`" in summary
    assert "**renamed** `blurb` → `summary`" in summary


def test_the_issue_form_carries_a_change_request_too() -> None:
    body = github_renders(
        form(), {**answers({}), "entity_definition": str(CHANGE).replace("'", '"')}
    )
    parsed = parse_issue_body(body, SHIPPED)
    assert parsed.problems == [] and parsed.entity is not None
    assert parsed.format == "issue-form"
    assert parsed.change is not None and parsed.change.renamed == (("blurb", "summary"),)


def test_renaming_the_entity_keeps_where_it_came_from() -> None:
    body = render_issue_body(request({"change": "Tag", "entity": {"name": "Label"}}))
    parsed = parse_issue_body(body, SHIPPED)
    assert parsed.entity is not None
    assert (parsed.entity.name, parsed.entity.renamed_from) == ("Label", "Tag")


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        ({"change": "Widget", "remove": ["legacy"]}, "change",
         "the repository ships no entity Widget (it ships RawDataSource, Tag)"),
        ({"change": "RawDataSource", "remove": ["nope"]}, "remove[0]",
         "RawDataSource has no field 'nope'"),
        ({"change": "RawDataSource", "rename": {"blurbs": "summary"}}, "rename.blurbs",
         "RawDataSource has no field 'blurbs'"),
        ({"change": "RawDataSource", "update": {"nmae": {"unique": True}}}, "update.nmae",
         "RawDataSource has no field 'nmae'"),
        ({"change": "RawDataSource", "add": [{"name": "blurb", "type": "text"}]}, "add[0].name",
         "RawDataSource already has a field blurb"),
        ({"change": "RawDataSource", "rename": {"blurb": "name"}}, "rename.blurb",
         "RawDataSource already has a field name"),
        ({"change": "RawDataSource", "remove": ["id"]}, "remove[0]",
         "id is managed by the generator and cannot change"),
        ({"change": "RawDataSource", "entity": {"name": "Tag"}}, "entity.name",
         "the repository already ships Tag"),
        ({"change": "RawDataSource"}, "change", "changes nothing"),
    ],
)  # fmt: skip
def test_a_change_naming_what_does_not_ship_is_a_precise_problem(
    change: dict[str, Any], path: str, message: str
) -> None:
    parsed = parse_issue_body(render_issue_body(request(change)), SHIPPED)
    assert parsed.entity is None
    assert parsed.problems[0].path == path
    assert message in parsed.problems[0].render()


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"change": "raw; DROP TABLE x", "remove": ["legacy"]}, "change"),
        ({"change": "RawDataSource", "remove": ["legacy'); --"]}, "remove[0]"),
        ({"change": "RawDataSource", "rename": {"blurb": "Summary Text"}}, "rename.'blurb'"),
        ({"change": "RawDataSource", "update": {"name": ["max_length"]}}, "update.name"),
        ({"change": "RawDataSource", "update": {"name": {"name": "x"}}}, "update.name.'name'"),
        ({"change": "RawDataSource", "add": "notes"}, "add"),
        ({"change": "RawDataSource", "add": [{"name": "{{x}}", "type": "text"}]}, "add[0]"),
        ({"change": "RawDataSource", "drop": True}, "'drop'"),
        ({"change": "RawDataSource", "entity": {"fields": []}}, "entity.'fields'"),
    ],
)
def test_names_in_a_change_are_identifiers_or_problems(change: dict[str, Any], path: str) -> None:
    parsed = parse_issue_body(render_issue_body(request(change)), SHIPPED)
    assert parsed.entity is None
    assert path in [p.path for p in parsed.problems], parsed.problems


def test_a_change_that_makes_an_invalid_entity_names_the_field() -> None:
    change = {"change": "RawDataSource", "update": {"name": {"max_length": -3}}}
    parsed = parse_issue_body(render_issue_body(request(change)), SHIPPED)
    assert parsed.entity is None
    assert parsed.problems[0].path == "RawDataSource.name.max_length"


def test_without_the_shipped_spec_a_change_is_a_problem_not_a_guess() -> None:
    parsed = parse_issue_body(render_issue_body(request(CHANGE)))
    assert parsed.entity is None
    assert "checked against the repository's spec" in parsed.problems[0].message


def test_filing_a_bad_change_creates_nothing() -> None:
    repo = shipped_repo()
    with pytest.raises(SpecError, match="has no field 'nope'"):
        request_feature(repo, request({"change": "Tag", "remove": ["nope"]}), RepoConfig())
    assert repo.issues == {}


def test_an_edited_change_request_is_reviewed_against_the_shipped_spec() -> None:
    repo = shipped_repo()
    number = repo.add_issue(render_issue_body(request({"change": "Tag", "remove": ["nope"]})))
    outcome = on_issue_changed(repo, number, RepoConfig())
    assert outcome.status == "invalid"
    review = next(c.body for c in repo.comments[number] if "spec-review" in c.body)
    assert "`remove[0]`" in review or "remove[0]" in review
    assert "Tag has no field 'nope'" in review

    good = repo.add_issue(
        render_issue_body(request({"change": "Tag", "rename": {"label": "title"}}))
    )
    assert on_issue_changed(repo, good, RepoConfig()).status == "valid"
    assert "renamed" in preview_issue(repo, good, RepoConfig())


def test_an_approval_of_a_change_request_records_which_change_it_approved() -> None:
    from bot.issuespec.approval import body_spec_hash

    first = body_spec_hash(render_issue_body(request(CHANGE)))
    other = body_spec_hash(render_issue_body(request({**CHANGE, "remove": []})))
    assert first is not None and other is not None and first != other


def test_removing_an_entity_is_filed_as_a_diff_previewed_without_it_and_keeps_the_others() -> None:
    repo = shipped_repo()
    number, _ = request_feature(
        repo, request({"change": "Tag", "remove_entity": True}), RepoConfig()
    )
    body = repo.issues[number].body
    assert "**removed** entity `Tag`: its table and every row in it are dropped" in body
    parsed = parse_issue_body(body, SHIPPED)
    assert parsed.problems == [] and parsed.change is not None and parsed.change.dropped
    assert parsed.change.title() == "Remove entity Tag"
    summary = repo.comments[number][-1].body
    assert "**removed** entity `Tag`" in summary
    preview = preview_issue(repo, number, RepoConfig())
    assert "Endpoints of `Tag`: all removed" in preview
    assert "#### Migration: destructive" in preview
    assert "drop table tags" in preview
    assert '-      "name": "Tag"' in preview  # the spec diff drops it
    assert '-      "name": "RawDataSource"' not in preview  # and keeps the other entity


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"change": "Tag", "remove_entity": "yes"}, "remove_entity"),
        ({"change": "Tag", "remove_entity": False}, "remove_entity"),
        ({"change": "Tag", "remove_entity": True, "remove": ["label"]}, "remove"),
        ({"change": "Widget", "remove_entity": True}, "change"),
    ],
)
def test_an_entity_removal_is_true_alone_and_names_a_shipped_entity(
    change: dict[str, Any], path: str
) -> None:
    parsed = parse_issue_body(render_issue_body(request(change)), SHIPPED)
    assert parsed.entity is None
    assert path in [p.path for p in parsed.problems], parsed.problems


def test_a_change_titles_itself_by_what_it_does() -> None:
    parsed = parse_issue_body(render_issue_body(request(CHANGE)), SHIPPED)
    assert parsed.change is not None
    assert parsed.change.title() == (
        "Change RawDataSource: add 2 fields, remove 1 field, rename 1 field, change 2 fields"
    )
