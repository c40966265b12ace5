"""A real webhook server on a free port, backed by the real run store on SQLite."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.server.app import create_app
from bot.server.background import serve_in_thread
from bot.settings import Settings
from bot.store import RunStore

SECRET = "webhook-test-secret"


@dataclass
class RecordingQueue:
    """A queue that keeps every job handed to it, as a worker would receive them."""

    jobs: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    broken: bool = False

    def enqueue(
        self,
        func_path: str,
        payload: dict[str, Any],
        *,
        job_id: str | None = None,
        timeout_seconds: int = 900,
        retries: int = 0,
    ) -> str:
        if self.broken:
            raise ConnectionError("queue backend down")
        with self.lock:
            self.jobs.append((func_path, payload))
            return str(len(self.jobs))

    def depth(self) -> int:
        with self.lock:
            return len(self.jobs)

    def ping(self) -> None:
        if self.broken:
            raise ConnectionError("queue backend down")

    def delivery_ids(self) -> list[str]:
        with self.lock:
            return [payload["delivery_id"] for _, payload in self.jobs]


@dataclass
class Server:
    url: str
    queue: RecordingQueue
    store: RunStore


@pytest.fixture
def store(tmp_path: Path) -> Iterator[RunStore]:
    opened = RunStore.open(f"sqlite:///{tmp_path / 'runs.db'}")
    yield opened
    opened.close()


@pytest.fixture
def server(store: RunStore) -> Iterator[Server]:
    queue = RecordingQueue()
    settings = Settings(ISSUEBOT_WEBHOOK_SECRET=SECRET)
    app = create_app(settings, store=store, queue=queue, serialize_writes=True)
    with serve_in_thread(app) as url:
        yield Server(url, queue, store)
