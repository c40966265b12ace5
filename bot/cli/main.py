"""The `issuebot` command: one Typer app, assembled from every `bot.cli.*` module.

Each feature owns one module here that defines ``register(app, groups)``; this file only
discovers them, so adding a command never means editing a shared list.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from collections.abc import Callable
from importlib import metadata
from typing import Annotated

import click
import typer

import bot.cli
from bot.errors import IssuebotError, SpecError

app = typer.Typer(
    name="issuebot",
    help="Issue-first GitHub bot: approved entity requests become tested, linked pull requests.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"issuebot {metadata.version('issuebot')}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Issue-first GitHub bot: approved entity requests become tested, linked pull requests."""


GROUP_HELP = {
    "spec": "Validate entity specs and read them out of issues.",
    "runs": "Inspect, list and resume runs recorded in the run store.",
}


def _groups() -> dict[str, typer.Typer]:
    groups: dict[str, typer.Typer] = {}
    for name, help_text in GROUP_HELP.items():
        group = typer.Typer(help=help_text, no_args_is_help=True)
        app.add_typer(group, name=name)
        groups[name] = group
    return groups


def _register_all() -> None:
    groups = _groups()
    for info in sorted(pkgutil.iter_modules(bot.cli.__path__), key=lambda m: m.name):
        if info.name == "main":
            continue
        module = importlib.import_module(f"bot.cli.{info.name}")
        register: Callable[[typer.Typer, dict[str, typer.Typer]], None] | None = getattr(
            module, "register", None
        )
        if register is not None:
            register(app, groups)


_register_all()


def main() -> None:
    """Console entry point: one line and the taxonomy's exit code on any known failure."""
    try:
        app(standalone_mode=False)
    except IssuebotError as exc:
        if isinstance(exc, SpecError) and len(exc.problems) > 1 and not exc.shown:
            for problem in exc.problems:  # each once, then the one line that sums them up
                typer.echo(f"- {problem}", err=True)
        typer.echo(exc.one_line(), err=True)
        sys.exit(exc.exit_code)
    except typer.Abort as exc:
        if isinstance(exc.__cause__ or exc.__context__, KeyboardInterrupt):  # Ctrl-C
            typer.echo("interrupted", err=True)
            sys.exit(130)  # the shell's 128 + SIGINT; long-running commands: bot.interrupt
        typer.echo("aborted", err=True)
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.TyperException, click.ClickException) as exc:
        # Typer >= 0.29 raises its vendored click's exceptions, not click's own.
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            typer.echo(f"usage: {exc}", err=True)
        sys.exit(int(getattr(exc, "exit_code", 2)))
    except Exception as exc:  # the last edge: a bug, still reported in one line
        if os.environ.get("ISSUEBOT_DEBUG"):
            raise
        typer.echo(
            f"internal-error: {type(exc).__name__}: {exc} "
            "(a bug in issuebot; set ISSUEBOT_DEBUG=1 for the traceback)",
            err=True,
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
