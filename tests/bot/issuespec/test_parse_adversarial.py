"""Hostile issue text parses correctly and in linear time (timing lives in bench/).

The rewritten pieces (heading titles, leading code spans, unescaping, the line scanner) are
checked against the plain regex definitions they replace, on generated inputs made of the
characters that used to cause backtracking; the whole adversarial corpus must parse.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.issuespec.hygiene import neutralise
from bot.issuespec.markdown import _PUNCT, _heading_title, scan, split_lines, unescape
from bot.issuespec.parse import parse_issue_body
from bot.issuespec.render import md_endpoint
from bot.issuespec.sections import endpoint_line, section_key
from tests.bot.issuespec.adversarial import CASES

_OLD_UNESCAPE = re.compile(rf"\\([{_PUNCT}])")
_OLD_CODE_HEAD = re.compile(r"^(`+)(.+?)(?<!`)\1(?!`)(.*)$", re.S)


def old_heading_title(raw: str) -> str:
    """The former definition: quadratic on a run of spaces before the end."""
    return _OLD_UNESCAPE.sub(r"\1", re.sub(r"(?:^|[ \t]+)#+$", "", raw.strip()).strip())


def old_endpoint_line(item: str) -> str:
    """The former definition: a backreference regex, quadratic on long backtick runs."""
    match = _OLD_CODE_HEAD.match(item)
    if not match:
        return _OLD_UNESCAPE.sub(r"\1", item)
    head = match.group(2)
    if head.startswith(" ") and head.endswith(" ") and head.strip():
        head = head[1:-1]
    rest = _OLD_UNESCAPE.sub(r"\1", match.group(3)).strip()
    return f"{head} {rest}" if rest else head


HEADINGS = st.text(alphabet="# \t\\ax(", max_size=40)
TICKS = st.text(alphabet="`a \\#", max_size=40)


@settings(max_examples=400, deadline=None)
@given(HEADINGS)
def test_heading_titles_mean_what_they_meant(raw: str) -> None:
    assert _heading_title(raw) == old_heading_title(raw)


@settings(max_examples=400, deadline=None)
@given(TICKS)
def test_endpoint_code_spans_mean_what_they_meant(item: str) -> None:
    old = _OLD_CODE_HEAD.match(item)
    opener = len(item) - len(item.lstrip("`"))
    if old is None or len(old.group(1)) == opener:  # where the old regex followed CommonMark
        assert endpoint_line(item) == old_endpoint_line(item)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="`a/", min_size=1, max_size=20), st.text(alphabet="a `\\#", max_size=20))
def test_rendered_endpoints_read_back(head: str, rest: str) -> None:
    rest = rest.strip()
    assert endpoint_line(md_endpoint(f"GET {head} {rest}")) == f"GET {head} {rest}".strip()


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="\\#`a*", max_size=40))
def test_unescaping_means_what_it_meant(text: str) -> None:
    assert unescape(text) == _OLD_UNESCAPE.sub(r"\1", text)


BODIES = st.lists(
    st.sampled_from(["# T", "## Entity definition", "```", "````json", "~~~", "  ```", "x", ""]),
    max_size=30,
).map("\n".join)


@settings(max_examples=300, deadline=None)
@given(BODIES)
def test_the_scanner_keeps_every_line_and_finds_headings_outside_fences(body: str) -> None:
    sections = scan(body)
    lines = split_lines(body)
    assert sum(len(s.lines) for s in sections) + len(sections) - 1 == len(lines)
    inside = False
    expected = 0
    fence: str | None = None
    for line in lines:
        stripped = line.strip()
        if fence is None and re.match(r"^ {0,3}(`{3,}|~{3,})", line):
            fence = stripped.rstrip("json")
            inside = True
        elif inside and fence is not None and set(stripped or "x") == {fence[0]}:
            if len(stripped) >= len(fence):
                fence, inside = None, False
        elif not inside and re.match(r"^ {0,3}#{1,6}(?=[ \t]|$)", line):
            expected += 1
    assert len(sections) - 1 == expected


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_adversarial_body_parses_to_an_answer(name: str) -> None:
    body = CASES[name](8_000)
    parsed = parse_issue_body(body)
    assert parsed.entity is None and parsed.problems  # none of them is a valid request
    assert section_key("(" * 5_000) is None
    inert = neutralise(body)
    assert "@" not in inert.replace("@\u200b", "")


def test_long_hostile_headings_keep_their_text() -> None:
    spaced = CASES["heading of spaces then text"](8_000)
    [_, section] = scan(spaced)
    assert section.title.startswith("a ") and section.title.endswith("b")
    hashes = scan("# Widget " + "#" * 5_000)[1]
    assert hashes.title == "Widget"
    ticks = "`" * 5_000
    assert endpoint_line(ticks) == ticks
