"""One spec problem: where (a JSON path), what is wrong, and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """A validation finding addressed by JSON path, e.g. `entities[0].fields[3].default`."""

    path: str
    message: str
    hint: str = ""

    def render(self) -> str:
        """One line for comments and the CLI: `path: message (hint)`."""
        where = f"{self.path}: " if self.path else ""
        return f"{where}{self.message} ({self.hint})" if self.hint else f"{where}{self.message}"

    def __str__(self) -> str:
        return self.render()

    def under(self, prefix: str) -> Problem:
        """The same problem seen from an enclosing document (`entities[0]` + `.fields[3]`)."""
        if not prefix:
            return self
        path = (
            f"{prefix}.{self.path}"
            if self.path and not self.path.startswith("[")
            else prefix + self.path
        )
        return Problem(path, self.message, self.hint)


def show(value: object, limit: int = 40) -> str:
    """A short, safe rendering of untrusted input for messages (repr, truncated)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def join_path(*parts: str | int) -> str:
    """`("fields", 3, "default")` -> `fields[3].default`."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out
