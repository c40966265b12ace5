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
}
_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)(?:\[([ xX])\](?:[ \t]+|$))?(.*)$")
_CODE_HEAD = re.compile(r"^(`+)(.+?)(?<!`)\1(?!`)(.*)$")


@dataclass(frozen=True)
class Criterion:
    """One acceptance criterion and whether its box is ticked."""

    text: str
    done: bool = False


def section_key(title: str) -> str | None:
    """Map a heading (any case, punctuation, "(JSON)" or "(optional)" suffix) to a known key."""
    text = re.sub(r"\([^)]*\)", " ", title.lower())
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
    match = _CODE_HEAD.match(item)
    if not match:
        return unescape(item)
    head = match.group(2)
    if head.startswith(" ") and head.endswith(" ") and head.strip():
        head = head[1:-1]
    rest = unescape(match.group(3)).strip()
    return f"{head} {rest}" if rest else head
