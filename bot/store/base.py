"""The transaction discipline shared by every part of the store: short, all-or-nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from bot.store.records import StoreUnavailableError

T = TypeVar("T")


def now_utc() -> datetime:
    """The store's clock: aware UTC."""
    return datetime.now(UTC)


def reason(exc: DBAPIError) -> str:
    """The driver's first line, without SQL or parameters (they may hold untrusted text)."""
    lines = str(exc.orig).strip().splitlines() if exc.orig is not None else []
    return lines[0] if lines else type(exc).__name__


class StoreBase:
    """Owns the engine; every public store call runs in one ``transaction()``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One short transaction; connection failures become ``StoreUnavailableError``."""
        try:
            with Session(self.engine, expire_on_commit=False) as session, session.begin():
                yield session
        except IntegrityError:
            raise
        except DBAPIError as exc:
            raise StoreUnavailableError(f"run store unavailable: {reason(exc)}") from exc

    def _read(self, query: Callable[[Session], T]) -> T:
        """Reads are safe to repeat, so one dropped connection is retried transparently."""
        try:
            with self.transaction() as session:
                return query(session)
        except StoreUnavailableError:
            with self.transaction() as session:
                return query(session)

    def ping(self) -> None:
        """Raise ``StoreUnavailableError`` unless the database answers (for /readyz)."""
        self._read(lambda s: s.execute(text("SELECT 1")).scalar_one())
