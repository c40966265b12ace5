"""Child process: build the schema the existing revisions produce, diff it with Alembic's own
autogenerate against the new models, and print the operations rendered as Python (JSON on
stdout). Runs in a scratch copy of the service (cwd), never in the bot process: revision files
come from the target repository.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import produce_migrations, render_python_code
from alembic.config import Config
from alembic.operations import ops
from alembic.runtime.migration import MigrationContext

# (reflected old type, new type) pairs every database converts without losing data.
_WIDER: dict[type, tuple[type, ...]] = {
    sa.Integer: (sa.Float,),
    sa.String: (sa.Text, sa.String),
    sa.Date: (sa.DateTime,),
}


class Refused(Exception):
    """A change the migration cannot make safely; the message and hint go to the user."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def _compare_type(
    context: object, inspected: object, meta: sa.Column[Any], old: Any, new: Any
) -> bool | None:
    """Enums are compared from the history (SQLite keeps no values); the rest as Alembic does."""
    if isinstance(new, sa.Enum):
        return False
    return None


def _safe_cast(table: str, column: str, old: Any, new: Any) -> None:
    for wide_from, wide_to in _WIDER.items():
        if isinstance(old, wide_from) and isinstance(new, wide_to):
            if isinstance(old, sa.Float) and not isinstance(new, sa.Float):
                break
            return
    raise Refused(
        f"{table}.{column}: changing the type from {old} to {new} could lose data",
        "only integer→float, string→text, longer strings and date→datetime convert safely; "
        "add a new field and copy the data in a hand-written revision instead",
    )


def _apply_renames(
    conn: sa.Connection, renames: dict[str, Any]
) -> tuple[list[str], list[str], list[str]]:
    """Rename in the scratch database too, so autogenerate sees only what is left to do."""
    names = set(sa.inspect(conn).get_table_names())
    up: list[str] = []
    down: list[str] = []
    renamed: list[str] = []
    for old, new, enum_types in renames["tables"]:
        if old in names and new not in names:
            renamed.append(new)
            conn.exec_driver_sql(f'ALTER TABLE "{old}" RENAME TO "{new}"')
            up.append(f"    op.rename_table({old!r}, {new!r})")
            down.insert(0, f"    op.rename_table({new!r}, {old!r})")
            names = (names - {old}) | {new}
            _rename_types(enum_types, up, down)
    inspector = sa.inspect(conn)
    for table, old, new, enum_types in renames["columns"]:
        if table not in names:
            continue
        columns = {c["name"] for c in inspector.get_columns(table)}
        if old in columns and new not in columns:
            conn.exec_driver_sql(f'ALTER TABLE "{table}" RENAME COLUMN "{old}" TO "{new}"')
            up.append(_batch(table, f"alter_column({old!r}, new_column_name={new!r})"))
            down.insert(0, _batch(table, f"alter_column({new!r}, new_column_name={old!r})"))
            _rename_types(enum_types, up, down)
    return up, down, renamed


def _rename_types(pairs: list[list[str]], up: list[str], down: list[str]) -> None:
    """PostgreSQL enum types are named after table and column: rename them along."""
    for old, new in pairs:
        if old != new:
            up.append(_pg(f'op.execute(\'ALTER TYPE "{old}" RENAME TO "{new}"\')'))
            down.insert(0, _pg(f'op.execute(\'ALTER TYPE "{new}" RENAME TO "{old}"\')'))


def _batch(table: str, call: str) -> str:
    return f"    with op.batch_alter_table({table!r}) as batch_op:\n        batch_op.{call}"


def _pg(statement: str) -> str:
    return f'    if op.get_bind().dialect.name == "postgresql":\n        {statement}'


