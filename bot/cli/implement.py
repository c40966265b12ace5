"""`issuebot implement` and `issuebot runs resume`: the run pipeline from the command line."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from bot.errors import LockConflictError, NotFoundError, UsageError

# The pipeline loads when a command runs, so listing commands stays instant.
if TYPE_CHECKING:
    from bot.pipeline import RunResult


def _print(result: RunResult) -> None:
    typer.echo(f"run {result.run_id}: {result.status}")
    if result.pr_url:
        typer.echo(f"pull request #{result.pr_number}: {result.pr_url}")
    if result.branch:
        typer.echo(f"branch: {result.branch} ({len(result.files)} files)")
    if result.tests:
        cov = f", coverage {result.coverage:.1f}%" if result.coverage is not None else ""
        typer.echo(f"tests: {result.tests}{cov}")


def implement(
    repo: Annotated[str, typer.Option("--repo", help="Target repository, OWNER/NAME.")],
    issue: Annotated[int, typer.Option("--issue", help="The approved entity-request issue.")],
    actor: Annotated[
        str | None, typer.Option("--actor", help="Who asked (recorded on the run).")
    ] = None,
) -> None:
    """Implement an approved entity request: spec, code, tests, commit, push, PR."""
    from bot.github.identity import with_identity  # noqa: PLC0415
    from bot.pipeline import Orchestrator  # noqa: PLC0415
    from bot.settings import load_settings  # noqa: PLC0415

    if "/" not in repo:
        raise UsageError(f"--repo must be OWNER/NAME, not {repo!r}")
    settings = with_identity(load_settings())
    _print(
        Orchestrator(repo=repo, settings=settings).implement_issue(
            issue, actor=actor, trigger="cli"
        )
    )


def resume(run_id: Annotated[str, typer.Argument(help="The run to continue.")]) -> None:
    """Resume an interrupted or failed run; finished steps whose results hold are skipped.

    A run whose worker died is taken over once its lease's heartbeat has stopped.
    """
    from bot.github.identity import with_identity  # noqa: PLC0415
    from bot.locks import issue_lock_key, make_lock_manager  # noqa: PLC0415
    from bot.pipeline import Orchestrator  # noqa: PLC0415
    from bot.queue.recovery import wait_until_free  # noqa: PLC0415
    from bot.settings import load_settings  # noqa: PLC0415
    from bot.store import RunStore  # noqa: PLC0415

    settings = with_identity(load_settings())
    store = RunStore.open(settings.database_url)
    run = store.get_run(run_id)
    if run is None:
        raise NotFoundError(f"no run {run_id}")
    orchestrator = Orchestrator(repo=run.repo, store=store, settings=settings)
    try:
        result = orchestrator.resume(run_id)
    except LockConflictError:
        # Held: maybe by a live worker, maybe by a dead one whose lease has not expired yet.
        # Within one lease TTL a dead holder's heartbeat has visibly stopped: take over then.
        key, ttl = issue_lock_key(run.repo, run.issue), settings.lease_ttl_seconds
        typer.echo(f"run {run_id} is leased; waiting up to {ttl:g} s for its holder", err=True)
        if wait_until_free(make_lock_manager(settings, store), key, within=ttl + 1) is not None:
            raise
        result = orchestrator.resume(run_id)
    _print(result)


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    """Add `implement` and `runs resume`."""
    app.command("implement")(implement)
    groups["runs"].command("resume")(resume)
