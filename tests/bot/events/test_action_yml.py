"""The repository is usable as `uses: owner/issuebot@v1`: a valid, injection-safe action."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml


def action(repo_root: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((repo_root / "action.yml").read_text())
    return data


def test_action_yml_validates_against_githubs_action_schema(repo_root: Path) -> None:
    result = subprocess.run(
        [
            str(repo_root / ".venv" / "bin" / "check-jsonschema"),
            "--builtin-schema",
            "vendor.github-actions",
            str(repo_root / "action.yml"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_action_runs_handle_event_with_app_token_support(repo_root: Path) -> None:
    data = action(repo_root)
    assert data["runs"]["using"] == "composite"
    assert {"github-token", "app-id", "app-private-key"} <= set(data["inputs"])
    scripts = "\n".join(step.get("run", "") for step in data["runs"]["steps"])
    assert "issuebot handle-event" in scripts
    assert "create-github-app-token" in (repo_root / "action.yml").read_text()


def test_no_expression_is_interpolated_into_a_shell_script(repo_root: Path) -> None:
    for step in action(repo_root)["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step.get("name")
