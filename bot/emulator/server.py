"""Run the emulator's ASGI app with uvicorn, in the foreground (CLI) or a thread (tests)."""

from __future__ import annotations

import asyncio
import signal
import socket
import threading
import time
from collections.abc import Generator
from contextlib import contextmanager
from types import FrameType

import uvicorn

from bot.emulator.app import create_app
from bot.emulator.core import Emulator


def bind(host: str, port: int) -> socket.socket:
    """A listening socket; port 0 picks a free port without a race."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


class _Server(uvicorn.Server):
    """uvicorn with a 20 ms tick (not 100 ms), so test emulators stop quickly."""

    async def main_loop(self) -> None:
        """Check for shutdown every 20 ms; the date header still refreshes per tick."""
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 1) % 864000
            await asyncio.sleep(0.02)
            should_exit = await self.on_tick(counter)


class ForegroundServer(_Server):
    """The CLI's server: SIGINT/SIGTERM stop it and are remembered, never re-raised.

    uvicorn re-raises the signal after its shutdown; for SIGTERM the default action then
    kills the process before ``finally`` blocks run, leaving the emulator's temp directory
    behind. Here the caller decides the exit code after its own cleanup.
    """

    stopped_by: int | None = None

    @contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        """Route SIGINT and SIGTERM to a graceful stop for as long as the server runs."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        wanted = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self._stop) for sig in wanted}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _stop(self, sig: int, frame: FrameType | None) -> None:
        if self.should_exit:
            self.force_exit = True  # a second signal: stop waiting for open requests
        self.stopped_by = self.stopped_by or sig
        self.should_exit = True


def make_server(
    emulator: Emulator, log_level: str = "warning", *, foreground: bool = False
) -> uvicorn.Server:
    """A uvicorn server for ``emulator`` (not started); ``foreground`` for the CLI process."""
    config = uvicorn.Config(
        create_app(emulator),
        log_level=log_level,
        access_log=log_level in {"info", "debug"},
        lifespan="off",
        timeout_keep_alive=30,
        timeout_graceful_shutdown=1,  # a request still running after 1 s is cut off
    )
    return ForegroundServer(config) if foreground else _Server(config)


class BackgroundServer:
    """uvicorn on 127.0.0.1 in a daemon thread, stopped by ``stop()``."""

    def __init__(self, emulator: Emulator, host: str = "127.0.0.1", port: int = 0) -> None:
        self.sock = bind(host, port)
        self.host, self.port = self.sock.getsockname()[:2]
        self.server = make_server(emulator)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def start(self, timeout: float = 10.0) -> None:
        """Start serving and wait until uvicorn accepts connections."""
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("emulator server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        """Ask uvicorn to exit and wait for the thread."""
        self.server.should_exit = True
        self.server.force_exit = True  # do not wait for idle keep-alive clients
        self.thread.join(timeout=10)
        self.sock.close()
