"""`issuebot serve`, `issuebot handle-event`, `issuebot reconcile`: the two event entry points.

`serve` is the webhook server (jobs run on the queue); `handle-event` is what the GitHub
Action runs, the same router and handlers, synchronously; `reconcile` catches what webhooks
missed. All three read their configuration from the environment (`bot.settings`).
"""

from __future__ import annotations

import re
import socket
from contextlib import ExitStack
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer

from bot import interrupt
from bot.errors import ConfigError, IssuebotError, UsageError

_REPO = re.compile(r"[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}")

# Each command imports its area when it runs, so listing commands stays instant.
if TYPE_CHECKING:
    import uvicorn

    from bot.settings import Settings


def _settings() -> Settings:
    from bot.observability import configure_logging, register_settings_secrets  # noqa: PLC0415
    from bot.settings import load_settings  # noqa: PLC0415

    settings = load_settings()
    register_settings_secrets(settings)
    configure_logging(json_output=settings.log_json, level=settings.log_level)
    return settings


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="TCP port (0: any free one).")] = 8000,
    reconcile_every: Annotated[
        float, typer.Option(help="Seconds between reconciler passes (0 turns it off).")
    ] = 300.0,
    reconcile_repo: Annotated[
        list[str] | None,
        typer.Option(help="OWNER/NAME to reconcile even before a webhook came from it."),
    ] = None,
    allow_unsigned: Annotated[
        bool, typer.Option(help="Accept unsigned webhooks when no secret is set (local only).")
    ] = False,
) -> None:
    """Run the webhook server: POST /webhook, /healthz, /readyz, /metrics."""
    from bot.server.background import listen  # noqa: PLC0415

    settings = _settings()
    if settings.webhook_secret is None and not allow_unsigned:
        raise ConfigError(
            "ISSUEBOT_WEBHOOK_SECRET is not set: webhooks could not be verified",
            hint="set the secret configured on GitHub's webhook, or pass --allow-unsigned",
        )
    settings.require_github_auth()
    sock = listen(host, port)  # a busy port is a one-line usage error before anything starts
    # Ctrl-C/SIGTERM: stopped within 2 s, with the sandboxed tests of running jobs and the
    # private temp dir; the runs are resumed from their last step by recovery (bot.interrupt).
    with interrupt.exit_on_signals(temp_prefix="issuebot-serve-"):
        _serve(settings, sock, host, reconcile_every, tuple(reconcile_repo or ()))


def _serve(
    settings: Settings,
    sock: socket.socket,
    host: str,
    reconcile_every: float,
    reconcile_repos: tuple[str, ...],
) -> None:
    from bot.events.jobs import use_wiring  # noqa: PLC0415
    from bot.events.wiring import wiring_from_settings  # noqa: PLC0415
    from bot.github.identity import with_identity  # noqa: PLC0415
    from bot.locks import make_lock_manager  # noqa: PLC0415
    from bot.queue import InProcessQueue, make_queue  # noqa: PLC0415
    from bot.queue.recovery import recover_stranded_runs  # noqa: PLC0415
    from bot.server import readiness  # noqa: PLC0415
    from bot.server.app import create_app  # noqa: PLC0415
    from bot.server.background import make_server, serve_in_thread  # noqa: PLC0415
    from bot.server.limits import ServerLimits  # noqa: PLC0415
    from bot.server.metrics import create_metrics_app, watch_run_store  # noqa: PLC0415
    from bot.store import RunStore  # noqa: PLC0415

    settings = with_identity(settings)  # the login the server's prefilter ignores
    store = RunStore.open(settings.database_url)
    watch_run_store(store)  # /metrics: active and stuck runs, open incidents
    queue = make_queue(settings)
    if isinstance(queue, InProcessQueue):  # this process is the worker too
        use_wiring(wiring_from_settings(settings, store=store, queue=queue))
        # Runs a previous server left half-done are resumed once their lease expires, as
        # every worker does: now and every ISSUEBOT_MAINTENANCE seconds.
        recover_stranded_runs(
            store, queue, make_lock_manager(settings, store), every=settings.maintenance_seconds
        )
    limits = ServerLimits.from_settings(settings)
    app = create_app(
        settings,
        store=store,
        queue=queue,
        reconcile_every=reconcile_every or None,
        reconcile_repos=reconcile_repos,
        serialize_writes=settings.database_url.startswith("sqlite"),
        limits=limits,
    )
    readiness.warn_at_start(settings, reconcile_repos)  # doctor's gates, logged
    with ExitStack() as stack:
        metrics_bind = settings.metrics_bind()
        if metrics_bind is not None:  # /metrics only there, e.g. on an internal interface
            metrics_url = stack.enter_context(
                serve_in_thread(create_metrics_app(settings, queue), *metrics_bind, limits)
            )
            typer.echo(f"issuebot metrics on {metrics_url}/metrics")
        typer.echo(f"issuebot listening on http://{host}:{sock.getsockname()[1]}/webhook")
        server = make_server(app, host, sock.getsockname()[1], limits)
        _stopping_server_class()(server.config).run(sockets=[sock])


