"""Migration history as plain data: read revision files without running them, name the next one.

Revisions are history: once written they are never rendered again. The generator only appends
one revision (`NextRevision`) whose operations `bot/migrations.py` computed with Alembic.
"""

from __future__ import annotations

import ast
import hashlib
import re
from dataclasses import dataclass, field

from bot.errors import GenerationError

VERSIONS = "migrations/versions/"
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class RevisionFile:
    """One revision file: where it is, its id and its parent (None for the first)."""

    path: str
    revision: str
    down_revision: str | None


def _literal(node: ast.expr) -> object:
    try:
        return ast.literal_eval(node)
    except ValueError:
        return ...


def parse_revision(path: str, text: str) -> RevisionFile:
    """Read `revision`/`down_revision` from the module's top-level assignments (never exec)."""
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        raise GenerationError(f"{path} is not valid Python (line {exc.lineno})") from exc
    values: dict[str, object] = {}
    for node in tree.body:
        target = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        if isinstance(target, ast.Name) and node.value is not None:  # type: ignore[union-attr]
            values[target.id] = _literal(node.value)  # type: ignore[union-attr]
    revision, down = values.get("revision"), values.get("down_revision")
    if not isinstance(revision, str) or not (down is None or isinstance(down, str)):
        raise GenerationError(
            f"{path} has no plain `revision`/`down_revision` strings",
            hint="merge revisions (tuples) are not supported: keep one linear history",
        )
    return RevisionFile(path, revision, down)


@dataclass(frozen=True)
class History:
    """The revision files found in the target repository, by path, as they are."""

    files: dict[str, str] = field(default_factory=dict)

    @property
    def revisions(self) -> tuple[RevisionFile, ...]:
        return tuple(parse_revision(p, t) for p, t in sorted(self.files.items()))

    def heads(self) -> list[str]:
        """Revisions nobody builds on (one for a linear history)."""
        revisions = self.revisions
        parents = {r.down_revision for r in revisions}
        return sorted(r.revision for r in revisions if r.revision not in parents)

    def head(self) -> str:
        """The single head; two heads are refused (someone forked the history)."""
        heads = self.heads()
        if len(heads) != 1:
            raise GenerationError(
                f"the migration folder has {len(heads)} heads ({', '.join(heads) or 'none'})",
                hint="merge or remove the extra revision so the history is one line",
            )
        return heads[0]

    def chain(self) -> list[RevisionFile]:
        """Revisions from the first to the head."""
        by_id = {r.revision: r for r in self.revisions}
        order: list[RevisionFile] = []
        current: str | None = self.head()
        while current is not None and current in by_id and len(order) <= len(by_id):
            order.append(by_id[current])
            current = by_id[current].down_revision
        return order[::-1]


def is_revision_path(path: str) -> bool:
    """A Python file directly in `migrations/versions/`."""
    return path.startswith(VERSIONS) and path.endswith(".py") and "/" not in path[len(VERSIONS) :]


@dataclass(frozen=True)
class NextRevision:
    """The revision to append: parent, message, and the rendered upgrade/downgrade bodies."""

    down_revision: str
    message: str
    upgrade: str
    downgrade: str
    slug: str = "change"

    @property
    def revision(self) -> str:
        """Deterministic from the parent and the operations: same change, same id."""
        digest = hashlib.sha256(
            f"issuebot:{self.down_revision}\n{self.upgrade}\n{self.downgrade}".encode()
        )
        return digest.hexdigest()[:12]

    @property
    def path(self) -> str:
        slug = _SLUG.sub("_", self.slug.lower()).strip("_")[:40].rstrip("_") or "change"
        return f"{VERSIONS}{self.revision}_{slug}.py"
