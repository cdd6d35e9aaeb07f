"""Rate limits of the public pages over rolling windows, held in the database (SPEC §7).

A hit is kept only while a window still counts it, and an address only as a
keyed hash: enough to count, nothing to identify anyone by. On PostgreSQL a
bucket's hits are counted under a transaction-scoped advisory lock, so that
several instances admitting at once cannot each let the eleventh through; on
SQLite every transaction takes its turn already.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, text
from sqlmodel import Session, col, select

from storage.models import PageHit


@dataclass(frozen=True)
class Window:
    """At most `limit` hits in any `span`."""

    limit: int
    span: timedelta


PER_ADDRESS = Window(limit=10, span=timedelta(minutes=1))
PER_LINK = Window(limit=300, span=timedelta(hours=1))
_HASH_LENGTH = 40


def address_bucket(address: str, *, key: bytes) -> str:
    """The bucket of one address: a keyed hash, so the address itself is never stored."""
    digest = hmac.new(key, address.encode(), hashlib.sha256).hexdigest()
    return f"address:{digest[:_HASH_LENGTH]}"


def link_bucket(link_id: int) -> str:
    return f"link:{link_id}"


def admit(*, session: Session, buckets: dict[str, Window], now: datetime) -> bool:
    """Count one hit in every bucket; False when any of them is now over its limit."""
    session.exec(delete(PageHit).where(col(PageHit.expires_at) <= now))
    admitted = True
    for bucket, window in sorted(buckets.items()):
        _lock(session, bucket)
        session.add(PageHit(bucket=bucket, at=now, expires_at=now + window.span))
        session.flush()
        hits = session.exec(
            select(func.count())
            .select_from(PageHit)
            .where(PageHit.bucket == bucket, col(PageHit.at) > now - window.span)
        ).one()
        admitted = admitted and hits <= window.limit
    return admitted


def _lock(session: Session, bucket: str) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    key = int.from_bytes(hashlib.sha256(bucket.encode()).digest()[:8], "big", signed=True)
    session.connection().execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