def _stopping_server_class() -> type[uvicorn.Server]:
    """uvicorn's Server, whose signal handler also starts our 2-second stop (bot.interrupt).

    uvicorn replaces the process's handlers while it runs and re-raises the signal after its
    graceful shutdown; the watchdog bounds that shutdown, e.g. a client still sending a body.
    """
    import uvicorn  # noqa: PLC0415

    class StoppingServer(uvicorn.Server):
        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            interrupt.begin_stop(sig)
            super().handle_exit(sig, frame)

    return StoppingServer


def handle_event() -> None:
    """Handle the event of the current GitHub Actions run (GITHUB_EVENT_NAME/_PATH)."""
    from bot.events.event import Event  # noqa: PLC0415
    from bot.events.process import process_event  # noqa: PLC0415
    from bot.events.wiring import wiring_from_settings  # noqa: PLC0415
    from bot.github.identity import with_identity  # noqa: PLC0415

    event = Event.from_actions_env()
    settings = with_identity(_settings())
    wiring = wiring_from_settings(settings)
    outcome = process_event(
        event, repo_for=wiring.repo_for, services=wiring.services, dedupe=wiring.dedupe
    )
    detail = f" ({outcome.detail})" if outcome.detail else ""
    typer.echo(
        f"{event.name}.{event.action or '-'} → {outcome.intent.kind}: {outcome.result}{detail}"
    )
    if outcome.result in ("failed", "config-error"):
        raise typer.Exit(1)


def reconcile(
    repo: Annotated[list[str], typer.Option("--repo", help="OWNER/NAME to scan (repeatable).")],
    stuck_after: Annotated[
        float, typer.Option(help="Seconds after which an active run counts as stuck.")
    ] = 3600.0,
) -> None:
    """Restart approved entity requests that have no run, or a stuck one."""
    bad = [name for name in repo if not _REPO.fullmatch(name)]
    if bad:
        raise UsageError(f"--repo must be OWNER/NAME, not {bad[0]!r}")
    from bot.events.reconcile import reconcile_repo  # noqa: PLC0415
    from bot.events.wiring import wiring_from_settings  # noqa: PLC0415
    from bot.github.identity import with_identity  # noqa: PLC0415

    settings = with_identity(_settings())
    wiring = wiring_from_settings(settings)
    if wiring.runs is None:
        raise ConfigError("the reconciler needs the run store (DATABASE_URL)")
    first_failure: IssuebotError | None = None
    for name in repo:
        try:
            outcomes = reconcile_repo(
                wiring.repo_for(name),
                runs=wiring.runs,
                services=wiring.services,
                dedupe=wiring.dedupe,
                stuck_after_seconds=stuck_after,
            )
        except IssuebotError as exc:
            first_failure = first_failure or exc
            typer.echo(f"{name}: {exc.one_line()}", err=True)
            continue
        if not outcomes:
            typer.echo(f"{name}: nothing missed")
        for outcome in outcomes:
            intent = outcome.intent
            typer.echo(
                f"{name}#{intent.number}: {intent.kind} ({intent.reason}) → {outcome.result}"
            )
    if first_failure is not None:  # the other repositories were still reconciled
        raise first_failure


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    """Add `serve`, `handle-event` and `reconcile`."""
    app.command("serve")(serve)
    app.command("handle-event")(handle_event)
    app.command("reconcile")(reconcile)
