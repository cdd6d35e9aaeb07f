"""A lease in the database that one instance at a time holds.

APScheduler's maintainer warns that two schedulers must never process one
job store. Every instance keeps its scheduler paused and only the holder of
the `scheduler` lease resumes it; a holder that dies stops renewing and
another instance takes over when the lease runs out. (Outbox keys still
guard each run, so a handover can never post a run twice.)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from storage.db import unit_of_work
from storage.models import Lease
from storage.types import utcnow


class DatabaseLease:
    def __init__(
        self,
        *,
        engine: Engine,
        name: str,
        holder: str,
        ttl: timedelta,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._engine = engine
        self._name = name
        self._holder = holder
        self._ttl = ttl
        self._clock = clock

    def acquire_or_renew(self) -> bool:
        """Take the lease if it is free or expired, or extend it if we hold it."""
        now = self._clock()
        take = (
            update(Lease)
            .where(
                col(Lease.name) == self._name,
                or_(col(Lease.holder) == self._holder, col(Lease.expires_at) < now),
            )
            .values(holder=self._holder, expires_at=now + self._ttl)
        )
        try:
            with unit_of_work(self._engine) as session:
                if session.exec(take).rowcount == 1:
                    return True
                if session.get(Lease, self._name) is not None:
                    return False
                session.add(Lease(name=self._name, holder=self._holder, expires_at=now + self._ttl))
        except IntegrityError:
            return False
        return True

    def release(self) -> None:
        """Let another instance take over at once instead of waiting for expiry."""
        give_up = (
            update(Lease)
            .where(col(Lease.name) == self._name, col(Lease.holder) == self._holder)
            .values(expires_at=self._clock() - timedelta(seconds=1))
        )
        with unit_of_work(self._engine) as session:
            session.exec(give_up)
