"""Hidden markers that let the bot find its own comments again: `<!-- issuebot:<name> -->`."""

from __future__ import annotations

import re

from bot.errors import UsageError

_MARKER = re.compile(r"[a-z0-9][a-z0-9._:-]{0,63}")


def marker_tag(marker: str) -> str:
    """The HTML comment GitHub hides when rendering; ``marker`` is a short lowercase slug."""
    if not _MARKER.fullmatch(marker):
        raise UsageError(f"invalid comment marker {marker!r}: use lowercase letters, digits, .:_-")
    return f"<!-- issuebot:{marker} -->"


def with_marker(marker: str, body: str) -> str:
    """The comment text the bot posts: the marker line, then the body."""
    return f"{marker_tag(marker)}\n{body}"


def has_marker(text: str, marker: str) -> bool:
    """Whether a comment body carries the marker on its first line (as the bot writes it)."""
    return text.split("\n", 1)[0].strip() == marker_tag(marker)
