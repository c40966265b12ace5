"""Store fixtures for this directory (defined in helpers so other test modules can share them)."""

from tests.bot.store.helpers import database_url, pg_schema_url, store

__all__ = ["database_url", "pg_schema_url", "store"]
