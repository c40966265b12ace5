"""Just enough CommonMark to write strangers' text safely and to read issue bodies back.

Writing: escapes only what could change the structure (headings, fences, HTML, setext
underlines) and does it reversibly, so ``unescape(escape_block(x)) == x``. Reading: a
line scanner that knows fenced blocks, so a heading inside a code block is not a section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_PUNCT = r"!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~"
_UNESCAPE = re.compile(rf"\\([{_PUNCT}])")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_OPEN_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?=[ \t]|$)(.*)$")
_SETEXT = re.compile(r"^[=-]+[ \t]*$")
_BACKTICKS = re.compile(r"`+")


def split_lines(text: str) -> list[str]:
    """Lines as markdown sees them: LF, CRLF and lone CR all end a line."""
    return _LINE_BREAK.split(text)


def replace_surrogates(text: str) -> tuple[str, int]:
    """Lone surrogates (undecodable bytes smuggled into a str) become U+FFFD; count them."""
    return _SURROGATE.subn("\ufffd", text)


def unescape(text: str) -> str:
    """What GitHub displays for backslash escapes: ``\\#`` shows as ``#``."""
    return _UNESCAPE.sub(r"\1", text)


def _escape_line(line: str) -> str:
    line = line.rstrip().replace("\\", "\\\\").replace("<", "\\<")
    body = line.lstrip(" ")
    indent = line[: len(line) - len(body)]
    if (
        len(indent) <= 3
        and body
        and (
            body[0] in "#`~" or _SETEXT.match(body) or body == "_No response_"  # GitHub's "empty"
        )
    ):
        return f"{indent}\\{body}"
    return line


def escape_block(text: str) -> str:
    """Multi-line text that cannot open a heading, a fence or HTML, nor hide anything."""
    return "\n".join(_escape_line(line) for line in split_lines(text.strip())).strip("\n")


def escape_inline(text: str) -> str:
    """One-line text for a list item: line breaks folded to spaces, then escaped."""
    return _escape_line(" ".join(part.strip() for part in split_lines(text)).strip())


def code_span(text: str) -> str:
    """An inline code span that no backtick in ``text`` can close early."""
    flat = " ".join(split_lines(text))
    longest = max((len(run) for run in _BACKTICKS.findall(flat)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") or not flat.strip() else ""
    return f"{ticks}{pad}{flat}{pad}{ticks}"


def fence(content: str, info: str = "") -> str:
    """A fenced block whose fence is longer than any backtick run inside, so nothing escapes."""
    longest = max((len(run) for run in _BACKTICKS.findall(content)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{info}\n{content.rstrip(chr(10))}\n{ticks}"


@dataclass(frozen=True)
class Fence:
    """One fenced code block: its info word, its text, and where it starts in the body."""

    info: str
    content: str
    line: int  # 1-based line of the opening fence in the body
    closed: bool


@dataclass
class Section:
    """Text under one ATX heading (key "" is the preamble before any heading)."""

    title: str
    level: int
    line: int
    lines: list[str] = field(default_factory=list)
    fences: list[Fence] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The section's raw markdown, trailing spaces and outer blank lines removed."""
        return "\n".join(line.rstrip() for line in self.lines).strip("\n")


def _heading_title(raw: str) -> str:
    title = raw.strip()
    title = re.sub(r"(?:^|[ \t]+)#+$", "", title).strip()
    return unescape(title)


def scan(body: str) -> list[Section]:
    """Split a body into sections by ATX headings, collecting each section's fenced blocks."""
    sections = [Section(title="", level=0, line=1)]
    opened: tuple[str, int, int, str, int] | None = None  # char, length, indent, info, line
    buffer: list[str] = []
    for number, line in enumerate(split_lines(body), start=1):
        current = sections[-1]
        if opened is not None:
            char, length, indent, info, start = opened
            stripped = line.strip()
            indented = len(line) - len(line.lstrip(" "))
            if indented <= 3 and set(stripped or "x") == {char} and len(stripped) >= length:
                current.fences.append(Fence(info, "\n".join(buffer), start, True))
                current.lines.append(line)
                opened, buffer = None, []
                continue
            current.lines.append(line)
            buffer.append(line[min(indent, len(line) - len(line.lstrip(" "))) :])
            continue
        match = _OPEN_FENCE.match(line)
        if match and not (match.group(2)[0] == "`" and "`" in match.group(3)):
            words = match.group(3).strip().split()
            info = unescape(words[0]).lower() if words else ""
            opened = (match.group(2)[0], len(match.group(2)), len(match.group(1)), info, number)
            current.lines.append(line)
            continue
        heading = _HEADING.match(line)
        if heading:
            title = _heading_title(heading.group(2))
            sections.append(Section(title=title, level=len(heading.group(1)), line=number))
            continue
        current.lines.append(line)
    if opened is not None:
        sections[-1].fences.append(Fence(opened[3], "\n".join(buffer), opened[4], False))
    return sections


_SIGNIFICANT = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~])")


def escape_text(text: str) -> str:
    """Fully literal one-line text for bot comments: no markup, links, HTML or @mentions."""
    flat = " ".join(part.strip() for part in split_lines(text)).strip()
    return _SIGNIFICANT.sub(r"\\\1", flat).replace("@", "@\u2060")
