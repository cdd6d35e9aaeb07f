"""UTCDateTime gives back the instant it was given, as aware UTC, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import StatementError
from sqlmodel import Session

from storage.db import unit_of_work
from storage.models import Lease

_INDIA = timezone(timedelta(hours=5, minutes=30))


def _stored_lease(engine: Engine, expires_at: datetime) -> Lease:
    with unit_of_work(engine) as session:
        session.add(Lease(name="scheduler", holder="instance-1", expires_at=expires_at))
    with Session(engine) as session:
        lease = session.get(Lease, "scheduler")
    assert lease is not None
    return lease


def test_an_aware_datetime_comes_back_as_the_same_instant_in_utc(
    migrated_engine: Engine,
) -> None:
    given = datetime(2026, 7, 1, 12, 30, 15, 123456, tzinfo=_INDIA)

    lease = _stored_lease(migrated_engine, given)

    assert lease.expires_at == given
    assert lease.expires_at.tzinfo is UTC
    assert lease.expires_at == datetime(2026, 7, 1, 7, 0, 15, 123456, tzinfo=UTC)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sqlite_stores_the_utc_wall_clock(migrated_engine: Engine) -> None:
    # SQLite has no time zones: the stored text must already be UTC, so that
    # comparisons in SQL order instants correctly.
    _stored_lease(migrated_engine, datetime(2026, 7, 1, 12, 30, tzinfo=_INDIA))

    with migrated_engine.connect() as connection:
        stored = connection.execute(text("SELECT expires_at FROM lease")).scalar_one()

    assert stored.startswith("2026-07-01 07:00:00")


def test_a_naive_datetime_is_refused(migrated_engine: Engine) -> None:
    naive = datetime(2026, 7, 1, 12, 30)  # noqa: DTZ001 - the point of the test

    with pytest.raises(StatementError, match="naive datetime"):
        _stored_lease(migrated_engine, naive)


def test_enumerated_columns_give_back_their_enum_for_values_stored_as_text(migrated_engine):
    """Rows written as plain strings (as every row was before the columns were typed) read
    back as the enum: no data needed migrating."""
    from sqlalchemy import text
    from sqlmodel import Session, select

    from storage.models import Project, SignoffMode

    with migrated_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO project (team_id, channel_id, name, need, timezone, calendar,"
                " signoff_mode, anonymous_concerns, post_feedback_in_channel, rule_length,"
                " created_at) VALUES ('T1', 'C1', 'ward', '', 'Europe/London', 'GB-ENG',"
                " 'joint', false, false, 6, CURRENT_TIMESTAMP)"
            )
        )
    with Session(migrated_engine) as session:
        (project,) = session.exec(select(Project)).all()
    assert project.signoff_mode is SignoffMode.JOINT
