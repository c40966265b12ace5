"""Failures that reach people: a repository's failing streak becomes an incident and a notification.

Seed 000's status → incident → notify workflow: `policy` decides (pure), `tracker` keeps one
tracking issue per repository (Renovate's dashboard habit: one issue, edited in place), and
`notify` sends through apprise to the operator's and the repository's targets.
"""

from bot.incidents.notify import AppriseNotifier, Notifier, targets_for
from bot.incidents.policy import (
    CRITICAL_AFTER,
    DEGRADED_AFTER,
    Severity,
    Transition,
    failing_streak,
    severity_of,
    transition,
)
from bot.incidents.tracker import INCIDENT_MARKER, IncidentTracker

__all__ = [
    "CRITICAL_AFTER",
    "DEGRADED_AFTER",
    "INCIDENT_MARKER",
    "AppriseNotifier",
    "IncidentTracker",
    "Notifier",
    "Severity",
    "Transition",
    "failing_streak",
    "severity_of",
    "targets_for",
    "transition",
]
