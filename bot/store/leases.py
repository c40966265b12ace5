"""SQL leases for the embedded default: an atomic insert-or-take-over-expired row per key.

The row of a key is never deleted, so its ``token`` (the fencing token) only ever grows;
a released lease simply has no owner. Expiry uses this process's clock (UTC): hosts sharing
one PostgreSQL store must keep their clocks in sync (NTP) within a small part of a TTL.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from bot.store.base import StoreBase
from bot.store.base import now_utc as _now
from bot.store.models import LockRow


class LeaseTable(StoreBase):
    """Lease operations used by ``bot.locks.SqlLockManager``."""

    def try_lease(self, key: str, owner: str, ttl_seconds: float) -> int | None:
        """Take ``key`` for ``owner`` if free or expired; the new fencing token, else None."""
        now = _now()
        expires = now + timedelta(seconds=ttl_seconds)
        try:
            with self.transaction() as session:
                session.add(LockRow(key=key, owner=owner, token=1, expires_at=expires))
            return 1
        except IntegrityError:
            pass  # the key exists: take it over only if nobody holds it now
        with self.transaction() as session:
            taken = session.execute(
                update(LockRow)
                .where(LockRow.key == key, or_(LockRow.owner.is_(None), LockRow.expires_at <= now))
                .values(owner=owner, token=LockRow.token + 1, expires_at=expires)
            )
            if taken.rowcount != 1:  # type: ignore[attr-defined]
                return None
            return session.scalar(select(LockRow.token).where(LockRow.key == key))

    def extend_lease(self, key: str, owner: str, token: int, ttl_seconds: float) -> bool:
        """Push the expiry of a lease we still hold; False if it expired and was taken."""
        now = _now()
        with self.transaction() as session:
            result = session.execute(
                update(LockRow)
                .where(
                    LockRow.key == key,
                    LockRow.owner == owner,
                    LockRow.token == token,
                    LockRow.expires_at > now,
                )
                .values(expires_at=now + timedelta(seconds=ttl_seconds))
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    def release_lease(self, key: str, owner: str, token: int) -> bool:
        """Free a lease we hold; False if it was no longer ours."""
        with self.transaction() as session:
            result = session.execute(
                update(LockRow)
                .where(LockRow.key == key, LockRow.owner == owner, LockRow.token == token)
                .values(owner=None, expires_at=_now())
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    def lease_token(self, key: str) -> int:
        """The latest fencing token of ``key``, held or not (0 if it was never taken)."""
        query = select(LockRow.token).where(LockRow.key == key)
        token = self._read(lambda s: s.scalar(query))
        return 0 if token is None else int(token)

    def held_leases(self, prefix: str = "") -> list[tuple[str, str, int]]:
        """(key, owner, token) of every unexpired lease under ``prefix``: what is locked now."""
        now = _now()
        query = select(LockRow.key, LockRow.owner, LockRow.token).where(
            LockRow.owner.is_not(None),
            LockRow.expires_at > now,
            LockRow.key.startswith(prefix, autoescape=True),
        )
        rows = self._read(lambda s: s.execute(query).all())
        return [(k, str(o), int(t)) for k, o, t in rows]
