"""Engine setup per backend and the programmatic Alembic upgrade run on every open."""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from bot.errors import ConfigError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "issuebot_store_version"
# Serialises concurrent `upgrade head` from several processes starting at once (PostgreSQL).
_UPGRADE_LOCK_KEY = zlib.crc32(b"issuebot-store-upgrade")


def make_engine(database_url: str) -> Engine:
    """An engine that survives dropped connections and serialises SQLite writers cleanly."""
    try:
        url = make_url(database_url)
    except Exception as exc:
        raise ConfigError(f"DATABASE_URL is not a database URL: {exc}") from exc
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(database_url, url.database)
    if url.get_backend_name() != "postgresql":
        raise ConfigError(
            f"unsupported DATABASE_URL backend {url.get_backend_name()!r}",
            hint="use sqlite:///path or postgresql+psycopg://user@host/db",
        )
    # pool_pre_ping replaces a connection the server dropped before we use it again.
    return create_engine(database_url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _sqlite_engine(database_url: str, database: str | None) -> Engine:
    if database and database != ":memory:" and not database.startswith("file:"):
        try:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(
                f"DATABASE_URL's folder {Path(database).parent} cannot be created: "
                f"{exc.strerror or exc}",
                hint="point DATABASE_URL at a writable path",
            ) from exc
    engine = create_engine(database_url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (savepoints need it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL stays consistent after a crash (only the last commits may roll
        # back); FULL's fsync per commit made each webhook insert about 6 ms instead of 1.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Take the write lock up front: no reader-turned-writer deadlocks between threads.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def alembic_config() -> Config:
    """The store's own Alembic configuration, independent of any alembic.ini on disk."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    return config


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Bring the schema to ``revision``; safe to run from many processes at once."""
    config = alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _UPGRADE_LOCK_KEY}
            )
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        return MigrationContext.configure(
            connection, opts={"version_table": VERSION_TABLE}
        ).get_current_revision()
