"""Migration history as plain data: read revision files without running them, name the next one.

Revisions are history: once written they are never rendered again. The generator only appends
one revision (`NextRevision`) whose operations `bot/migrations.py` computed with Alembic.
"""

from __future__ import annotations

import ast
import functools
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


@functools.lru_cache(maxsize=2048)
def _module(text: str) -> ast.Module:
    """Each revision's syntax tree, parsed once: ids and enum values both read it (read-only)."""
    return ast.parse(text)


def parse_revision(path: str, text: str) -> RevisionFile:
    """Read `revision`/`down_revision` from the module's top-level assignments (never exec)."""
    try:
        tree = _module(text)
    except SyntaxError as exc:
        raise GenerationError(f"{path} is not valid Python (line {exc.lineno})") from exc
    values: dict[str, object] = {}
    for node in tree.body:
        target: ast.expr
        if isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        else:
            continue
        if isinstance(target, ast.Name):
            values[target.id] = _literal(value)
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

    @functools.cached_property
    def revisions(self) -> tuple[RevisionFile, ...]:
        """Each file's ids (parsed once)."""
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


@dataclass(frozen=True)
class EnumColumn:
    """An enum column as the history left it: its type name and values, in order."""

    name: str
    values: tuple[str, ...]


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _enum_of(node: ast.expr) -> EnumColumn | None:
    """`sa.Enum("a", "b", name="x")` as plain data (None for any other expression)."""
    if not (isinstance(node, ast.Call) and _call_name(node) == "Enum"):
        return None
    values = tuple(v for v in (_literal(a) for a in node.args) if isinstance(v, str))
    names = [_literal(k.value) for k in node.keywords if k.arg == "name"]
    if not names or not isinstance(names[0], str):
        return None
    return EnumColumn(names[0], values)


def _column_enum(node: ast.expr) -> tuple[str, EnumColumn] | None:
    """`sa.Column("c", sa.Enum(...), ...)` → ("c", enum)."""
    if not (isinstance(node, ast.Call) and _call_name(node) == "Column" and len(node.args) > 1):
        return None
    name, enum = _literal(node.args[0]), _enum_of(node.args[1])
    return (name, enum) if isinstance(name, str) and enum is not None else None


class _EnumReplay(ast.NodeVisitor):
    """Replay the operations that create, move or drop enum columns, in source order."""

    def __init__(self, state: dict[tuple[str, str], EnumColumn]) -> None:
        self.state = state
        self.batch: list[str] = []

    def visit_With(self, node: ast.With) -> None:
        tables = [
            _literal(item.context_expr.args[0])
            for item in node.items
            if isinstance(item.context_expr, ast.Call)
            and _call_name(item.context_expr) == "batch_alter_table"
            and item.context_expr.args
        ]
        table = tables[0] if tables and isinstance(tables[0], str) else None
        if table:
            self.batch.append(table)
        self.generic_visit(node)
        if table:
            self.batch.pop()

    def visit_Call(self, node: ast.Call) -> None:
        args = [_literal(a) for a in node.args]
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        kind = _call_name(node)
        table = self.batch[-1] if self.batch else (args[0] if args else None)
        rest = node.args if self.batch else node.args[1:]
        if isinstance(table, str):
            self._apply(kind, table, rest, keywords)
        self.generic_visit(node)

    def _apply(
        self, kind: str, table: str, rest: list[ast.expr], keywords: dict[str, ast.expr]
    ) -> None:
        state = self.state
        if kind in ("create_table", "add_column"):
            for found in (_column_enum(a) for a in rest):
                if found:
                    state[(table, found[0])] = found[1]
        elif kind == "rename_table" and rest and isinstance(new := _literal(rest[0]), str):
            for key in [k for k in state if k[0] == table]:
                state[(new, key[1])] = state.pop(key)
        elif kind == "drop_table":
            for key in [k for k in state if k[0] == table]:
                del state[key]
        elif kind in ("alter_column", "drop_column") and rest:
            column = _literal(rest[0])
            if not isinstance(column, str):
                return
            if kind == "drop_column":
                state.pop((table, column), None)
                return
            if "type_" in keywords and (enum := _enum_of(keywords["type_"])):
                state[(table, column)] = enum
            new = _literal(keywords["new_column_name"]) if "new_column_name" in keywords else None
            if isinstance(new, str) and (table, column) in state:
                state[(table, new)] = state.pop((table, column))


def enum_columns(history: History) -> dict[tuple[str, str], EnumColumn]:
    """Each enum column's values as the revisions' upgrades leave them (read, never run)."""
    state: dict[tuple[str, str], EnumColumn] = {}
    for revision in history.chain():
        tree = _module(history.files[revision.path])
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name == "upgrade":
                _EnumReplay(state).visit(node)
    return state
