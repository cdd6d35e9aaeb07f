"""Slack events are handled once: Slack retries a slow event with the same `event_id`."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col

from storage.db import insert_new
from storage.models import ProcessedEvent

# Slack retries an event three times within about five minutes; a day is ample.
RETENTION = timedelta(days=1)


def first_delivery(*, session: Session, event_id: str, team_id: str | None) -> bool:
    """Record the event id; False when it was already recorded (a retry, or another instance)."""
    return insert_new(
        session, ProcessedEvent, {"event_id": event_id, "team_id": team_id}, unique=["event_id"]
    )


def forget_events_before(*, session: Session, cutoff: datetime) -> int:
    """Drop the ids of events received before `cutoff`; returns how many."""
    statement = delete(ProcessedEvent).where(col(ProcessedEvent.received_at) < cutoff)
    return int(session.exec(statement).rowcount)
