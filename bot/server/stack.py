"""The whole bot in one process: webhook server plus in-process worker, for `issuebot demo`.

Everything runs with the given settings (no environment variables needed): the server on
a free port, jobs on an `InProcessQueue` (runs and a fast lane), the event wiring installed
for those jobs, and the recovery thread that resumes runs a dead process left behind.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from bot.events.jobs import use_wiring
from bot.events.wiring import wiring_from_settings
from bot.github.identity import with_identity
from bot.locks import make_lock_manager
from bot.queue import InProcessQueue
from bot.queue.recovery import recover_stranded_runs
from bot.server.app import create_app
from bot.server.background import serve_in_thread
from bot.server.limits import ServerLimits
from bot.settings import Settings
from bot.store import RunStore


@dataclass(frozen=True)
class RunningBot:
    """A running bot: where GitHub should post, and its store and queue."""

    url: str
    store: RunStore
    queue: InProcessQueue

    @property
    def webhook_url(self) -> str:
        """The URL to configure as the repository's webhook."""
        return f"{self.url}/webhook"

    def wait_idle(self, timeout: float) -> bool:
        """Block until no job is queued or running; False if ``timeout`` passed first."""
        return self.queue.wait(timeout)


@contextmanager
def run_bot(
    settings: Settings,
    *,
    store: RunStore | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    workers: int = 3,
    reconcile_every: float | None = None,
    reconcile_repos: Sequence[str] = (),
) -> Iterator[RunningBot]:
    """Serve webhooks and run their jobs here until the block exits (then drain and stop)."""
    settings.require_github_auth()
    settings = with_identity(settings)
    run_store = store or RunStore.open(settings.database_url)
    queue = InProcessQueue(max_workers=workers)
    use_wiring(wiring_from_settings(settings, store=run_store, queue=queue))
    limits = ServerLimits.from_settings(settings)
    leases = make_lock_manager(settings, run_store)
    recovery = recover_stranded_runs(run_store, queue, leases, every=settings.maintenance_seconds)
    app = create_app(
        settings,
        store=run_store,
        queue=queue,
        reconcile_every=reconcile_every,
        reconcile_repos=reconcile_repos,
        serialize_writes=settings.database_url.startswith("sqlite"),
        limits=limits,
    )
    try:
        with serve_in_thread(app, host, port, limits) as url:
            yield RunningBot(url, run_store, queue)
    finally:
        recovery.stop()
        queue.close(wait=True)
        use_wiring(None)
        if store is None:
            run_store.close()
