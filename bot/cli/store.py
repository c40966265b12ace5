"""`issuebot runs list|show`, `issuebot worker` and `issuebot db upgrade`: the store and queue."""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bot.errors import ConfigError, NotFoundError, UsageError

# Commands import the store, queue and settings when they run: listing commands stays instant.
if TYPE_CHECKING:
    from bot.settings import Settings
    from bot.store import Run, RunStore, StepRecord

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x1b]")


def _safe(text: object) -> str:
    """Error texts and audit data may quote issue bodies: no secrets, no terminal escapes."""
    from bot.observability import redact  # noqa: PLC0415

    return _CONTROL.sub("?", redact(str(text)))


def _open() -> RunStore:
    from bot.settings import load_settings  # noqa: PLC0415
    from bot.store import RunStore  # noqa: PLC0415

    return RunStore.open(load_settings().database_url)


def _when(ts: datetime | None) -> str:
    return "-" if ts is None else ts.strftime("%Y-%m-%d %H:%M:%S")


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def _error(run: Run) -> str:
    if run.error_kind is None:
        return ""
    retry = ", retryable" if run.retryable else ""
    return f"{run.error_kind}{retry}: {_safe(run.error_message)}"


def list_runs(
    repo: Annotated[str | None, typer.Option("--repo", help="Only runs of OWNER/NAME.")] = None,
    issue: Annotated[int | None, typer.Option("--issue", help="Only runs of this issue.")] = None,
    status: Annotated[str | None, typer.Option("--status", help="queued, running, ...")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000)] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON array, for scripts.")] = False,
) -> None:
    """List runs, newest first."""
    runs = _open().list_runs(repo=repo, issue=issue, status=status, limit=limit)
    if as_json:
        typer.echo(json.dumps([_jsonable(asdict(r)) for r in runs], indent=2))
        return
    if not runs:
        typer.echo("no runs recorded")
        return
    typer.echo(f"{'RUN':36}  {'REPO#ISSUE':28}  {'STATUS':9}  {'CREATED (UTC)':19}  ERROR")
    for r in runs:
        where = f"{r.repo}#{r.issue}"
        typer.echo(f"{r.id:36}  {where:28}  {r.status:9}  {_when(r.created_at):19}  {_error(r)}")


