"""The readable sections of a request body: headings to keys, text, checklists, endpoint lines.

Pure helpers of the parser; they undo the renderer's escaping so text round-trips.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.issuespec.markdown import Section, unescape

NO_RESPONSE = "_No response_"  # what GitHub writes for an Issue Form field left empty
_SECTION_KEYS = {
    "description": "description",
    "summary": "description",
    "user story": "user_story",
    "story": "user_story",
    "acceptance criteria": "acceptance_criteria",
    "acceptance": "acceptance_criteria",
    "api endpoints": "api_endpoints",
    "endpoints": "api_endpoints",
    "api": "api_endpoints",
    "ui requirements": "ui_requirements",
    "ui": "ui_requirements",
    "user interface": "ui_requirements",
    "entity definition": "entity",
    "entity": "entity",
    "definition": "entity",
    "entity spec": "entity",
    "spec": "entity",
    "change": "entity",  # the change-request form's block
    "entity change": "entity",
    "requested change": "entity",
}
_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)(?:\[([ xX])\](?:[ \t]+|$))?(.*)$")
_TICKS = re.compile(r"`+")
MAX_TITLE = 200  # no known section title is longer; longer headings are extra sections


@dataclass(frozen=True)
class Criterion:
    """One acceptance criterion and whether its box is ticked."""

    text: str
    done: bool = False


def section_key(title: str) -> str | None:
    """Map a heading (any case, punctuation, "(JSON)" or "(optional)" suffix) to a known key."""
    if len(title) > MAX_TITLE:
        return None
    text = re.sub(r"\([^()]*\)", " ", title.lower())
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    while words and words[-1] in {"json", "yaml", "optional", "required"}:
        words.pop()
    return _SECTION_KEYS.get(" ".join(words))


def section_text(section: Section | None) -> str | None:
    """A free-text section, unescaped; None when absent or left empty in the form."""
    if section is None:
        return None
    text = section.text.strip()
    return None if not text or text == NO_RESPONSE else unescape(text)


def list_items(section: Section | None) -> list[tuple[str, bool]]:
    """List items (or plain lines) with their checkbox state; continuation lines are joined."""
    if section is None:
        return []
    items: list[tuple[str, bool]] = []
    for line in section.lines:
        stripped = line.strip()
        if not stripped or stripped == NO_RESPONSE:
            continue
        match = _ITEM.match(line)
        if match:
            items.append((match.group(2).strip(), (match.group(1) or " ") != " "))
        elif items and line[:1] in " \t":
            text, done = items[-1]
            items[-1] = (f"{text} {stripped}".strip(), done)
        else:
            items.append((stripped, False))
    return [(text, done) for text, done in items if text]


def endpoint_line(item: str) -> str:
    """An endpoint item (`GET /path` as code, then free text) back to its one-line form."""
    split = _code_head(item)
    if split is None:
        return unescape(item)
    head, tail = split
    if head.startswith(" ") and head.endswith(" ") and head.strip():
        head = head[1:-1]
    rest = unescape(tail).strip()
    return f"{head} {rest}" if rest else head


def _code_head(item: str) -> tuple[str, str] | None:
    """A leading code span's content and the text after it (one pass over backtick runs).

    A span opened by N backticks closes at the next run of exactly N (CommonMark); a regex
    with a backreference would try every split and take quadratic time on long runs.
    """
    runs = _TICKS.finditer(item)
    opener = next(runs, None)
    if opener is None or opener.start() != 0:
        return None
    width = len(opener.group())
    for run in runs:
        if len(run.group()) == width:
            content = item[opener.end() : run.start()]
            return (content, item[run.end() :]) if content else None
    return None
