"""`--bot-source`: what the scaffolded workflows install is always one pinned requirement."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from bot.cli.main import app
from bot.config import parse_repo_config
from bot.errors import UsageError
from bot.scaffold import init_repository, parse_bot_source, running_version, scaffold_files
from bot.scaffold.source import PROJECT_URL, default_source, upgraded_source

runner = CliRunner()
WORKFLOWS = (".github/workflows/ci.yml", ".github/workflows/issuebot.yml")


def installed_by(files: dict[str, str], workflow: str) -> str:
    package: str = yaml.safe_load(files[workflow])["env"]["ISSUEBOT_PACKAGE"]
    return package


def test_by_default_the_workflows_install_this_version_from_the_projects_repository() -> None:
    files = scaffold_files()
    expected = f"issuebot @ git+{PROJECT_URL}@v{running_version()}"
    assert {installed_by(files, w) for w in WORKFLOWS} == {expected}
    for workflow in WORKFLOWS:
        assert "issuebot/issuebot@v1" not in files[workflow]
        step = next(
            s["run"]
            for job in yaml.safe_load(files[workflow])["jobs"].values()
            for s in job["steps"]
            if s.get("name") == "Install issuebot"
        )
        assert '"$ISSUEBOT_PACKAGE"' in step  # the pin, never a bare `pip install issuebot`
    recorded = parse_repo_config(files[".github/issuebot.yml"]).bot
    assert (recorded.version, recorded.source) == (running_version(), expected)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("git+https://example.com/me/issuebot@v0.2.0",
         "issuebot @ git+https://example.com/me/issuebot@v0.2.0"),
        ("issuebot @ git+https://example.com/me/issuebot.git@0.2.0",
         "issuebot @ git+https://example.com/me/issuebot.git@0.2.0"),
        ("git+ssh://git@example.com/me/issuebot@" + "a" * 40,
         "issuebot @ git+ssh://git@example.com/me/issuebot@" + "a" * 40),
        ("https://example.com/dl/issuebot-0.2.0-py3-none-any.whl",
         "issuebot @ https://example.com/dl/issuebot-0.2.0-py3-none-any.whl"),
        ("issuebot==0.2.0", "issuebot==0.2.0"),
    ],
)  # fmt: skip
def test_a_pinned_source_is_normalised_to_one_requirement(given: str, expected: str) -> None:
    assert parse_bot_source(given) == expected


def test_a_local_wheel_becomes_an_absolute_file_url(tmp_path: Path) -> None:
    wheel = tmp_path / "dist" / "issuebot-0.2.0-py3-none-any.whl"
    wheel.parent.mkdir()
    wheel.write_bytes(b"PK")
    source = parse_bot_source("dist/issuebot-0.2.0-py3-none-any.whl", cwd=tmp_path)
    assert source == f"issuebot @ {wheel.as_uri()}"


@pytest.mark.parametrize(
    ("given", "why"),
    [
        ("issuebot", "pin one version"),
        ("issuebot>=0.2", "pin one version"),
        ("git+https://example.com/me/issuebot", "release tag"),
        ("git+https://example.com/me/issuebot@main", "a branch moves under you"),
        ("https://example.com/me/issuebot", "must name a wheel"),
        ("http://example.com/issuebot-0.2.0-py3-none-any.whl", "scheme"),
        ("missing/issuebot-0.2.0-py3-none-any.whl", "no such file"),
        ('git+https://example.com/x@v1";rm -rf /', "only URL characters"),
        ("othertool==1.0", "not a pinned requirement"),
    ],
)
def test_an_unpinned_or_unsafe_source_is_a_usage_error_naming_the_fix(
    given: str, why: str, tmp_path: Path
) -> None:
    with pytest.raises(UsageError, match=why):
        parse_bot_source(given, cwd=tmp_path)


def test_init_bot_source_pins_the_workflows_and_records_it(tmp_path: Path) -> None:
    wheel = tmp_path / f"issuebot-{running_version()}-py3-none-any.whl"
    wheel.write_bytes(b"PK")
    result = runner.invoke(app, ["init", str(tmp_path / "repo"), "--bot-source", str(wheel)])
    assert result.exit_code == 0, result.output
    files = {w: (tmp_path / "repo" / w).read_text() for w in WORKFLOWS}
    assert {installed_by(files, w) for w in WORKFLOWS} == {f"issuebot @ {wheel.as_uri()}"}
    config = parse_repo_config((tmp_path / "repo/.github/issuebot.yml").read_text())
    assert config.bot.source == f"issuebot @ {wheel.as_uri()}"
    assert "note:" not in result.output


def test_a_source_of_another_version_is_scaffolded_with_a_note() -> None:
    report = init_repository(
        Path("/nonexistent/repo"), dry_run=True, source=default_source("9.9.9")
    )
    assert report.note is not None and "pins issuebot 9.9.9" in report.note


def test_a_bad_source_on_the_command_line_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path), "--bot-source", "issuebot"])
    assert isinstance(result.exception, UsageError)
    assert result.exception.exit_code == 2
    assert not (tmp_path / ".github").exists()


@pytest.mark.parametrize(
    ("recorded", "moved"),
    [
        (None, default_source("0.3.0")),
        (default_source("0.2.0"), default_source("0.3.0")),
        ("issuebot @ git+https://example.com/fork/issuebot@v0.2.0",
         "issuebot @ git+https://example.com/fork/issuebot@v0.3.0"),
        ("issuebot==0.2.0", "issuebot==0.3.0"),
        ("issuebot @ https://example.com/issuebot-0.3.0-py3-none-any.whl",
         "issuebot @ https://example.com/issuebot-0.3.0-py3-none-any.whl"),
    ],
)  # fmt: skip
def test_upgrade_moves_a_tag_keeps_the_fork_and_never_guesses(
    recorded: str | None, moved: str
) -> None:
    assert upgraded_source(recorded, "0.3.0") == moved


def test_upgrade_refuses_to_invent_the_url_of_a_newer_wheel() -> None:
    with pytest.raises(UsageError, match="pass --bot-source"):
        upgraded_source("issuebot @ https://example.com/issuebot-0.2.0-py3-none-any.whl", "0.3.0")


def test_the_readme_names_the_same_project_url_as_the_code(repo_root: Path) -> None:
    readme = (repo_root / "README.md").read_text()
    assert f"issuebot @ git+{PROJECT_URL}@v<version>" in readme
    assert "--bot-source" in readme and "init --upgrade" in readme
