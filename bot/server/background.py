"""Run an ASGI app under uvicorn in a background thread: for `issuebot demo`, tests and bench.

Real HTTP on a real socket (port 0 picks a free one), so what is exercised is exactly what
GitHub would talk to; `serve` below is also what `issuebot serve` runs in the foreground.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from bot.errors import IssuebotError, UsageError
from bot.server.limits import ServerLimits


def make_server(
    app: Any, host: str = "127.0.0.1", port: int = 0, limits: ServerLimits | None = None
) -> uvicorn.Server:
    """A uvicorn server for ``app`` with our connection limits, logging left to structlog."""
    options = (limits or ServerLimits()).uvicorn_options()
    config = uvicorn.Config(
        app, host=host, port=port, log_config=None, access_log=False, lifespan="on", **options
    )
    return uvicorn.Server(config)


@contextmanager
def serve_in_thread(
    app: Any, host: str = "127.0.0.1", port: int = 0, limits: ServerLimits | None = None
) -> Iterator[str]:
    """Yield the base URL (`http://127.0.0.1:PORT`) while the app serves; stop on exit."""
    server = make_server(app, host, port, limits)
    thread = threading.Thread(target=server.run, name="issuebot-http", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise IssuebotError(f"the HTTP server did not start on {host}:{port}")
        time.sleep(0.01)
    bound = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{bound}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def listen(host: str, port: int) -> socket.socket:
    """A listening socket, bound before anything claims to listen; a usage error if it can't."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family = infos[0][0]
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    return sock