def _sql_text(value: str) -> str:
    """A single-quoted SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def _enum_type(values: tuple[str, ...] | list[str], name: str) -> str:
    return "sa.Enum(" + "".join(f"{v!r}, " for v in values) + f"name={name!r})"


def _execute(sql: str) -> str:
    return f"op.execute({sql!r})"


def _retype_enum(
    table: str, column: str, name: str, old: list[str], new: list[str], *, nullable: bool
) -> str:
    """Take an enum column from `old` to `new` values (no row may hold a removed one)."""
    gone = [v for v in old if v not in new]
    added = [v for v in new if v not in old]
    lines: list[str] = []
    if gone:
        lines += [
            "    bind = op.get_bind()",
            f"    rows = sa.table({table!r}, sa.column({column!r}))",
            "    used = bind.execute(",
            "        sa.select(sa.func.count()).select_from(rows)"
            f".where(sa.cast(rows.c[{column!r}], sa.String).in_({gone!r}))",
            "    ).scalar_one()",
            "    if used:",
            "        raise RuntimeError(",
            f'            f"{{used}} row(s) of {table} still have {column} in {gone!r}: "',
            '            "change them to another value first, then migrate again"',
            "        )",
        ]
    pg: list[str] = []
    if gone:
        temporary = f"{name[:50]}_old"
        pg += [
            _execute(f'ALTER TYPE "{name}" RENAME TO "{temporary}"'),
            f"{_enum_type(new, name)}.create(op.get_bind())",
            _execute(
                f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE "{name}" '
                f'USING "{column}"::text::"{name}"'
            ),
            _execute(f'DROP TYPE "{temporary}"'),
        ]
    else:
        pg += [
            _execute(f'ALTER TYPE "{name}" ADD VALUE IF NOT EXISTS {_sql_text(v)}') for v in added
        ]
    lines.append('    if op.get_bind().dialect.name == "postgresql":')
    lines += [f"        {line}" for line in pg]
    lines += [
        "    else:",
        f"        with op.batch_alter_table({table!r}) as batch_op:",
        "            batch_op.alter_column(",
        f"                {column!r},",
        f"                existing_type={_enum_type(old, name)},",
        f"                type_={_enum_type(new, name)},",
        f"                existing_nullable={nullable!r},",
        "            )",
    ]
    return "\n".join(lines)


def _enum_changes(
    conn: sa.Connection, metadata: sa.MetaData, enums: list[list[Any]]
) -> tuple[list[str], list[str], list[str]]:
    """Upgrade/downgrade code for enum columns whose values differ from the history's."""
    inspector = sa.inspect(conn)
    existing = set(inspector.get_table_names())
    up: list[str] = []
    down: list[str] = []
    tables: list[str] = []
    for table, column, _name, old in sorted(enums):
        if table not in existing or table not in metadata.tables:
            continue
        meta = metadata.tables[table].c.get(column)
        if meta is None or not isinstance(meta.type, sa.Enum) or meta.type.name is None:
            continue
        if column not in {c["name"] for c in inspector.get_columns(table)}:
            continue
        new = list(meta.type.enums)
        if new == list(old):
            continue
        name, nullable = meta.type.name, bool(meta.nullable)
        up.append(_retype_enum(table, column, name, list(old), new, nullable=nullable))
        down.insert(0, _retype_enum(table, column, name, new, list(old), nullable=nullable))
        tables.append(table)
    return up, down, tables


def _server_default(value: Any) -> Any:
    if isinstance(value, bool):
        return sa.text("true" if value else "false")
    if isinstance(value, int | float):
        return sa.text(repr(value))
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True)


@dataclass
class Extra:
    """Hand-made steps around Alembic's: before its body, after it, and for the downgrade."""

    before: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)
    undo: list[str] = field(default_factory=list)


