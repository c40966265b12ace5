"""Notifications through apprise (Slack, email, Teams, PagerDuty, JSON webhooks, …).

Targets come from two places: the operator's `ISSUEBOT_NOTIFY_URLS` (apprise URLs, each
optionally limited to some events: `critical,resolved=pagerduty://…`) and the repository's
`notify.urls`, which may only *name* an operator-set variable (`ISSUEBOT_NOTIFY_*`): a URL
with credentials never lives in the repository, and a repository cannot point the bot at
any other secret of its host.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import structlog

from bot.config import NotifyTarget

log = structlog.get_logger(__name__)

EVENTS = ("degraded", "critical", "resolved")
REPO_ENV_PREFIX = "ISSUEBOT_NOTIFY_"
_ENTRY = re.compile(r"^(?:(?P<on>[a-z]+(?:,[a-z]+)*)=)?(?P<url>[a-z][a-z0-9+.-]*://\S+)$")


@dataclass(frozen=True)
class Target:
    """One apprise URL and the events it wants."""

    url: str
    on: frozenset[str]


class Notifier(Protocol):
    """Sends one incident notification; a failed send is logged, never raised."""

    def send(self, event: str, title: str, body: str, targets: Sequence[Target]) -> int:
        """Deliver to every target that wants ``event``; returns how many accepted it."""


def operator_targets(value: str) -> list[Target]:
    """Parse `ISSUEBOT_NOTIFY_URLS`; an entry that is not `[events=]scheme://…` is skipped."""
    targets = []
    for entry in value.split():
        match = _ENTRY.match(entry)
        if match is None:
            log.warning("notify_target_ignored", reason="not [events=]scheme://…")
            continue
        wanted = frozenset(match["on"].split(",")) if match["on"] else frozenset(EVENTS)
        if not wanted <= set(EVENTS):
            log.warning("notify_target_ignored", reason=f"events must be among {EVENTS}")
            continue
        targets.append(Target(match["url"], wanted))
    return targets


def repo_targets(entries: Sequence[NotifyTarget], env: Mapping[str, str]) -> list[Target]:
    """Resolve the repository's references; unset variables are logged and skipped."""
    targets = []
    for entry in entries:
        url = env.get(entry.env, "").strip()
        if not url:
            log.warning("notify_target_unset", variable=entry.env)
            continue
        targets.append(Target(url, frozenset(entry.on)))
    return targets


def targets_for(
    operator_urls: str, entries: Sequence[NotifyTarget], env: Mapping[str, str] | None = None
) -> list[Target]:
    """Every target for one repository: the operator's, then the repository's."""
    resolved_env = os.environ if env is None else env
    return operator_targets(operator_urls) + repo_targets(entries, resolved_env)


class AppriseNotifier:
    """The real sender; apprise is imported on first use (it loads a plugin per service)."""

    def send(self, event: str, title: str, body: str, targets: Sequence[Target]) -> int:
        """Send to the targets that want ``event``, one apprise call per target."""
        import apprise  # noqa: PLC0415 - only a process that notifies pays for the plugins

        kind = apprise.NotifyType.SUCCESS if event == "resolved" else apprise.NotifyType.FAILURE
        sent = 0
        for target in targets:
            if event not in target.on:
                continue
            client = apprise.Apprise()
            if not client.add(target.url):
                log.warning("notify_target_invalid", scheme=target.url.split("://", 1)[0])
                continue
            if client.notify(title=title, body=body, notify_type=kind):
                sent += 1
            else:
                log.warning("notify_failed", event=event, scheme=target.url.split("://", 1)[0])
        return sent
