"""Output hygiene: strangers' text in anything the bot writes pings nobody and closes nothing.

Applied by every markdown filter of `bot.templating` (and by the event handlers' messages)
before escaping: `@mentions` get a zero-width space after the `@`, images and raw HTML tags
are dropped (an image's alt text stays), and GitHub's closing keywords (`Closes #3`,
`fixes org/repo#3`, `resolved: https://…/issues/3`) get a zero-width space after the keyword,
so GitHub no longer reads them as links that close issues. Every pattern is bounded, so the
work is linear in the text's length.
"""

from __future__ import annotations

import re

ZWSP = "\u200b"
_MENTION = re.compile(r"@(?=[A-Za-z0-9_])")
# Bounded, and no class can run past the next opener, so each start scans a short stretch.
_IMAGE = re.compile(
    r"!\[([^\[\]\n]{0,256})\]"  # alt text, kept
    r"(?:\([^()\s]{0,2048}(?:[ \t]+\"[^\"\n]{0,256}\")?\)|\[[^\[\]\n]{0,256}\])"  # (url) or [ref]
)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]{0,64}(?:[ \t\n/][^<>]{0,1024})?>")
_CLOSING = re.compile(
    r"\b(close[sd]?|fix(?:e[sd])?|resolve[sd]?)\b"
    r"(?=(?:[ \t]{0,64}:)?[ \t]{1,64}"
    r"(?:[\w.-]{1,100}/[\w.-]{1,100}#\d|#\d|https?://[^\s]{1,300}/(?:issues|pull)/\d))",
    re.IGNORECASE,
)


def neutralise(text: str, *, code: bool = False) -> str:
    """User text made inert for a bot comment (``code``: it goes in a code span or fence,
    where images and HTML never render, so only mentions and closing keywords matter)."""
    if not code:
        text = _IMAGE.sub(r"\1", text)
        text = _TAG.sub("", _without_comments(text))
    text = _CLOSING.sub(lambda m: m.group(1) + ZWSP, text)
    return _MENTION.sub("@" + ZWSP, text)


def _without_comments(text: str) -> str:
    """HTML comments removed, an unclosed one with the rest of the text (GitHub hides it)."""
    out: list[str] = []
    at = 0
    while (start := text.find("<!--", at)) != -1:
        out.append(text[at:start])
        end = text.find("-->", start + 4)
        if end == -1:
            return "".join(out)
        at = end + 3
    out.append(text[at:])
    return "".join(out)
