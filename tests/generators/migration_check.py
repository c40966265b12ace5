"""Run inside a generated service (cwd): migrate the database, then use it through the API.

Reads a JSON request on stdin and prints a JSON report as the last line of stdout. Every step
a user would take after merging a PR: `alembic upgrade head`, `alembic check`, `downgrade -1`
and `upgrade head` again, then the API for the rows that were there, and a create.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def main() -> None:
    """Do what the request says and report what happened."""
    request: dict[str, Any] = json.loads(sys.stdin.read())
    sys.path.insert(0, str(Path.cwd()))
    from alembic import command
    from alembic.config import Config
    from app import main as app_main  # type: ignore[import-not-found]
    from fastapi.testclient import TestClient

    config = Config("alembic.ini")
    report: dict[str, Any] = {"created": {}, "rows": {}, "totals": {}, "problems": []}
    command.upgrade(config, "head")
    command.check(config)  # raises if the models and the database differ
    if request.get("round_trip"):  # before the API: undoing an added table empties it
        command.downgrade(config, "-1")
        command.upgrade(config, "head")
        command.check(config)
    with TestClient(app_main.app) as client:
        for path, ids in request.get("read", {}).items():
            listed = client.get(f"/{path}", params={"limit": 100})
            if listed.status_code != 200:
                report["problems"].append(f"list {path}: {listed.status_code} {listed.text}")
            else:
                report["totals"][path] = listed.json()["total"]
            for row_id in ids:
                got = client.get(f"/{path}/{row_id}")
                if got.status_code != 200:
                    report["problems"].append(f"get {path}/{row_id}: {got.status_code}")
                else:
                    report["rows"].setdefault(path, {})[row_id] = got.json()
        for path, bodies in request.get("create", {}).items():
            for body in bodies:
                made = client.post(f"/{path}", json=body)
                if made.status_code != 201:
                    report["problems"].append(f"create {path}: {made.status_code} {made.text}")
                    continue
                report["created"].setdefault(path, []).append(made.json()["id"])
        for path, body in request.get("probe", {}).items():  # create, then delete again
            made = client.post(f"/{path}", json=body)
            if made.status_code != 201:
                report["problems"].append(f"create {path}: {made.status_code} {made.text}")
                continue
            gone = client.delete(f"/{path}/{made.json()['id']}")
            if gone.status_code != 204:
                report["problems"].append(f"delete {path}: {gone.status_code}")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
