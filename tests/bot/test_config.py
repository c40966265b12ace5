"""A target repo tunes the bot in `.github/issuebot.yml` or in pyproject's `[tool.issuebot]`."""

from __future__ import annotations

import re

import pytest
import yaml

from bot.config import RepoConfig, parse_repo_config, read_repo_config
from bot.errors import ConfigError

PYPROJECT = """
[project]
name = "widgets"

[tool.issuebot.labels]
hold = "on-hold"

[tool.issuebot.risk]
merge_method = "merge"
"""


def test_a_repo_without_config_gets_the_documented_defaults() -> None:
    assert read_repo_config({}.get) == RepoConfig()


def test_pyproject_tool_issuebot_is_read_when_there_is_no_yaml_file() -> None:
    config = read_repo_config({"pyproject.toml": PYPROJECT}.get)
    assert config.labels.hold == "on-hold"
    assert config.risk.merge_method == "merge"


def test_a_pyproject_without_the_table_means_defaults() -> None:
    assert read_repo_config({"pyproject.toml": '[project]\nname = "x"\n'}.get) == RepoConfig()


def test_the_yaml_file_wins_over_pyproject() -> None:
    files = {".github/issuebot.yml": "labels:\n  hold: paused\n", "pyproject.toml": PYPROJECT}
    assert read_repo_config(files.get).labels.hold == "paused"


def test_a_typo_in_pyproject_is_reported_with_where_it_is() -> None:
    text = "[tool.issuebot.risk]\nmerge_methd = 'squash'\n"
    with pytest.raises(ConfigError, match=r"pyproject.toml \[tool.issuebot\] is invalid: risk"):
        read_repo_config({"pyproject.toml": text}.get)


def test_broken_toml_and_yaml_are_config_errors_not_crashes() -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        read_repo_config({"pyproject.toml": "[tool.issuebot\n"}.get)
    with pytest.raises(ConfigError, match="not valid YAML"):
        read_repo_config({".github/issuebot.yml": "labels: [unclosed\n"}.get)


ESCAPES = {
    "/etc/passwd": "is absolute",
    "../outside/spec.json": "has a '..' segment",
    "specs/../../outside": "has a '..' segment",
    "C:/Windows/spec.json": "starts with a drive letter",
    "specs\\entities.json": "contains a backslash",
    "~/spec.json": "starts with ~",
}


@pytest.mark.parametrize("key", ["spec", "output", "generated", "hooks"])
@pytest.mark.parametrize(("value", "reason"), ESCAPES.items())
def test_a_path_that_leaves_the_repository_is_a_config_error(
    key: str, value: str, reason: str
) -> None:
    entry = {"paths": {key: [value] if key in ("generated", "hooks") else value}}
    text = yaml.safe_dump(entry)
    with pytest.raises(ConfigError, match=rf"paths\.{key}.*{re.escape(reason)}"):
        parse_repo_config(text)


def test_protected_paths_are_confined_too_and_ordinary_paths_pass() -> None:
    with pytest.raises(ConfigError, match="is absolute"):
        parse_repo_config("risk:\n  protected_paths: [/srv/**]\n")
    config = parse_repo_config(
        "paths:\n  spec: api/specs/entities.json\n  output: services/api\n"
        "  generated: ['app/**', 'tests/test_*.py']\n"
    )
    assert (config.paths.spec, config.paths.output) == ("api/specs/entities.json", "services/api")
