"""A real webhook server on a free port, backed by the real run store on SQLite."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
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

    jobs: list[tuple[Any, ...]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    broken: bool = False

    def enqueue(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> object:
        if self.broken:
            raise ConnectionError("queue backend down")
        with self.lock:
            self.jobs.append(args)
        return len(self.jobs)

    def delivery_ids(self) -> list[str]:
        with self.lock:
            return [job[1] for job in self.jobs]


@dataclass
class Server:
    url: str
    queue: RecordingQueue
    store: RunStore


def no_job(name: str, delivery_id: str, payload: dict[str, Any]) -> object:
    raise AssertionError("the recording queue never runs jobs")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[RunStore]:
    opened = RunStore.open(f"sqlite:///{tmp_path / 'runs.db'}")
    yield opened
    opened.close()


@pytest.fixture
def server(store: RunStore) -> Iterator[Server]:
    queue = RecordingQueue()
    settings = Settings(ISSUEBOT_WEBHOOK_SECRET=SECRET)
    app = create_app(
        settings,
        store=store,
        queue=queue,
        job=no_job,
        readiness=[("store", store.ping)],
        queue_depth=lambda: len(queue.jobs),
    )
    with serve_in_thread(app) as url:
        yield Server(url, queue, store)
