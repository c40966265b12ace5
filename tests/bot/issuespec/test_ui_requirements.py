"""A request's "UI requirements" section travels with the entity into the spec."""

from __future__ import annotations

from bot.issuespec.parse import ParsedIssue, parse_issue_body
from bot.issuespec.render import render_issue_body
from bot.issuespec.request import FeatureRequest
from tests.bot.issuespec.seed import SEED_REQUEST


def _parsed(text: str | None) -> ParsedIssue:
    req = FeatureRequest.model_validate({**SEED_REQUEST, "ui_requirements": text})
    return parse_issue_body(render_issue_body(req))


def test_the_section_becomes_the_entitys_ui_requirements() -> None:
    parsed = _parsed("Bento layout\nwith a <b>stats</b> panel")
    assert parsed.entity is not None and parsed.problems == []
    assert parsed.entity.ui_requirements == "Bento layout\nwith a <b>stats</b> panel"


def test_without_the_section_the_entity_has_none() -> None:
    parsed = _parsed(None)
    assert parsed.entity is not None and parsed.entity.ui_requirements is None


def test_unprintable_or_overlong_text_is_a_readable_problem() -> None:
    for text, message in (("bell \x07 here", "U+0007"), ("x" * 2001, "2001 characters")):
        parsed = _parsed(text)
        assert parsed.entity is None
        assert [p.path for p in parsed.problems] == ["UI requirements"]
        assert message in parsed.problems[0].message
