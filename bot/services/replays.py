"""A signed request is processed once: a replay of the same signature is recognised.

Slack signs `v0:{timestamp}:{body}`, so an identical request carries an
identical signature, and it stays acceptable only while its timestamp is
fresh. The record lives in the database rather than in a process, so that a
replay sent to another instance is recognised too. It is written in the
transaction of the work the request asks for (bot/listeners/surfaces.py):
one transaction per request, and a replay racing its original waits on the
signature's unique key until the original commits or rolls back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete
from sqlmodel import Session, col

from storage.db import insert_new
from storage.models import SeenRequest

# Slack's window: a timestamp further than this from our clock is refused (bot/edge.py).
FRESH_SECONDS = 300


@dataclass(frozen=True)
class Sighting:
    """A verified request's signature, and when its timestamp stops being fresh."""

    signature: str
    stale_at: datetime

    @classmethod
    def of(cls, signature: str, timestamp: int) -> Sighting:
        return cls(signature, datetime.fromtimestamp(timestamp + FRESH_SECONDS, UTC))


def first_sighting(*, session: Session, sighting: Sighting) -> bool:
    """Record the signature until it goes stale; False when it was already recorded (a replay).

    The insert does nothing on a conflict rather than failing, so a replay
    racing its original (on another instance) neither raises nor aborts the
    transaction; only a new row is returned. Expired rows are left to
    `forget_stale`: deleting them here would hold their row locks for the
    whole of the request's work, and every request would wait on the others.
    """
    seen = {"signature": sighting.signature, "expires_at": sighting.stale_at}
    return insert_new(session, SeenRequest, seen, unique=["signature"])


def forget_stale(*, session: Session, now: datetime) -> int:
    """Drop the signatures whose timestamps are no longer fresh (found by the index on
    `expires_at`): the edge refuses their requests by the clock alone; returns how many."""
    statement = delete(SeenRequest).where(col(SeenRequest.expires_at) <= now)
    return int(session.exec(statement).rowcount)
