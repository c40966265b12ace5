"""`issuebot doctor`: is this setup ready for real issues? Every gate, pass or fail with a fix."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from bot.errors import NotReadyError, UsageError


def doctor(
    repo: Annotated[
        str | None, typer.Option("--repo", help="OWNER/NAME: also check this repository")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the verdicts as JSON")] = False,
    fix: Annotated[bool, typer.Option("--fix", help="create missing labels")] = False,
) -> None:
    """Run the readiness gates; exit 0 only when every gate passes."""
    if repo is not None and repo.count("/") != 1:
        raise UsageError(f"--repo must be OWNER/NAME, got {repo!r}")
    # Imported here: the gates pull in alembic, PyGithub and the queue, which every other
    # CLI command would otherwise pay for at start.
    from bot.doctor import ready, render_text, run_doctor  # noqa: PLC0415
    from bot.settings import load_settings  # noqa: PLC0415 - commands load on use

    verdicts = run_doctor(load_settings(), repo, fix=fix)
    if as_json:
        body = {"ready": ready(verdicts), "gates": [v.to_dict() for v in verdicts]}
        typer.echo(json.dumps(body, indent=2))
    else:
        typer.echo(render_text(verdicts))
    if not ready(verdicts):
        failed = [v.gate for v in verdicts if v.status == "fail"]
        raise NotReadyError(f"{len(failed)} readiness gate(s) failed: {', '.join(failed)}")


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    """Add the `doctor` command."""
    app.command("doctor")(doctor)
