"""GitHub events in, intents out: the pure core shared by the webhook server and the Action."""

from bot.events.event import Event
from bot.events.router import Intent, route

__all__ = ["Event", "Intent", "route"]