def show_run(
    run_id: Annotated[str, typer.Argument(help="The run id (from `runs list`).")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object, for scripts.")] = False,
) -> None:
    """Show a run: its steps with outcomes and durations, its error, and its audit entries."""
    store = _open()
    run = store.get_run(run_id)
    if run is None:
        raise NotFoundError(f"no run {run_id}", hint="see `issuebot runs list`")
    steps = store.steps(run_id)
    # Entries of this run, plus its issue's entries that name no run (e.g. a later merge).
    issue_wide = store.audit_entries(repo=run.repo, issue=run.issue, limit=500)
    merged = {a.id: a for a in store.audit_entries(run_id=run_id, limit=500)}
    merged.update({a.id: a for a in issue_wide if a.run_id is None and a.ts >= run.created_at})
    audit = [merged[k] for k in sorted(merged)]
    if as_json:
        data = {
            "run": asdict(run),
            "steps": [{**asdict(s), "duration_seconds": s.duration_seconds} for s in steps],
            "audit": [asdict(a) for a in audit],
        }
        typer.echo(json.dumps(_jsonable(data), indent=2))
        return
    typer.echo(f"run {run.id}  {run.repo}#{run.issue}  {run.status}")
    typer.echo(f"trigger {_safe(run.trigger)} by {_safe(run.actor)}")
    typer.echo(f"created {_when(run.created_at)}  updated {_when(run.updated_at)} (UTC)")
    if run.error_kind:
        typer.echo(f"error: {_error(run)}")
        if run.retryable:
            typer.echo(f"retry: comment /retry on the issue, or `issuebot runs resume {run.id}`")
    typer.echo("steps:" if steps else "steps: none recorded yet")
    for s in steps:
        if s.finished_at is None:
            took = "running" if run.active else "interrupted"
        else:
            took = f"{s.duration_seconds:.2f}s"
        typer.echo(f"  {s.name:14} #{s.attempt}  {s.outcome or '-':8} {took:>12}{_step_error(s)}")
    if audit:
        typer.echo("audit:")
    for a in audit:
        shown = _safe(json.dumps(a.data, sort_keys=True, default=str))
        typer.echo(f"  {_when(a.ts)}  {_safe(a.kind)} by {_safe(a.actor or '-')}: {shown}")


def _step_error(step: StepRecord) -> str:
    error: object = step.output.get("error") if step.outcome == "failed" else None
    if isinstance(error, dict):
        error = error.get("message", error)
    return "" if error is None else f"  {_safe(error)}"


def worker(
    burst: Annotated[bool, typer.Option("--burst", help="Exit when the queue is empty.")] = False,
    queue_name: Annotated[
        str | None, typer.Option("--queue", help="RQ queue name (ISSUEBOT_QUEUE_NAME).")
    ] = None,
    metrics_port: Annotated[
        int | None, typer.Option("--metrics-port", help="Serve Prometheus metrics on this port.")
    ] = None,
    requeue: Annotated[
        bool,
        typer.Option(
            "--requeue-interrupted/--no-requeue-interrupted",
            help="Resume runs the store calls active whose worker died (now and every few s).",
        ),
    ] = True,
) -> None:
    """Run a queue worker for QUEUE_URL (Redis); start as many as you like, on any host."""
    import redis  # noqa: PLC0415

    from bot.locks import RedisLockManager  # noqa: PLC0415
    from bot.observability import serve_metrics  # noqa: PLC0415
    from bot.queue import QueueUnavailableError, RqQueue  # noqa: PLC0415
    from bot.queue.recovery import recover_stranded_runs  # noqa: PLC0415
    from bot.queue.worker import run_worker  # noqa: PLC0415
    from bot.settings import load_settings  # noqa: PLC0415
    from bot.store import RunStore  # noqa: PLC0415

    settings = load_settings()
    url = settings.queue_url or ""
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(
            "a worker needs a Redis QUEUE_URL: without one, jobs run on the embedded "
            "in-process queue inside `issuebot serve`, and no worker is needed",
            hint="set QUEUE_URL=redis://HOST:6379/0 to run separate workers",
        )
    _prepare(settings)
    queue_name = queue_name or settings.queue_name
    if metrics_port is not None:
        if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            typer.echo(
                "warning: without PROMETHEUS_MULTIPROC_DIR (an empty directory, set before start)"
                " the metrics of jobs, which run in forked work horses, are lost",
                err=True,
            )
        try:
            serve_metrics(metrics_port)
        except OSError as exc:
            raise UsageError(
                f"cannot listen on 0.0.0.0:{metrics_port}: {exc.strerror or exc}"
            ) from exc
    recovery = None
    try:
        if requeue:  # now, and every ISSUEBOT_MAINTENANCE seconds while the worker lives
            store = RunStore.open(settings.database_url)
            recovery = recover_stranded_runs(
                store,
                RqQueue(url, name=queue_name),
                RedisLockManager(url, lease_ttl=settings.lease_ttl_seconds),
                every=settings.maintenance_seconds,
            )
        run_worker(url, queue_name=queue_name, burst=burst)
    except redis.exceptions.ConnectionError as exc:
        raise QueueUnavailableError(
            f"cannot reach Redis at QUEUE_URL: {exc}", hint="start Redis or fix QUEUE_URL"
        ) from exc
    finally:
        if recovery is not None:
            recovery.stop()


def _prepare(settings: Settings) -> None:
    from bot.observability import configure_logging, register_settings_secrets  # noqa: PLC0415

    configure_logging(json_output=settings.log_json, level=settings.log_level)
    register_settings_secrets(settings)


def db_upgrade() -> None:
    """Apply the run store's migrations to DATABASE_URL (also done on every start)."""
    from sqlalchemy.engine import make_url  # noqa: PLC0415
    from sqlalchemy.exc import DBAPIError  # noqa: PLC0415

    from bot.settings import load_settings  # noqa: PLC0415
    from bot.store import StoreUnavailableError  # noqa: PLC0415
    from bot.store.base import reason  # noqa: PLC0415
    from bot.store.engine import make_engine, upgrade  # noqa: PLC0415

    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        revision = upgrade(engine)
    except DBAPIError as exc:
        raise StoreUnavailableError(f"cannot upgrade the run store: {reason(exc)}") from exc
    finally:
        engine.dispose()
    shown = make_url(settings.database_url).render_as_string(hide_password=True)
    typer.echo(f"run store at {shown} is at revision {revision}")


_AGE = re.compile(r"^([1-9][0-9]{0,4})([dh])$")


def db_prune(
    older_than: Annotated[
        str, typer.Option("--older-than", help="Age of history to delete: e.g. 30d or 12h.")
    ] = "30d",
) -> None:
    """Delete finished history older than --older-than; keeps each issue's latest run."""
    match = _AGE.match(older_than)
    if match is None:
        raise UsageError(f"--older-than must look like 30d or 12h, not {older_than!r}")
    amount, unit = int(match.group(1)), match.group(2)
    age = timedelta(days=amount) if unit == "d" else timedelta(hours=amount)
    typer.echo(_open().prune(age).line())


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    """Add `runs list`, `runs show`, `worker`, `db upgrade` and `db prune`."""
    groups["runs"].command("list")(list_runs)
    groups["runs"].command("show")(show_run)
    app.command("worker")(worker)
    db = typer.Typer(help="The run store's database.", no_args_is_help=True)
    db.command("upgrade")(db_upgrade)
    db.command("prune")(db_prune)
    app.add_typer(db, name="db")
