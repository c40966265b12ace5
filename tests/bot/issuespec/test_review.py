"""A reviewer editing an entity request sees one comment that tracks the spec's state."""

from __future__ import annotations

import json
import re

from bot.config import Labels, RepoConfig
from bot.issuespec import preview_issue
from bot.issuespec.handlers import on_issue_changed
from bot.issuespec.parse import parse_issue_body
from bot.issuespec.render import render_issue_body
from bot.issuespec.request import FeatureRequest
from bot.issuespec.review import REVIEW_MARKER, apply_review, review
from bot.issuespec.summary import SUMMARY_MARKER
from tests.bot.issuespec.fakes import FakeRepo
from tests.bot.issuespec.seed import seed_request

LABELS = Labels()
CONFIG = RepoConfig()


def body_with(definition: object) -> str:
    good = render_issue_body(FeatureRequest.model_validate(seed_request()))
    start = good.index("```json\n") + len("```json\n")
    end = good.index("\n```", start)
    text = definition if isinstance(definition, str) else json.dumps(definition, indent=2)
    return good[:start] + text + good[end:]


SEED_BODY = render_issue_body(FeatureRequest.model_validate(seed_request()))
BAD_DEFAULT = {
    "name": "Thing",
    "fields": [{"name": "size", "type": "integer", "min": 5, "default": 1}],
}


def test_problems_are_listed_with_path_message_and_fix() -> None:
    outcome = review(parse_issue_body(body_with(BAD_DEFAULT)), LABELS)

    assert outcome.status == "invalid"
    assert outcome.add_labels == ("spec-invalid",) and outcome.create_comment
    assert outcome.comment is not None
    for problem in outcome.problems:
        assert f"**`{problem.path}`**" in outcome.comment
    assert "_Fix:_" in outcome.comment
    assert "The `spec-invalid` label stays" in outcome.comment


def test_broken_json_comment_names_line_and_column() -> None:
    outcome = review(
        parse_issue_body(SEED_BODY.replace('"max_length": 100}', '"max_length": 100')), LABELS
    )

    assert outcome.comment is not None
    assert "line 7, column 5 of the entity definition block" in outcome.comment


def test_strangers_text_in_problems_cannot_ping_or_format() -> None:
    hostile = {
        "name": "Thing",
        "fields": [{"name": "@octocat **bold** <img src=x>", "type": "string"}],
    }

    outcome = review(parse_issue_body(body_with(hostile)), LABELS)

    assert outcome.comment is not None
    assert "@octocat" not in outcome.comment  # a word joiner follows every @
    assert re.search(r"(?<!\\)<img", outcome.comment) is None  # only ever as \<img
    assert "**bold**" not in outcome.comment


def test_hundreds_of_problems_are_capped_in_the_comment() -> None:
    fields = [{"name": f"f{i}", "type": "nope"} for i in range(120)]

    outcome = review(parse_issue_body(body_with({"name": "Many", "fields": fields})), LABELS)

    assert outcome.comment is not None and len(outcome.problems) >= 120
    assert f"and {len(outcome.problems) - 50} more" in outcome.comment
    assert len(outcome.comment) < 65_536


def test_invalid_then_fixed_edits_one_comment_and_clears_the_label() -> None:
    repo = FakeRepo()
    number = repo.add_issue(body_with(BAD_DEFAULT))

    first = on_issue_changed(repo, number, CONFIG)
    comment_id = repo.find_comment(number, REVIEW_MARKER).id  # type: ignore[union-attr]
    assert first.status == "invalid"
    assert "spec-invalid" in repo.get_issue(number).labels

    on_issue_changed(repo, number, CONFIG)  # a second edit that is still broken
    repo.issues[number] = repo.issues[number].__class__(
        **{**repo.issues[number].__dict__, "body": SEED_BODY}
    )
    fixed = on_issue_changed(repo, number, CONFIG)

    reviews = [c for c in repo.comments[number] if "issuebot:spec-review" in c.body]
    assert fixed.status == "valid"
    assert len(reviews) == 1 and reviews[0].id == comment_id
    assert "valid again" in reviews[0].body
    assert "spec-invalid" not in repo.get_issue(number).labels
    assert repo.find_comment(number, SUMMARY_MARKER) is not None


def test_a_valid_request_gets_no_review_comment_and_no_label_calls() -> None:
    repo = FakeRepo()
    number = repo.add_issue(SEED_BODY)

    outcome = on_issue_changed(repo, number, CONFIG)

    assert outcome.valid
    assert repo.find_comment(number, REVIEW_MARKER) is None
    assert not [c for c in repo.calls if c[0] in {"add_labels", "remove_label"}]
    summary = repo.find_comment(number, SUMMARY_MARKER)
    assert summary is not None and "**13 fields**" in summary.body
    assert "Approve by removing the `needs-review` label, or comment `/implement`" in summary.body


def test_issues_that_are_not_entity_requests_are_left_alone() -> None:
    repo = FakeRepo()
    number = repo.add_issue("just a bug report", labels=("bug",))

    outcome = on_issue_changed(repo, number, CONFIG)

    assert outcome.status == "ignored"
    assert repo.calls == []


def test_apply_review_without_known_labels_still_converges() -> None:
    repo = FakeRepo()
    number = repo.add_issue(body_with(BAD_DEFAULT))
    outcome = review(parse_issue_body(repo.get_issue(number).body), LABELS)

    apply_review(repo, number, outcome)
    apply_review(repo, number, outcome)

    assert repo.get_issue(number).labels.count("spec-invalid") == 1
    assert len(repo.comments[number]) == 1


def test_preview_command_answers_with_files_endpoints_and_diff() -> None:
    repo = FakeRepo(files={"specs/entities.json": '{"version": 1, "entities": []}\n'})
    number = repo.add_issue(SEED_BODY)

    markdown = preview_issue(repo, number, CONFIG)

    assert "Preview: what approving `RawDataSource` would produce" in markdown
    assert "`app/models/raw_data_source.py`" in markdown
    assert "| `POST` | `/raw-data-sources/sync-all` |" in markdown
    assert "```diff\n--- a/specs/entities.json" in markdown
    assert repo.calls == []  # read-only: the router posts it


def test_preview_of_an_invalid_request_lists_what_to_fix_instead() -> None:
    repo = FakeRepo()
    number = repo.add_issue(body_with(BAD_DEFAULT))

    markdown = preview_issue(repo, number, CONFIG)

    assert "Preview unavailable" in markdown
    assert "fields[0]" in markdown
