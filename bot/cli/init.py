"""`issuebot init [DIR]`: scaffold a target repository for the bot, or move it to this version."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.errors import UsageError

if TYPE_CHECKING:
    from bot.scaffold import InitReport, UpgradeReport

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
UPGRADE_NEXT = "next: commit these files; CI now installs the bot named in bot.source"


def init(
    directory: Annotated[Path, typer.Argument(help="repository root (created if missing)")] = Path(
        "."
    ),
    force: Annotated[bool, typer.Option("--force", help="replace files that differ")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="only list the changes")] = False,
    bot_source: Annotated[
        str | None,
        typer.Option(
            "--bot-source",
            metavar="REQUIREMENT",
            help="the issuebot the workflows install: a git URL with @tag, a wheel URL or "
            "path, or issuebot==X.Y.Z (default: the project's repository at this version)",
        ),
    ] = None,
    upgrade: Annotated[
        bool,
        typer.Option(
            "--upgrade",
            help="move an initialised repository to this version: re-pin the workflows and "
            "config, regenerate generated files; nothing user-owned changes",
        ),
    ] = False,
) -> None:
    """Add the spec, config, issue form, workflows, hooks and service layout to DIR."""
    from bot.scaffold import (  # noqa: PLC0415 - commands load their area on use
        init_repository,
        parse_bot_source,
        upgrade_repository,
    )

    source = None if bot_source is None else parse_bot_source(bot_source)
    report: InitReport | UpgradeReport
    if upgrade:
        if force:
            raise UsageError("--upgrade never replaces user files; drop --force")
        report = upgrade_repository(directory, source=source, dry_run=dry_run)
        next_steps = UPGRADE_NEXT
    else:
        report = init_repository(directory, force=force, dry_run=dry_run, source=source)
        next_steps = NEXT_STEPS
    for step in report.actions:
        if upgrade and step.action.value == "unchanged":
            continue  # an upgrade lists what it moves; the summary counts the rest
        typer.echo(f"  {_SHOWN[step.action.value]:<9} {step.path}  ({step.reason})")
    if report.note:
        typer.echo(report.note)
    typer.echo(report.summary())
    if any(step.writes for step in report.actions) and not dry_run:
        typer.echo(next_steps)


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    """Add `issuebot init`."""
    app.command("init")(init)
