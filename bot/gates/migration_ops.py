"""What a migration revision does to a production database, read from its source (never run).

The gate classifies a PR by the `op.*` calls in the `upgrade()` of each revision it adds, so
the class follows what will really execute, whatever the spec text claims. Where a revision
branches on the dialect, the PostgreSQL branch (the production database) is the one judged.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal

from bot.errors import GenerationError
from generators.migration import parse_revision

RiskClass = Literal["additive", "data-changing", "destructive"]
RISK_ORDER: dict[RiskClass, int] = {"additive": 0, "data-changing": 1, "destructive": 2}
_STRINGS = ("String", "VARCHAR", "Unicode", "CHAR")
RISKY: RiskClass = "data-changing"


@dataclass(frozen=True)
class Operation:
    """One schema operation: what, on which table/column, and its risk class."""

    kind: str
    target: str
    risk: RiskClass

    def describe(self) -> str:
        """`add column widgets.notes (additive)`."""
        return f"{self.kind} {self.target} ({self.risk})"


def worst(risks: Iterable[RiskClass]) -> RiskClass:
    """The riskiest class of several (additive when there are none)."""
    return max(risks, key=RISK_ORDER.__getitem__, default="additive")


def _literal(node: ast.expr | None) -> object:
    try:
        return ast.literal_eval(node) if node is not None else None
    except ValueError:
        return None


def _type_name(node: ast.expr | None) -> tuple[str, int | None]:
    """`sa.String(length=300)` → ("String", 300)."""
    if not isinstance(node, ast.Call):
        return "", None
    name = node.func.attr if isinstance(node.func, ast.Attribute) else ""
    length = _literal(node.args[0]) if node.args else None
    for k in node.keywords:
        if k.arg == "length":
            length = _literal(k.value)
    return name, length if isinstance(length, int) else None


def _alter(table: str, column: str, keywords: dict[str, ast.expr]) -> list[Operation]:
    where = f"{table}.{column}"
    found: list[Operation] = []
    if "new_column_name" in keywords:
        new = _literal(keywords["new_column_name"])
        found.append(Operation("rename column", f"{where} → {new}", "data-changing"))
    if "type_" in keywords:
        old, old_len = _type_name(keywords.get("existing_type"))
        new, new_len = _type_name(keywords["type_"])
        unlimited = 1 << 62
        widened = (
            old in _STRINGS and new in _STRINGS and (new_len or unlimited) >= (old_len or unlimited)
        )
        if new == "Enum" and old == "Enum":
            found.append(Operation("change enum values of", where, "data-changing"))
        elif widened:
            found.append(Operation("widen", where, "additive"))
        else:
            found.append(Operation("change the type of", where, "data-changing"))
    if "nullable" in keywords:
        if _literal(keywords["nullable"]) is False:
            found.append(Operation("require a value in", where, "data-changing"))
        else:
            found.append(Operation("allow empty", where, "additive"))
    return found


def _quoted(text: str, n: int = 0) -> str:
    """The n-th double-quoted name in an SQL statement ("?" if absent)."""
    parts = text.split('"')
    return parts[2 * n + 1] if len(parts) > 2 * n + 2 else "?"


def _execute(sql: object) -> Operation:
    text = sql if isinstance(sql, str) else ""
    upper = text.upper()
    if "ADD VALUE" in upper:
        return Operation("add enum value to", _quoted(text), "additive")
    if upper.startswith("ALTER TABLE") and " USING " in upper:
        where = f"{_quoted(text)}.{_quoted(text, 1)}"
        return Operation("remove enum values from", where, "destructive")
    if upper.startswith("DROP TYPE"):
        return Operation("drop enum type", _quoted(text), "additive")
    if upper.startswith("ALTER TYPE") and "RENAME TO" in upper:
        return Operation("rename enum type", _quoted(text), "data-changing")
    return Operation("run SQL", text[:60] or "(computed statement)", "data-changing")


class _Reader(ast.NodeVisitor):
    """Collect operations in source order, following batch blocks and dialect branches."""

    def __init__(self) -> None:
        self.found: list[Operation] = []
        self.batch: list[str] = []
        self.added: set[tuple[str, str]] = set()  # columns this revision adds (empty)

    def visit_If(self, node: ast.If) -> None:
        dialects = [c.value for c in ast.walk(node.test) if isinstance(c, ast.Constant)]
        if "postgresql" in dialects:
            for child in node.body:
                self.visit(child)
        elif dialects and isinstance(dialects[0], str) and dialects[0] in ("sqlite", "mysql"):
            for child in node.orelse:
                self.visit(child)
        else:
            self.generic_visit(node)

    def visit_With(self, node: ast.With) -> None:
        table = None
        for item in node.items:
            call = item.context_expr
            if isinstance(call, ast.Call) and getattr(call.func, "attr", "") == "batch_alter_table":
                table = _literal(call.args[0]) if call.args else None
        if isinstance(table, str):
            self.batch.append(table)
        self.generic_visit(node)
        if isinstance(table, str):
            self.batch.pop()

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            owner = func.value.id
            if owner in ("op", "batch_op"):
                self.found += self._operation(func.attr, node, batch=owner == "batch_op")
        self.generic_visit(node)

    def _operation(self, name: str, node: ast.Call, *, batch: bool) -> list[Operation]:
        args = list(node.args)
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        if name in ("batch_alter_table", "get_bind", "get_context", "f"):  # op.f: a name
            return []
        if name == "execute":
            return [_execute(_literal(args[0]) if args else None)]
        if name == "create_foreign_key":
            return [self._foreign_key(args, keywords, batch=batch)]
        table: object = None
        if batch and self.batch:
            table = self.batch[-1]
        elif args:
            table = _literal(args.pop(0))
        if "table_name" in keywords:
            table = _literal(keywords["table_name"])
        table_name = table if isinstance(table, str) else "?"
        first = _literal(_unwrap_f(args[0])) if args else None
        if name == "create_table":
            return [Operation("create table", table_name, "additive")]
        if name == "drop_table":
            return [Operation("drop table", table_name, "destructive")]
        if name == "rename_table":
            return [Operation("rename table", f"{table_name} → {first}", "data-changing")]
        if name == "add_column" and args and isinstance(args[0], ast.Call):
            column = args[0]
            column_name = _literal(column.args[0]) if column.args else "?"
            nullable = {k.arg: _literal(k.value) for k in column.keywords}.get("nullable", True)
            where = f"{table_name}.{column_name}"
            self.added.add((table_name, str(column_name)))
            if nullable is False:
                return [Operation("add required column (rows get its default)", where, RISKY)]
            return [Operation("add column", where, "additive")]
        if name == "drop_column":
            return [Operation("drop column", f"{table_name}.{first}", "destructive")]
        if name == "alter_column":
            return _alter(table_name, str(first), keywords)
        if name in ("create_index", "drop_index", "drop_constraint"):
            return [Operation(name.replace("_", " "), f"{first} on {table_name}", "additive")]
        if name in ("create_unique_constraint", "create_check_constraint"):
            return [Operation(name.replace("_", " "), f"{first} on {table_name}", "data-changing")]
        return [Operation(name.replace("_", " "), table_name, "data-changing")]

    def _foreign_key(
        self, args: list[ast.expr], keywords: dict[str, ast.expr], *, batch: bool
    ) -> Operation:
        """A foreign key on columns this revision adds holds no rows that could break it: a
        ref added to an existing table is additive; on existing columns it may fail."""
        table: object
        if batch and self.batch:
            table, local = self.batch[-1], args[2] if len(args) > 2 else None
        else:
            table, local = (
                (_literal(args[1]) if len(args) > 1 else None),
                (args[3] if len(args) > 3 else None),
            )
        local = keywords.get("local_cols", local)
        columns = _literal(local)
        table_name = table if isinstance(table, str) else "?"
        names = [str(c) for c in columns] if isinstance(columns, list) else []
        where = f"{table_name}.{','.join(names) or '?'}"
        new = bool(names) and all((table_name, c) in self.added for c in names)
        return Operation("create foreign key on", where, "additive" if new else RISKY)


def _unwrap_f(node: ast.expr) -> ast.expr:
    """`op.f('ix_widgets_name')` / `batch_op.f(...)` mark a final name: read the name inside."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "f"
        and node.args
    ):
        return node.args[0]
    return node


