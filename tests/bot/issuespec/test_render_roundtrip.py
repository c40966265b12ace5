"""Whatever a requester writes comes back out of the issue as written, and cannot take it over."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.issuespec.markdown import code_span, escape_block, fence, split_lines, unescape
from bot.issuespec.parse import parse_issue_body
from bot.issuespec.render import render_issue_body
from bot.issuespec.request import FeatureRequest, InvalidRequestError, request_from_data
from tests.bot.issuespec.seed import SEED_DEFINITION, seed_request

MARKDOWN_HEAVY = st.text(
    alphabet=st.sampled_from(list("#`~<>-=*_[]()\\!|{}:@ \t\nabcXYZ0123\r"))
    | st.characters(codec="utf-8"),
    min_size=1,
    max_size=300,
)


def normalized(text: str) -> str:
    """What a section keeps: line endings unified, trailing spaces and outer blank lines dropped."""
    return "\n".join(line.rstrip() for line in split_lines(text.strip())).strip()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(description=MARKDOWN_HEAVY.filter(lambda t: t.strip()), item=MARKDOWN_HEAVY)
def test_any_text_round_trips_and_the_definition_is_untouched(description: str, item: str) -> None:
    item_line = " ".join(split_lines(item)).strip() or "x"
    req = FeatureRequest.model_validate(
        seed_request(description=description, acceptance_criteria=[item_line])
    )

    parsed = parse_issue_body(render_issue_body(req))

    assert parsed.problems == []
    assert parsed.definition == SEED_DEFINITION
    assert parsed.description == normalized(req.description)
    assert [c.text for c in parsed.acceptance_criteria] == [" ".join(item_line.split(" ")).strip()]


@given(st.text(max_size=200))
def test_escaping_is_reversible(text: str) -> None:
    assert unescape(escape_block(text)) == normalized(text) or not text.strip()


@given(st.text(alphabet="`a \n", max_size=60))
def test_no_backtick_run_closes_a_code_span_or_fence_early(text: str) -> None:
    span = code_span(text)
    ticks = len(span) - len(span.lstrip("`"))
    inner = span[ticks:-ticks]
    assert "`" * ticks not in inner

    block = fence(text, "json")
    opening = block.split("\n", 1)[0].rstrip("json")
    assert all(not line.strip().startswith(opening) for line in block.split("\n")[1:-1])


def test_text_that_is_not_unicode_is_refused_before_rendering() -> None:
    with pytest.raises(InvalidRequestError, match="description"):
        request_from_data(seed_request(description="bytes \udcff smuggled in"))


def test_a_description_that_reads_like_an_empty_form_field_stays_a_description() -> None:
    req = FeatureRequest.model_validate(seed_request(description="_No response_"))

    assert parse_issue_body(render_issue_body(req)).description == "_No response_"