def _date_to_datetime(table: str, column: str, *, back: bool = False) -> str:
    """SQLite's batch copy CASTs dates to numbers: copy the text through a new column instead."""
    temp = f"{column}__issuebot"
    old, new = (
        ("sa.DateTime(timezone=True)", "sa.Date()")
        if back
        else (
            "sa.Date()",
            "sa.DateTime(timezone=True)",
        )
    )
    value = f'substr("{column}", 1, 10)' if back else f"\"{column}\" || ' 00:00:00.000000'"
    # names are the models' own (validated lowercase SQL names), never user text
    update = f'UPDATE "{table}" SET "{temp}" = {value}'  # noqa: S608
    return "\n".join(
        [
            '    if op.get_bind().dialect.name == "sqlite":',
            f"        with op.batch_alter_table({table!r}) as batch_op:",
            f"            batch_op.add_column(sa.Column({temp!r}, {new}, nullable=True))",
            "        " + _execute(update),
            f"        with op.batch_alter_table({table!r}) as batch_op:",
            f"            batch_op.drop_column({column!r})",
            f"            batch_op.alter_column({temp!r}, new_column_name={column!r})",
            "    else:",
            f"        op.alter_column({table!r}, {column!r}, existing_type={old}, type_={new})",
        ]
    )


def _fill_nulls(table: str, column: str, default: Any) -> str:
    """Before NOT NULL: give existing empty cells the default, or stop with a clear message."""
    if default is not None:
        rows = f"sa.table({table!r}, sa.column({column!r}))"
        return "\n".join(
            [
                f"    rows = {rows}",
                "    op.execute(",
                f"        rows.update().where(rows.c[{column!r}].is_(None))"
                f".values({{{column!r}: {default!r}}})",
                "    )",
            ]
        )
    return "\n".join(
        [
            f"    rows = sa.table({table!r}, sa.column({column!r}))",
            "    empty = op.get_bind().execute(",
            "        sa.select(sa.func.count()).select_from(rows)"
            f".where(rows.c[{column!r}].is_(None))",
            "    ).scalar_one()",
            "    if empty:",
            "        raise RuntimeError(",
            f'            f"{{empty}} row(s) of {table} have no {column}, which is now required: "',
            '            "fill them in first, then migrate again"',
            "        )",
        ]
    )


def _adjust(script_ops: ops.UpgradeOps, defaults: dict[str, Any], extra: Extra) -> list[str]:
    """Backfill new NOT NULL columns with a server default; check type changes are safe."""
    touched: list[str] = []
    for table_ops in script_ops.ops:
        touched.append(getattr(table_ops, "table_name", ""))
        if not isinstance(table_ops, ops.ModifyTableOps):
            continue
        kept: list[ops.MigrateOperation] = []
        for op_ in table_ops.ops:
            if isinstance(op_, ops.AddColumnOp) and not op_.column.nullable:
                key = f"{op_.table_name}.{op_.column.name}"
                if key not in defaults:
                    raise Refused(
                        f"{key} is new and required, but {op_.table_name} may already have rows",
                        'give it a "default" (existing rows get it) or make it optional',
                    )
                op_.column.server_default = sa.schema.DefaultClause(_server_default(defaults[key]))
            if isinstance(op_, ops.AlterColumnOp):
                key = f"{op_.table_name}.{op_.column_name}"
                if op_.modify_nullable is False:
                    fill = _fill_nulls(op_.table_name, op_.column_name, defaults.get(key))
                    extra.before.append(fill)
                if op_.modify_type is not None:
                    _safe_cast(op_.table_name, op_.column_name, op_.existing_type, op_.modify_type)
                    if isinstance(op_.existing_type, sa.Date) and isinstance(
                        op_.modify_type, sa.DateTime
                    ):
                        extra.after.append(_date_to_datetime(op_.table_name, op_.column_name))
                        extra.undo.insert(
                            0, _date_to_datetime(op_.table_name, op_.column_name, back=True)
                        )
                        op_.modify_type = None
                        if op_.modify_nullable is None:
                            continue
            kept.append(op_)
        table_ops.ops = kept
    script_ops.ops = [t for t in script_ops.ops if getattr(t, "ops", True)]
    return sorted({t for t in touched if t})


