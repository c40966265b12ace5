"""`issuebot gate evaluate`: show the merge decision for one PR, and optionally apply it."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from bot.errors import UsageError


def evaluate(
    repo: Annotated[str, typer.Option("--repo", help="OWNER/NAME")],
    pr: Annotated[int, typer.Option("--pr", min=1, help="pull request number")],
    apply: Annotated[bool, typer.Option("--apply", help="act: merge, label, comment")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the decision as JSON")] = False,
) -> None:
    """Judge a pull request with the risk rules and print every rule's verdict."""
    if repo.count("/") != 1:
        raise UsageError(f"--repo must be OWNER/NAME, got {repo!r}")
    # Commands load their area when run, so listing them stays instant.
    from bot.gates.merge import evaluate_pull, judge_pull, load_config  # noqa: PLC0415
    from bot.gates.report import decision_text  # noqa: PLC0415
    from bot.github import MemoryAuditSink, connect_repo  # noqa: PLC0415
    from bot.github.identity import with_identity  # noqa: PLC0415
    from bot.locks import make_lock_manager  # noqa: PLC0415
    from bot.settings import load_settings  # noqa: PLC0415
    from bot.store import RunStore  # noqa: PLC0415

    settings = with_identity(load_settings())
    if apply:
        store = RunStore.open(settings.database_url)
        gh = connect_repo(settings, repo, store)
        decision = evaluate_pull(
            gh,
            pr,
            load_config(gh),
            audit=store,
            locks=make_lock_manager(settings, store),
            bot_login=settings.bot_login,
            runs=store,
        )
    else:
        gh = connect_repo(settings, repo, MemoryAuditSink())
        runs = RunStore.open(settings.database_url)  # read-only: which commits the bot pushed
        decision, _ = judge_pull(gh, pr, load_config(gh), bot_login=settings.bot_login, runs=runs)
    typer.echo(json.dumps(decision.to_dict(), indent=2) if as_json else decision_text(decision))


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    """Add the `gate` command group."""
    gate = typer.Typer(help="Merge gates: explain and apply the auto-merge decision.")
    gate.command("evaluate")(evaluate)
    app.add_typer(gate, name="gate")
