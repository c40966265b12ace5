"""`issuebot gate evaluate`: show the merge decision for one PR, and optionally apply it."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from bot.errors import UsageError
from bot.gates.merge import evaluate_pull, judge_pull, load_config
from bot.gates.risk import Decision
from bot.github import MemoryAuditSink, connect_repo
from bot.locks import make_lock_manager
from bot.settings import load_settings
from bot.store import RunStore

_ICON = {"pass": "PASS", "fail": "FAIL", "pending": "WAIT"}


def render_decision(decision: Decision) -> str:
    """Plain-text decision for the terminal: outcome, then one line per rule."""
    lines = [f"PR #{decision.pr_number} at {decision.head_sha[:12]}: {decision.outcome}"]
    width = max(len(r.rule) for r in decision.rules)
    lines += [f"  {_ICON[r.status]}  {r.rule:<{width}}  {r.reason}" for r in decision.rules]
    return "\n".join(lines)


def evaluate(
    repo: Annotated[str, typer.Option("--repo", help="OWNER/NAME")],
    pr: Annotated[int, typer.Option("--pr", min=1, help="pull request number")],
    apply: Annotated[bool, typer.Option("--apply", help="act: merge, label, comment")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the decision as JSON")] = False,
) -> None:
    """Judge a pull request with the risk rules and print every rule's verdict."""
    if repo.count("/") != 1:
        raise UsageError(f"--repo must be OWNER/NAME, got {repo!r}")
    settings = load_settings()
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
        )
    else:
        gh = connect_repo(settings, repo, MemoryAuditSink())
        decision, _ = judge_pull(gh, pr, load_config(gh), bot_login=settings.bot_login)
    typer.echo(json.dumps(decision.to_dict(), indent=2) if as_json else render_decision(decision))


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    """Add the `gate` command group."""
    gate = typer.Typer(help="Merge gates: explain and apply the auto-merge decision.")
    gate.command("evaluate")(evaluate)
    app.add_typer(gate, name="gate")
