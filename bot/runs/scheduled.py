"""One run of a schedule, as its kind's runner gets it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.runtime import Runtime
from storage.models import Project, Schedule


@dataclass(frozen=True)
class ScheduleRun:
    """One run of a schedule, inside the job's transaction.

    `fired_at` is the run's scheduled instant (UTC) however late the job
    fired, so what it posts is keyed by it and written once per run.
    """

    session: Session
    runtime: Runtime
    project: Project
    schedule: Schedule
    fired_at: datetime
