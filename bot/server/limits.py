"""Limits that keep slow or greedy clients from holding the webhook server's sockets.

Anyone on the network can open a connection to `/webhook` before a signature is checked, so
every stage of an unauthenticated request is bounded: headers must arrive within a deadline
(uvicorn has none of its own, hence the protocol subclass below), a header block still
unfinished past ``max_header_bytes`` of buffer is a 400 (h11's limit), bodies are bounded by
size and time in the app, idle keep-alive connections close, and ``max_connections`` caps
sockets plus in-flight requests (uvicorn answers 503 beyond it).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from bot.settings import Settings


@dataclass(frozen=True)
class ServerLimits:
    """Deadlines (seconds) and sizes for one server; defaults suit GitHub's 10 s webhooks."""

    header_timeout: float = 10.0
    body_timeout: float = 10.0
    keep_alive_timeout: int = 5
    max_connections: int = 256
    max_pending_reads: int = 32
    max_header_bytes: int = 16 * 1024

    @classmethod
    def from_settings(cls, settings: Settings) -> ServerLimits:
        """The operator's limits (`ISSUEBOT_HEADER_TIMEOUT` and friends)."""
        return cls(
            header_timeout=settings.header_timeout,
            body_timeout=settings.body_timeout,
            keep_alive_timeout=settings.keep_alive_timeout,
            max_connections=settings.max_connections,
            max_pending_reads=settings.max_pending_reads,
        )

    def uvicorn_options(self) -> dict[str, Any]:
        """Keyword arguments for `uvicorn.Config` that enforce these limits."""
        return {
            "http": header_deadline_protocol(self.header_timeout),
            "timeout_keep_alive": self.keep_alive_timeout,
            "h11_max_incomplete_event_size": self.max_header_bytes,
            "limit_concurrency": self.max_connections,
        }


def header_deadline_protocol(seconds: float) -> type[H11Protocol]:
    """uvicorn's h11 protocol, closing a connection whose request headers take too long.

    The clock starts when the connection opens and again after each response (the next
    request on a kept-alive connection); it stops once a request's headers are complete.
    uvicorn's keep-alive timer alone restarts on every byte, so a client trickling one byte
    a second would hold the socket forever (slowloris).
    """

    class HeaderDeadlineProtocol(H11Protocol):
        """H11Protocol plus a deadline on each request's header block."""

        _header_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(transport)  # type: ignore[arg-type]
            self._arm()

        def handle_events(self) -> None:
            cycle = self.cycle
            super().handle_events()
            if self.cycle is not cycle:  # a new request's headers are in: the app's clocks rule
                self._disarm()

        def on_response_complete(self) -> None:
            if not self.transport.is_closing():
                self._arm()  # before super(): it may start a pipelined request at once
            super().on_response_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._disarm()
            self._header_timer = self.loop.call_later(seconds, self._headers_too_slow)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _headers_too_slow(self) -> None:
            self._header_timer = None
            if not self.transport.is_closing():
                self.transport.close()

    return HeaderDeadlineProtocol
