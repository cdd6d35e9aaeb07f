"""A schedule's job fired: do the run that is due, once, with its kind's runner."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlmodel import Session

from bot.runs import checkins, momentum, principles
from bot.runs.scheduled import ScheduleRun
from bot.runtime import Runtime
from bot.services import schedules
from storage.models import ScheduleKind

log = logging.getLogger(__name__)

# What a run of each kind does.
RUNNERS: dict[ScheduleKind, Callable[[ScheduleRun], None]] = {
    ScheduleKind.CHECKIN: checkins.post_checkin,
    ScheduleKind.DIGEST: momentum.post_digest,
    ScheduleKind.PRINCIPLE_REMINDER: principles.post_principle_reminder,
}


def run_due(runtime: Runtime, schedule_id: int) -> ScheduleRun | None:
    """Do the schedule's latest run unless it is done; returns the run done, if any."""
    with runtime.transaction() as session:
        run = due_run(session, runtime, schedule_id)
        if run is None:
            return None
        runner = RUNNERS.get(run.schedule.kind)
        if runner is None:
            log.warning(
                "no runner for %s schedules: schedule %d did nothing",
                run.schedule.kind,
                schedule_id,
            )
            return None
        runner(run)
        run.schedule.last_run_at = run.fired_at
        session.add(run.schedule)
    return run


def due_run(session: Session, runtime: Runtime, schedule_id: int) -> ScheduleRun | None:
    """The run a firing job should do, or None when there is none: gone, paused,
    cancelled, or this run already done (by another instance, or before a restart)."""
    found = schedules.schedule_with_project(session=session, schedule_id=schedule_id)
    if found is None:
        log.warning("schedule %d no longer exists: its job does nothing", schedule_id)
        return None
    schedule, project = found
    if schedule.paused or schedule.cancelled:
        log.info("schedule %d is paused or cancelled: no run", schedule_id)
        return None
    fired_at = schedules.latest_run_of(schedule, project, at_or_before=runtime.clock())
    done = schedule.last_run_at
    if fired_at is None or (done is not None and done >= fired_at):
        log.info("schedule %d has done its latest run already", schedule_id)
        return None
    return ScheduleRun(session, runtime, project, schedule, fired_at)
