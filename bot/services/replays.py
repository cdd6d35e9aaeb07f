"""A signed request is processed once: a replay of the same signature is recognised.

Slack signs `v0:{timestamp}:{body}`, so an identical request carries an
identical signature, and it stays acceptable only while its timestamp is
fresh. The record lives in the database rather than in a process, so that a
replay sent to another instance is recognised too.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col

from storage.db import insert_new
from storage.models import SeenRequest


def first_sighting(*, session: Session, signature: str, stale_at: datetime, now: datetime) -> bool:
    """Record `signature` until `stale_at`; False when it was already recorded (a replay).

    Expired rows go first, found by the index on `expires_at`: few at a time,
    so each insert pays little. The insert does nothing on a conflict rather
    than failing, so a replay racing its original (on another instance)
    neither raises nor aborts the transaction; only a new row is returned.
    """
    session.exec(delete(SeenRequest).where(col(SeenRequest.expires_at) <= now))
    seen = SeenRequest(signature=signature, expires_at=stale_at)
    return insert_new(session, seen, unique=["signature"])