def revision_operations(source: str) -> tuple[Operation, ...]:
    """The operations of a revision's `upgrade()`; unreadable source is one data-changing op."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return (Operation("unreadable revision", "(syntax error)", "data-changing"),)
    reader = _Reader()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "upgrade":
            reader.visit(node)
    return tuple(dict.fromkeys(reader.found))


def is_revision_file(path: str) -> bool:
    """A Python file directly in a `migrations/versions/` folder, wherever the service lives."""
    parts = PurePosixPath(path).parts
    return len(parts) >= 3 and parts[-3:-1] == ("migrations", "versions") and path.endswith(".py")


def revision_heads(revisions: Mapping[str, str]) -> list[str]:
    """Revision ids nothing builds on; an unparsable file counts as a head of its own."""
    ids: dict[str, str | None] = {}
    for path, text in revisions.items():
        try:
            parsed = parse_revision(path, text)
        except GenerationError:
            ids[path] = None
            continue
        ids[parsed.revision] = parsed.down_revision
    parents = set(ids.values())
    return sorted(r for r in ids if r not in parents)


@dataclass(frozen=True)
class MigrationSummary:
    """What a set of new revisions does, for the PR body, `/preview` and the run's output."""

    paths: tuple[str, ...]
    operations: tuple[Operation, ...]

    @property
    def risk(self) -> RiskClass:
        return worst(o.risk for o in self.operations)

    @property
    def data_lost(self) -> tuple[str, ...]:
        return tuple(o.target for o in self.operations if o.risk == "destructive")

    def as_data(self) -> dict[str, object]:
        """JSON-ready: revision paths, risk class, operation lines and what data is lost."""
        return {
            "revisions": list(self.paths),
            "risk": self.risk,
            "operations": [o.describe() for o in self.operations],
            "classified": [
                {"text": f"{o.kind} {o.target}", "risk": o.risk} for o in self.operations
            ],
            "data_lost": list(self.data_lost),
        }


def summarize(revisions: Mapping[str, str]) -> MigrationSummary:
    """The operations and risk of new revision files (path → text), in path order (pure)."""
    paths = tuple(sorted(revisions))
    operations = tuple(op for path in paths for op in revision_operations(revisions[path]))
    return MigrationSummary(paths, tuple(dict.fromkeys(operations)))
