"""Helpers for the migration stories: a database to migrate, and the check run inside a service."""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tests.generators.processes import run

CHECK = Path(__file__).with_name("migration_check.py")


@contextmanager
def database_env(kind: str, tmp_path: Path, postgres_url: str) -> Iterator[dict[str, str]]:
    """Environment of the generated service: a SQLite file, or a fresh PostgreSQL schema."""
    if kind == "sqlite":
        yield {"DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}"}
        return
    schema = f"mig_{uuid.uuid4().hex[:16]}"
    engine = sa.create_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield {"DATABASE_URL": postgres_url, "DATABASE_SCHEMA": schema}
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def check(directory: Path, env: dict[str, str], request: dict[str, Any]) -> dict[str, Any]:
    """Run migration_check.py in the service; it must succeed and report no problem.

    Auth is off (its documented local switch): rows and migrations are the subject here.
    """
    env = {**env, "AUTH_ENABLED": "false"}
    result = run([sys.executable, str(CHECK)], directory, env, 180, json.dumps(request))
    assert result.returncode == 0, result.stderr[-3000:]
    report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["problems"] == [], report["problems"]
    return report
