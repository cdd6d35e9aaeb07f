"""Each schedule row's job follows the row, by itself.

A `Schedule` row is the record of truth; its APScheduler job only says when
the next run fires. Whatever saves a schedule (a command, a button, a run,
the lost-channel handler) simply changes the row: the session notes every
schedule it flushes, and every project whose time zone or calendar changed
(their schedules' runs move), and once the transaction commits
`bring_in_step` adds, replaces or removes the jobs to match. Nothing happens
for a change that rolled back, and no caller has to remember anything.

`sync_all` does the same for every row at start-up, so a crash between a
commit and its job heals at the next start.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.scheduling.calendar import ScheduleTrigger
from bot.scheduling.scheduler import JobSpec, Scheduler
from bot.services import schedules
from storage.models import Project, Schedule, saved_id

log = logging.getLogger(__name__)

SCHEDULE_JOB_PREFIX = "schedule:"
RUN_SCHEDULE = "bot.scheduling.jobs:run_schedule"
_CHANGED = "changebot.changed_schedules"
# The fields that decide when a schedule runs, or whether it runs at all; a run's own
# bookkeeping (`last_run_at`, a reminder's `rotation`) moves no job.
_SCHEDULE_WHEN = ("spec", "paused", "cancelled", "created_at")
# Project fields that move every run of its schedules.
_PROJECT_WHEN = ("timezone", "calendar")


@dataclass
class Changes:
    """What one transaction changed that jobs depend on."""

    schedule_ids: set[int] = field(default_factory=set)
    project_ids: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.schedule_ids or self.project_ids)


@event.listens_for(Session, "after_flush")
def _note_changes(session: Session, _context: Any) -> None:
    changes: Changes = session.info.setdefault(_CHANGED, Changes())
    for row in session.new:
        if isinstance(row, Schedule) and row.id is not None:
            changes.schedule_ids.add(row.id)
    for row in session.dirty:
        if isinstance(row, Schedule) and row.id is not None and _moved(row, _SCHEDULE_WHEN):
            changes.schedule_ids.add(row.id)
        elif isinstance(row, Project) and row.id is not None and _moved(row, _PROJECT_WHEN):
            changes.project_ids.add(row.id)


def _moved(row: Schedule | Project, fields: tuple[str, ...]) -> bool:
    state = inspect(row)
    return any(state.attrs[name].history.has_changes() for name in fields)


def changes_of(session: Session) -> Changes:
    """What the session's transaction changed; taken once, after it commits."""
    changes: Changes = session.info.pop(_CHANGED, Changes())
    return changes


def job_id(schedule: Schedule) -> str:
    return f"{SCHEDULE_JOB_PREFIX}{schedule.id}"


def trigger_of(schedule: Schedule, project: Project) -> ScheduleTrigger:
    return ScheduleTrigger(
        schedule.spec,
        timezone=project.timezone,
        calendar=project.calendar,
        anchor=schedules.anchor_of(schedule, project),
    )


def bring_in_step(*, engine: Engine, scheduler: Scheduler, changes: Changes, now: datetime) -> None:
    """Make the changed schedules' jobs match their committed rows."""
    if not changes:
        return
    with Session(engine) as session:
        by_project = select(Schedule).where(col(Schedule.project_id).in_(changes.project_ids))
        rows = {
            saved_id(schedule): schedule
            for query in (
                select(Schedule).where(col(Schedule.id).in_(changes.schedule_ids)),
                by_project,
            )
            for schedule in session.exec(query)
        }
        projects = schedules.schedule_projects(session=session, schedules=list(rows.values()))
    for schedule in rows.values():
        sync_schedule(scheduler, schedule, projects[schedule.project_id], now=now)


def sync_schedule(
    scheduler: Scheduler, schedule: Schedule, project: Project, *, now: datetime
) -> None:
    """Add or replace the schedule's job, or remove it when paused, cancelled or all run."""
    if schedules.next_run_of(schedule, project, after=now) is None:
        scheduler.remove(job_id(schedule))
        return
    scheduler.add(
        job_id(schedule), RUN_SCHEDULE, trigger_of(schedule, project), args=(schedule.id,)
    )


def sync_all(*, engine: Engine, scheduler: Scheduler, now: datetime) -> None:
    """Make the job store match every schedule row.

    A job that already matches its row is kept, with the run it is waiting
    for (perhaps one missed while changebot was down). Jobs are listed before
    the rows are read: a job is added only after its row commits, so every
    job listed has its row seen and none is mistaken for an orphan.
    """
    stored = {job.id: job for job in scheduler.jobs() if job.id.startswith(SCHEDULE_JOB_PREFIX)}
    with Session(engine) as session:
        running = [s for s in schedules.active_schedules(session=session) if not s.paused]
        projects = schedules.schedule_projects(session=session, schedules=running)
    stale = _stale(running, projects, stored)
    firsts = [
        (schedule, trigger, trigger.get_next_fire_time(None, now)) for schedule, trigger in stale
    ]
    scheduler.add_all(
        [
            JobSpec(job_id(schedule), RUN_SCHEDULE, trigger, first, (schedule.id,))
            for schedule, trigger, first in firsts
            if first is not None
        ]
    )
    finished = [job_id(schedule) for schedule, _trigger, first in firsts if first is None]
    for gone in [*finished, *stored]:
        scheduler.remove(gone)
    log.info(
        "schedule jobs synced: %d running, %d brought in step, %d orphans removed",
        len(running),
        len(stale),
        len(stored),
    )


def _stale(
    running: Iterable[Schedule], projects: dict[int, Project], stored: dict[str, Any]
) -> list[tuple[Schedule, ScheduleTrigger]]:
    """The schedules whose job is missing or out of date, each with its trigger (built once:
    parsing and the calendar are most of a first sync); matched jobs are taken off `stored`."""
    stale = []
    for schedule in running:
        job = stored.pop(job_id(schedule), None)
        trigger = trigger_of(schedule, projects[schedule.project_id])
        if job is None or job.trigger != trigger:
            stale.append((schedule, trigger))
    return stale
