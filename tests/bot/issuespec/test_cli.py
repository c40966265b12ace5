"""`issuebot spec from-issue` gives the same verdict the bot would post, with exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.issuespec.render import render_issue_body
from bot.issuespec.request import FeatureRequest
from tests.bot.issuespec.seed import SEED_DEFINITION, SEED_REQUEST

pytestmark = pytest.mark.slow


def issuebot(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    raw = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", *args],
        input=stdin,
        capture_output=True,
        timeout=60,
        check=False,
    )
    return subprocess.CompletedProcess(
        raw.args, raw.returncode, raw.stdout.decode(), raw.stderr.decode("utf-8", "replace")
    )


def test_a_valid_body_prints_the_entity_as_json(tmp_path: Path) -> None:
    body = tmp_path / "issue.md"
    body.write_text(render_issue_body(FeatureRequest.model_validate(SEED_REQUEST)))

    result = issuebot("spec", "from-issue", str(body))

    assert result.returncode == 0, result.stderr
    entity = json.loads(result.stdout)
    assert entity["name"] == "RawDataSource"
    assert [f["name"] for f in entity["fields"]] == [f["name"] for f in SEED_DEFINITION["fields"]]
    assert [a["name"] for a in entity["actions"]] == ["sync", "test", "sync-all"]


def test_problems_exit_with_the_spec_invalid_code_and_list_each_path(tmp_path: Path) -> None:
    definition = {
        "name": "Thing",
        "fields": [{"name": "a", "type": "nope"}, {"name": "b", "type": "enum"}],
    }
    body = tmp_path / "issue.md"
    body.write_text(f"### Entity definition\n\n```json\n{json.dumps(definition)}\n```\n")

    text = issuebot("spec", "from-issue", str(body))
    as_json = issuebot("spec", "from-issue", "--format", "json", str(body))

    assert text.returncode == 12 and as_json.returncode == 12
    assert "- fields[0].type:" in text.stderr and "fields[1]" in text.stderr
    assert text.stderr.strip().splitlines()[-1].startswith("spec-invalid: ")
    problems = json.loads(as_json.stdout)["problems"]
    assert {p["path"] for p in problems} >= {"fields[0].type"}


def test_undecodable_bytes_on_stdin_get_a_verdict_not_a_traceback() -> None:
    result = issuebot(
        "spec",
        "from-issue",
        "-",
        stdin=b'### Entity definition\n\n```json\n{"name": "\xff"}\n```\n',
    )

    assert result.returncode == 12
    assert "undecodable" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = issuebot("spec", "from-issue", str(tmp_path / "nope.md"))

    assert result.returncode == 2
    assert "cannot read" in result.stderr
