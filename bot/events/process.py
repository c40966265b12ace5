"""One event, start to finish: read the repo config, route, de-duplicate, handle.

Shared by the queue worker (webhook mode) and `issuebot handle-event` (Action mode), so both
entry points behave the same. A broken repo config is answered on the issue, never a crash.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol

from bot.config import RepoConfig, read_repo_config
from bot.errors import ConfigError, LockConflictError
from bot.events import messages
from bot.events.event import Event
from bot.events.handlers import Outcome, Services, handle
from bot.events.router import Intent, prefilter, route
from bot.github.protocol import GitHubRepo
from bot.locks import LockManager, default_owner
from bot.observability import get_logger, log_context

log = get_logger("issuebot.events")

EVENT_LOCK_TTL_SECONDS = 120.0
EVENT_LOCK_WAIT_SECONDS = 60.0

RepoFactory = Callable[[str], GitHubRepo]
"""`owner/name` → a connected repository (`bot.github.connect_repo` in production)."""


class SemanticDedupe(Protocol):
    """Claims a semantic key for one delivery (a unique constraint in the store)."""

    def claim(self, key: str, delivery_id: str) -> bool:
        """True if ``delivery_id`` holds ``key``: it was first, or it is being retried."""
        ...


def load_config(repo: GitHubRepo) -> RepoConfig:
    """The target repo's `.github/issuebot.yml` from its default branch (defaults if absent)."""
    return read_repo_config(repo.read_file)


def process_event(
    event: Event,
    *,
    repo_for: RepoFactory,
    services: Services,
    dedupe: SemanticDedupe | None = None,
    locks: LockManager | None = None,
) -> Outcome:
    """Route and handle one event; returns what happened (never raises for known failures).

    With ``locks``, events about one issue are handled one at a time (across workers), so
    two concurrent deliveries cannot both create the same marked comment.
    """
    with log_context(delivery_id=event.delivery_id, repo=event.repo):
        reason = prefilter(event, bot_login=services.bot_login)
        if reason is not None or event.repo is None:
            intent = Intent(kind="ignore", repo=event.repo, reason=reason or "no repository")
            return _logged(Outcome(intent, "ignored", intent.reason))
        repo = repo_for(event.repo)
        try:
            config = load_config(repo)
        except ConfigError as exc:
            return _logged(_report_config_error(event, repo, services, exc))
        intent = route(event, config, bot_login=services.bot_login)
        if intent.kind == "ignore":
            return _logged(Outcome(intent, "ignored", intent.reason))
        if dedupe is not None and not dedupe.claim(intent.dedupe_key, event.delivery_id):
            return _logged(Outcome(intent, "duplicate", intent.dedupe_key))
        with _one_at_a_time(locks, intent):
            return _logged(handle(intent, repo, config, services))


@contextmanager
def _one_at_a_time(locks: LockManager | None, intent: Intent) -> Iterator[None]:
    """Hold the short per-issue event lease (not the run's lease: `/cancel` must get through)."""
    if locks is None or intent.repo is None or intent.number is None:
        yield
        return
    key = f"events:{intent.repo}#{intent.number}"
    owner = default_owner("events")
    deadline = time.monotonic() + EVENT_LOCK_WAIT_SECONDS
    while (lease := locks.acquire(key, EVENT_LOCK_TTL_SECONDS, owner=owner)) is None:
        if time.monotonic() > deadline:
            raise LockConflictError(f"events of {intent.repo}#{intent.number} are busy")
        time.sleep(0.05)
    try:
        yield
    finally:
        lease.release()


def _report_config_error(
    event: Event, repo: GitHubRepo, services: Services, exc: ConfigError
) -> Outcome:
    """Quote the config error on the issue the event was about (once, updated in place)."""
    intent = route(event, RepoConfig(), bot_login=services.bot_login)
    if intent.number is not None and intent.kind != "ignore":
        body = messages.config_error_text(exc.message)
        repo.upsert_comment(intent.number, "config-error", body)
    return Outcome(intent, "config-error", exc.message)


def _logged(outcome: Outcome) -> Outcome:
    log.info(
        "event_handled",
        intent=outcome.intent.kind,
        issue=outcome.intent.number,
        result=outcome.result,
        detail=outcome.detail,
    )
    return outcome
