"""Issue text built to make parsers slow: the corpus of the property test and of the bench.

Each case is a function of a size in characters, so the bench can feed 1 MB and the tests a
few kilobytes of the same shape.
"""

from __future__ import annotations

from collections.abc import Callable

Case = Callable[[int], str]


def _fill(unit: str, size: int, prefix: str = "") -> str:
    return prefix + unit * max(1, (size - len(prefix)) // len(unit))


_GROWING = "".join("`" * (3 + k) + "\n" for k in range(0, 500, 25))

CASES: dict[str, Case] = {
    "backslashes": lambda n: _fill("\\", n),
    "backslashes in a heading": lambda n: _fill("\\", n, "# "),
    "backslash-escaped hashes": lambda n: _fill("\\#", n, "## Description\n"),
    "long heading": lambda n: _fill("a", n, "# "),
    "heading of hashes and spaces": lambda n: _fill("# ", n, "# x "),
    "heading of spaces then text": lambda n: _fill(" ", n, "# a") + "b",
    "heading of hashes": lambda n: _fill("#", n),
    "heading of open parentheses": lambda n: _fill("(", n, "# Entity "),
    "heading of tabs and hashes": lambda n: _fill("\t#", n, "## x"),
    "nested fences": lambda n: _fill("````\n```\n", n),
    "fences of growing length": lambda n: _fill(_GROWING, n),
    "unclosed fence per line": lambda n: _fill("```json\n", n, "## Entity definition\n"),
    "tilde and backtick fences": lambda n: _fill("~~~\n```\n", n),
    "endpoint of backticks": lambda n: _fill("`", n, "## API endpoints\n- "),
    "endpoint code never closed": lambda n: _fill("`a", n, "## API endpoints\n- "),
    "many checklist items": lambda n: _fill("- [ ] x\n", n, "## Acceptance criteria\n"),
    "list markers": lambda n: _fill("- ", n, "## Acceptance criteria\n"),
    "setext underline": lambda n: _fill("=", n, "Title\n"),
    "carriage returns": lambda n: _fill("\r", n, "# a"),
    "images and mentions": lambda n: _fill("![@a", n),
    "html openers": lambda n: _fill("<a ", n),
    "comment openers": lambda n: _fill("<!--", n),
    "closing keywords": lambda n: _fill("closes ", n),
    "closing keyword with spaces": lambda n: _fill(" ", n, "fixes"),
}
