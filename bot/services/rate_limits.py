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
import ipaddress
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
    """The bucket of one sender: a keyed hash, so the address itself is never stored.

    An IPv6 host is given a whole /64 to pick addresses from, so its /64 is the
    sender; an IPv4 address written the IPv6 way is the IPv4 address it maps.
    """
    digest = hmac.new(key, _sender(address).encode(), hashlib.sha256).hexdigest()
    return f"address:{digest[:_HASH_LENGTH]}"


def _sender(address: str) -> str:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def link_bucket(link_id: int) -> str:
    return f"link:{link_id}"


def admit(*, session: Session, buckets: dict[str, Window], now: datetime) -> bool:
    """Count one hit in every bucket; False when any of them is now over its limit."""
    forget_expired(session=session, now=now)
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


def forget_expired(*, session: Session, now: datetime) -> int:
    """Drop the hits no window counts any more, so that a quiet link's last sender's hash
    is gone within minutes, not kept until the next post; how many went."""
    expired = delete(PageHit).where(col(PageHit.expires_at) <= now)
    return int(session.exec(expired).rowcount)


def _lock(session: Session, bucket: str) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    key = int.from_bytes(hashlib.sha256(bucket.encode()).digest()[:8], "big", signed=True)
    session.connection().execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
