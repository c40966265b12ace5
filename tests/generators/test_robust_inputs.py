"""Inputs that once ended in a 500: each is now a 422 before anything is stored.

A lone surrogate inside a JSON field, a body that is not UTF-8, a datetime whose offset moves
it before year 1, and `/openapi.json` of the largest spec the validator accepts.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from bot.codegen import write_generated
from generators.checks import MAX_ENTITIES
from generators.service import generate_service
from generators.spec import load_spec
from tests.generators.processes import run

pytestmark = pytest.mark.slow

PROBE = """
import json, sys
from fastapi.testclient import TestClient
from app import db, main
db.Base.metadata.create_all(db.get_engine())
client = TestClient(main.app)
answers = {}
for name, body in json.loads(sys.stdin.read()).items():
    response = client.post("/raw-data-sources", content=body.encode("utf-8", "surrogatepass"),
                           headers={"Content-Type": "application/json"})
    answers[name] = response.status_code
answers["list"] = client.get("/raw-data-sources").status_code
answers["total"] = client.get("/raw-data-sources").json()["total"]
print(json.dumps(answers))
"""


def test_surrogates_bad_bytes_and_far_datetimes_are_422_and_nothing_is_stored(
    service_dir: Path, tmp_path: Path
) -> None:
    valid = '{"name": "n", "connection_string": "c"'
    bodies = {
        "surrogate_in_json": valid + ', "schema_definition": {"a": "\\ud800"}}',
        "surrogate_key_in_json": valid + ', "metadata": {"\\udfff": 1}}',
        "surrogate_in_string": valid + ', "error_message": "\\ud800"}',
        "datetime_before_year_1": valid + ', "last_sync_at": "0001-01-01T00:00:00+14:00"}',
        "datetime_after_9999": valid + ', "last_sync_at": "9999-12-31T23:00:00-05:00"}',
        "not_utf8": valid[:-1] + '\udcff"}',  # raw surrogate bytes: not UTF-8
    }
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'probe.db'}", "AUTH_ENABLED": "false"}
    result = run([sys.executable, "-c", PROBE], service_dir, env, 120, json.dumps(bodies))
    assert result.returncode == 0, result.stderr[-3000:]
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    assert answers == {**dict.fromkeys(bodies, 422), "list": 200, "total": 0}


def test_openapi_answers_for_the_largest_spec_the_validator_accepts(tmp_path: Path) -> None:
    entities = [
        {
            "name": f"Entity{number:03d}",
            "fields": [{"name": "title", "type": "string"}, {"name": "seen", "type": "datetime"}],
            "actions": [{"name": "sync"}],
        }
        for number in range(MAX_ENTITIES)
    ]
    spec = load_spec(json.dumps({"version": 1, "entities": entities}))
    write_generated(tmp_path, generate_service(spec))
    probe = (
        "from fastapi.testclient import TestClient\n"
        "from app import main\n"
        "response = TestClient(main.app).get('/openapi.json')\n"
        "print(response.status_code, len(response.json()['paths']))\n"
    )
    result = run([sys.executable, "-c", probe], tmp_path, {}, 240)
    assert result.returncode == 0, result.stderr[-3000:]
    # Per entity: list/create, item, history, the action; plus the two action-run routes.
    assert result.stdout.split() == ["200", str(MAX_ENTITIES * 4 + 2)]
