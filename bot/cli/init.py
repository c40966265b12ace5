"""`issuebot init [DIR]`: scaffold a target repository for the bot."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

_SHOWN = {  # by Action value, so listing commands never loads the scaffolder
    "create": "create",
    "overwrite": "overwrite",
    "unchanged": "same",
    "skip": "keep",
    "conflict": "conflict",
}
NEXT_STEPS = (
    "next: commit these files, make the ci.yml jobs required checks of the default branch, "
    "and give the bot an App token (see .github/workflows/issuebot.yml)"
)


def init(
    directory: Annotated[Path, typer.Argument(help="repository root (created if missing)")] = Path(
        "."
    ),
    force: Annotated[bool, typer.Option("--force", help="replace files that differ")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="only list the changes")] = False,
) -> None:
    """Add the spec, config, issue form, workflows, hooks and service layout to DIR."""
    from bot.scaffold import init_repository  # noqa: PLC0415 - commands load their area on use

    report = init_repository(directory, force=force, dry_run=dry_run)
    for step in report.actions:
        typer.echo(f"  {_SHOWN[step.action.value]:<9} {step.path}  ({step.reason})")
    if report.note:
        typer.echo(report.note)
    typer.echo(report.summary())
    if any(step.writes for step in report.actions) and not dry_run:
        typer.echo(NEXT_STEPS)


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    """Add `issuebot init`."""
    app.command("init")(init)
