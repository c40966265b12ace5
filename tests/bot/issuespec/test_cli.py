"""`issuebot spec from-issue` gives the same verdict the bot would post, with exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from bot.errors import SpecError, UsageError
from bot.issuespec.render import render_issue_body
from bot.issuespec.request import FeatureRequest
from tests.bot.issuespec.seed import SEED_DEFINITION, SEED_REQUEST

BAD = {"name": "Thing", "fields": [{"name": "a", "type": "nope"}, {"name": "b", "type": "enum"}]}


def bad_body(tmp_path: Path) -> Path:
    body = tmp_path / "issue.md"
    body.write_text(f"### Entity definition\n\n```json\n{json.dumps(BAD)}\n```\n")
    return body


def test_a_valid_body_prints_the_entity_as_json(tmp_path: Path) -> None:
    body = tmp_path / "issue.md"
    body.write_text(render_issue_body(FeatureRequest.model_validate(SEED_REQUEST)))

    result = CliRunner().invoke(app, ["spec", "from-issue", str(body)])

    assert result.exit_code == 0, result.output
    entity = json.loads(result.stdout)
    assert entity["name"] == "RawDataSource"
    assert [f["name"] for f in entity["fields"]] == [f["name"] for f in SEED_DEFINITION["fields"]]
    assert [a["name"] for a in entity["actions"]] == ["sync", "test", "sync-all"]


def test_problems_as_json_name_each_path(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["spec", "from-issue", "--format", "json", str(bad_body(tmp_path))]
    )

    assert isinstance(result.exception, SpecError)
    problems = json.loads(result.stdout)["problems"]
    assert {"fields[0].type", "fields[1]"} <= {p["path"].split(".values")[0] for p in problems}


def test_undecodable_bytes_on_stdin_get_a_verdict_not_a_traceback() -> None:
    stdin = b'### Entity definition\n\n```json\n{"name": "\xff"}\n```\n'

    result = CliRunner().invoke(app, ["spec", "from-issue", "-"], input=stdin)

    assert isinstance(result.exception, SpecError)
    assert "undecodable" in result.exception.message


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["spec", "from-issue", str(tmp_path / "nope.md")])

    assert isinstance(result.exception, UsageError)
    assert "cannot read" in result.exception.message


@pytest.mark.slow
def test_the_command_exits_with_the_spec_invalid_code_and_lists_problems(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "spec", "from-issue", str(bad_body(tmp_path))],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 12
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("- fields[0].type: unknown type 'nope'")
    assert lines[-1].startswith("spec-invalid: ")
    assert result.stdout == ""
