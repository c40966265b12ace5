"""Repositories generated before the service tables (action runs, API keys) get them appended.

New repositories create both tables in `0001_service_tables.py`, between the base revision and
the first entity. A repository generated earlier has entity revisions built on the base and no
0001: its shipped files must stay byte for byte, and the history machinery appends one revision
creating the two tables, so `alembic upgrade head` brings an existing database up to date.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from bot.codegen import write_generated
from bot.migrations import generate_with_history
from generators.migration import VERSIONS, History
from generators.spec import load_spec
from generators.views import BASE_REVISION, SERVICE_REVISION, entity_views
from tests.generators.processes import run

pytestmark = pytest.mark.slow

SPEC = load_spec(
    json.dumps(
        {
            "version": 1,
            "entities": [
                {"name": "Widget", "fields": [{"name": "title", "type": "string"}]},
                {"name": "Gadget", "fields": [{"name": "label", "type": "string"}]},
            ],
        }
    )
)
SERVICE_FILE = "0001_service_tables.py"


def revisions(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((directory / VERSIONS).glob("*.py"))}


def generated_before_service_tables(directory: Path) -> None:
    """What the previous generator left: entities chained on the base, no 0001 revision."""
    write_generated(directory, generate_with_history(directory, SPEC))
    versions = directory / VERSIONS
    (versions / SERVICE_FILE).unlink()
    first = versions / f"{entity_views(SPEC.entities)[0].snake}.py"
    text = first.read_text("utf-8")
    old = text.replace(
        f'down_revision = "{SERVICE_REVISION}"', f'down_revision = "{BASE_REVISION}"'
    )
    assert old != text
    first.write_text(old, "utf-8")


def alembic(directory: Path, *args: str) -> str:
    url = f"sqlite:///{directory / 'app.db'}"
    result = run([sys.executable, "-m", "alembic", *args], directory, {"DATABASE_URL": url})
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_new_repositories_create_the_service_tables_after_the_base(tmp_path: Path) -> None:
    write_generated(tmp_path, generate_with_history(tmp_path, SPEC))
    chain = History(
        {f"{VERSIONS}{name}": text.decode() for name, text in revisions(tmp_path).items()}
    ).chain()
    assert [r.revision for r in chain[:2]] == [BASE_REVISION, SERVICE_REVISION]
    assert chain[1].path.endswith(SERVICE_FILE)


def test_an_earlier_repository_gets_one_appended_revision_and_keeps_its_files(
    tmp_path: Path,
) -> None:
    generated_before_service_tables(tmp_path)
    alembic(tmp_path, "upgrade", "head")  # a database at the old head, without the tables
    shipped = revisions(tmp_path)
    old_head = History(
        {f"{VERSIONS}{name}": text.decode() for name, text in shipped.items()}
    ).head()

    write_generated(tmp_path, generate_with_history(tmp_path, SPEC))
    after = revisions(tmp_path)
    assert {name: after[name] for name in shipped} == shipped
    added = sorted(set(after) - set(shipped))
    assert len(added) == 1 and SERVICE_FILE not in added
    text = after[added[0]].decode()
    assert f'down_revision = "{old_head}"' in text
    created = re.findall(r"create_table\(\s*['\"](\w+)", text)
    assert created == ["action_runs", "api_keys"]

    alembic(tmp_path, "upgrade", "head")
    assert "No new upgrade operations detected" in alembic(tmp_path, "check")
    assert write_generated(tmp_path, generate_with_history(tmp_path, SPEC)).written == []
