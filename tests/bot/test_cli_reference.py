"""The README's command table is the CLI's own: a new or renamed command shows up there."""

from __future__ import annotations

from pathlib import Path

from bot.cli.main import app
from bot.cli.reference import command_table, with_table


def test_the_readme_lists_every_command_as_the_cli_describes_it(repo_root: Path) -> None:
    readme = (repo_root / "README.md").read_text("utf-8")
    table = command_table(app)
    assert "| `issuebot runs resume RUN_ID` |" in table  # groups and arguments are walked
    assert with_table(readme, table) == readme, "run `python -m bot.cli.reference`"
