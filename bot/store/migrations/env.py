"""Alembic environment for the run store: always run online on a connection we hand in."""

from __future__ import annotations

from alembic import context

from bot.errors import ConfigError
from bot.store.engine import VERSION_TABLE
from bot.store.models import Base

if context.is_offline_mode():
    raise ConfigError("the run store's migrations run online only (`issuebot db upgrade`)")

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