def _dropped_enum_types(script_ops: ops.UpgradeOps, enums: list[list[Any]]) -> list[str]:
    """PostgreSQL keeps an enum type after its column or table is dropped: drop it too."""
    by_column = {(t, c): name for t, c, name, _ in enums}
    names: list[str] = []
    for table_ops in script_ops.ops:
        if isinstance(table_ops, ops.DropTableOp):
            names += [n for (t, _), n in by_column.items() if t == table_ops.table_name]
        for op_ in getattr(table_ops, "ops", []):
            if isinstance(op_, ops.DropColumnOp):
                names += [by_column.get((op_.table_name, op_.column_name), "")]
    return [
        f"    sa.Enum(name={name!r}).drop(op.get_bind(), checkfirst=True)"
        for name in sorted(set(names) - {""})
    ]


def _generic(column: Any) -> None:
    """Reflected SQLite types (DATETIME) do not exist elsewhere: use SQLAlchemy's generic ones."""
    if isinstance(column, sa.Column):
        try:
            column.type = column.type.as_generic()
        except NotImplementedError:
            column.type = sa.String()


def _relax_downgrade(downgrade: ops.DowngradeOps) -> None:
    """What a downgrade re-creates comes back empty: NULL allowed, portable types."""
    for table_ops in downgrade.ops:
        if isinstance(table_ops, ops.CreateTableOp):
            for column in table_ops.columns:
                _generic(column)
        for op_ in getattr(table_ops, "ops", []):
            if isinstance(op_, ops.AddColumnOp):
                op_.column.nullable = True
                _generic(op_.column)


def _render(operations: ops.UpgradeOps | ops.DowngradeOps) -> str:
    text = render_python_code(operations, render_as_batch=True)
    lines = [line for line in text.splitlines() if not line.strip().startswith("# ###")]
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def probe(root: Path, request: dict[str, Any]) -> dict[str, Any]:
    """Upgrade a scratch SQLite database through the history, then diff it with the models."""
    os.environ["DATABASE_URL"] = "sqlite://"  # in memory: one connection, kept by the pool
    os.environ.pop("DATABASE_SCHEMA", None)
    sys.path.insert(0, str(root))
    config = Config(str(root / "alembic.ini"))
    command.upgrade(config, "head")
    from app import db, models  # type: ignore[import-not-found]  # noqa: PLC0415 (scratch copy)

    assert models
    metadata = db.Base.metadata
    with db.get_engine().begin() as conn:
        up, down, renamed = _apply_renames(conn, request["renames"])
        enum_up, enum_down, retyped = _enum_changes(conn, metadata, request.get("enums", []))
        context = MigrationContext.configure(
            conn, opts={"compare_type": _compare_type, "target_metadata": metadata}
        )
        script = produce_migrations(context, metadata)
        assert script.upgrade_ops is not None and script.downgrade_ops is not None
        extra = Extra()
        touched = _adjust(script.upgrade_ops, request["defaults"], extra)
        script.downgrade_ops = script.upgrade_ops.reverse()
        _relax_downgrade(script.downgrade_ops)
        upgrade = [*up, *enum_up, *extra.before]
        downgrade: list[str] = list(extra.undo)
        if not script.upgrade_ops.is_empty():
            upgrade.append(_render(script.upgrade_ops))
            upgrade += _dropped_enum_types(script.upgrade_ops, request.get("enums", []))
            downgrade.append(_render(script.downgrade_ops))
        upgrade += extra.after
        downgrade = [*downgrade, *enum_down, *down]
    return {
        "upgrade": "\n".join(upgrade),
        "downgrade": "\n".join(downgrade),
        "tables": sorted({*touched, *renamed, *retyped}),
    }


def main() -> int:
    """Read the request (a JSON file named in argv, or stdin), print the result as JSON."""
    source = Path(sys.argv[1]).read_text("utf-8") if len(sys.argv) > 1 else sys.stdin.read()
    request = json.loads(source)
    try:
        result = probe(Path.cwd(), request)
    except Refused as exc:
        result = {"refused": str(exc), "hint": exc.hint}
    sys.stdout.write("\n" + json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
