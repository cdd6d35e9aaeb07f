"""The key of what a scheduled run posts: the same for every instance and every late firing."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.models import Schedule


def run_key(schedule: Schedule, fired_at: datetime) -> str:
    """`checkin:7:2027-03-19T15:00Z`: the schedule and the run's scheduled instant."""
    return f"{schedule.kind}:{schedule.id}:{fired_at.astimezone(UTC):%Y-%m-%dT%H:%MZ}"
