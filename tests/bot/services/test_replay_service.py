"""The replay record: a signature is first seen once, across sessions, until it expires."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from bot.services.replays import Sighting, first_sighting, forget_stale
from storage.db import unit_of_work
from storage.models import SeenRequest

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SIGNATURE = "a" * 64


def _sighting(engine, signature=SIGNATURE, *, stale_at=NOW + timedelta(minutes=5)):
    with unit_of_work(engine) as session:
        return first_sighting(session=session, sighting=Sighting(signature, stale_at))


def test_a_signature_is_first_seen_once(migrated_engine):
    assert _sighting(migrated_engine) is True
    assert _sighting(migrated_engine) is False
    assert _sighting(migrated_engine, "b" * 64) is True


def test_a_signature_is_kept_five_minutes_past_its_timestamp():
    assert Sighting.of("a" * 64, int(NOW.timestamp())).stale_at == NOW + timedelta(minutes=5)


def test_housekeeping_forgets_the_signatures_that_expired(migrated_engine):
    _sighting(migrated_engine, stale_at=NOW + timedelta(minutes=5))
    _sighting(migrated_engine, "b" * 64, stale_at=NOW + timedelta(minutes=10))

    with unit_of_work(migrated_engine) as session:
        assert forget_stale(session=session, now=NOW + timedelta(minutes=5)) == 1

    with Session(migrated_engine) as session:
        assert session.exec(select(SeenRequest.signature)).all() == ["b" * 64]


def test_of_two_concurrent_sightings_exactly_one_is_first(migrated_engine):
    start = threading.Barrier(2)

    def sight(signature: str) -> bool:
        start.wait(timeout=10)
        return _sighting(migrated_engine, signature)

    with ThreadPoolExecutor(max_workers=2) as pool:
        for number in range(10):
            signature = f"{number:064x}"
            both = [pool.submit(sight, signature), pool.submit(sight, signature)]
            assert sorted(future.result() for future in both) == [False, True]
