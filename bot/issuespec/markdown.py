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
    """What GitHub displays for backslash escapes: ``\\#`` shows as ``#``.

    Splitting on the escape keeps the escaped character (the pattern's group) and drops the
    backslash, in C: a template substitution costs a Python call per escape.
    """
    return "".join(_UNESCAPE.split(text))


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
    """The heading's text without its optional closing `#`s (linear: no regex backtracking)."""
    title = raw.strip()
    bare = title.rstrip("#")
    if bare != title and (not bare or bare[-1] in " \t"):
        title = bare.strip()
    return unescape(title)


_STRUCTURE_CHARS = frozenset("#`~")


def _structural_lines(lines: list[str]) -> list[int]:
    """Indexes of the lines that may open/close a fence or be a heading (up to three spaces,
    then `#`, a backtick or `~`): every other line is plain text, wherever it is."""
    chars = _STRUCTURE_CHARS
    return [
        i
        for i, line in enumerate(lines)
        if line[:1] in chars or (line[:1] == " " and line[:4].lstrip(" ")[:1] in chars)
    ]


def scan(body: str) -> list[Section]:
    """Split a body into sections by ATX headings, collecting each section's fenced blocks.

    Linear in the body's length: only candidate lines are examined one by one, the plain
    lines between them are moved in slices.
    """
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    sections = [Section(title="", level=0, line=1)]
    opened: tuple[str, int, int, str, int] | None = None  # char, length, indent, info, line
    buffer: list[str] = []

    def plain(start: int, stop: int) -> None:
        """Lines ``start:stop`` hold no structure: into the section (and the open fence)."""
        chunk = lines[start:stop]
        sections[-1].lines.extend(chunk)
        if opened is not None:
            indent = opened[2]
            if indent:
                chunk = [ln[min(indent, len(ln) - len(ln.lstrip(" "))) :] for ln in chunk]
            buffer.extend(chunk)

    done = 0
    for index in _structural_lines(lines):
        plain(done, index)
        done = index + 1
        line, number = lines[index], index + 1
        current = sections[-1]
        if opened is not None:
            char, length, _, info, start = opened
            stripped = line.strip()
            indented = len(line) - len(line.lstrip(" "))
            if indented <= 3 and set(stripped or "x") == {char} and len(stripped) >= length:
                current.fences.append(Fence(info, "\n".join(buffer), start, True))
                current.lines.append(line)
                opened, buffer = None, []
                continue
            plain(index, index + 1)  # fence content that only looks like structure
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
    plain(done, len(lines))
    if opened is not None:
        sections[-1].fences.append(Fence(opened[3], "\n".join(buffer), opened[4], False))
    return sections


_SIGNIFICANT = str.maketrans({ch: "\\" + ch for ch in "\\`*_{}[]<>()#+-.!|~"} | {"@": "@\u2060"})


def escape_text(text: str) -> str:
    """Fully literal one-line text for bot comments: no markup, links, HTML or @mentions."""
    flat = " ".join(part.strip() for part in split_lines(text)).strip()
    return flat.translate(_SIGNIFICANT)
