"""Scheduled jobs: the functions APScheduler calls, by importable reference.

APScheduler keeps jobs in the database as a reference (`bot.jobs:…`) and
picklable arguments, so a job cannot carry the runtime with it. The process
binds its runtime here when it starts (`bind`), and each job looks it up.
Jobs have the shape of listeners: call services, render with the views, hand
messages to delivery. APScheduler only decides when.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlmodel import Session

from bot.runs import channels as channel_runs
from bot.runs import checkins as checkin_runs
from bot.runs import concerns as concern_runs
from bot.runs import momentum as momentum_runs
from bot.runs import principles as principle_runs
from bot.runtime import Runtime
from bot.schedules import ScheduleTrigger
from bot.services import events, schedules
from storage.models import Project, Schedule, ScheduleKind

log = logging.getLogger(__name__)

_bound: Runtime | None = None

HOUSEKEEPING_JOB = "housekeeping:events"
CHECKIN_FOLLOW_UP_JOB = "checkins:follow-up"
CONCERN_ESCALATION_JOB = "concerns:escalation"
OVERDUE_NUDGE_JOB = "stages:overdue-nudge"
SCHEDULE_JOB_PREFIX = "schedule:"


@dataclass(frozen=True)
class ScheduleRun:
    """One run of a schedule, handed to its kind's runner inside the job's transaction.

    `fired_at` is the run's scheduled instant (UTC) however late the job
    fired, so outbox rows keyed by it (`run_key`) are written once per run.
    """

    session: Session
    runtime: Runtime
    project: Project
    schedule: Schedule
    fired_at: datetime

    @property
    def key(self) -> str:
        """The outbox key of what this run posts (`run_key`)."""
        return run_key(self.schedule, self.fired_at)


# What a run of each kind does; feature modules register their runner here.
SCHEDULE_RUNNERS: dict[ScheduleKind, Callable[[ScheduleRun], None]] = {
    ScheduleKind.CHECKIN: checkin_runs.post_checkin,
    ScheduleKind.DIGEST: momentum_runs.post_digest,
    ScheduleKind.PRINCIPLE_REMINDER: principle_runs.post_principle_reminder,
}


def bind(runtime: Runtime) -> None:
    """Make `runtime` the one the jobs of this process use, schedule housekeeping,
    bring the schedules' jobs in line with their rows, and tell delivery what to
    do when Slack refuses a channel or a workspace's token."""
    global _bound
    _bound = runtime
    runtime.sender.on_unreachable = partial(channel_runs.channel_lost, runtime)
    runtime.sender.on_refused = partial(channel_runs.workspace_refused, runtime)
    runtime.scheduler.add(
        HOUSEKEEPING_JOB, "bot.jobs:forget_old_events", CronTrigger(hour=3, minute=17, timezone=UTC)
    )
    runtime.scheduler.add(
        CHECKIN_FOLLOW_UP_JOB, "bot.jobs:follow_up_checkins", IntervalTrigger(minutes=10)
    )
    runtime.scheduler.add(
        CONCERN_ESCALATION_JOB, "bot.jobs:escalate_concerns", IntervalTrigger(minutes=15)
    )
    runtime.scheduler.add(
        OVERDUE_NUDGE_JOB, "bot.jobs:nudge_overdue_stages", IntervalTrigger(minutes=15)
    )
    sync_all(runtime)


def current_runtime() -> Runtime:
    if _bound is None:
        raise RuntimeError("no runtime is bound: call bot.jobs.bind(runtime) at start-up")
    return _bound


def forget_old_events() -> None:
    """Slack stops retrying an event within minutes: ids older than a day are dropped."""
    runtime = current_runtime()
    with runtime.transaction() as session:
        forgotten = events.forget_events_before(
            session=session, cutoff=runtime.clock() - events.RETENTION
        )
    log.info("forgot %d handled event ids older than a day", forgotten)


def escalate_concerns() -> None:
    """Concerns open for three working days remind the leads once (`bot.runs.concerns`)."""
    concern_runs.escalate_waiting_concerns(current_runtime())


def nudge_overdue_stages() -> None:
    """Owners of stages past their due date get one direct message (`bot.runs.momentum`)."""
    momentum_runs.nudge_overdue_stages(current_runtime())


def follow_up_checkins() -> None:
    """Check-in runs a day old get their one follow-up reply (`bot.runs.checkins`)."""
    checkin_runs.follow_up_checkins(current_runtime(), post_key=run_key)


def job_id(schedule: Schedule) -> str:
    return f"{SCHEDULE_JOB_PREFIX}{schedule.id}"


def run_key(schedule: Schedule, fired_at: datetime) -> str:
    """The outbox key of what a run posts: the same for every instance and every late firing."""
    return f"{schedule.kind}:{schedule.id}:{fired_at.astimezone(UTC):%Y-%m-%dT%H:%MZ}"


def sync_schedule(runtime: Runtime, schedule: Schedule, project: Project) -> None:
    """Add or replace the schedule's job, or remove it when paused, cancelled or all run.

    Features call this after committing a change to the schedule, so a job
    never exists for a row that was rolled back.
    """
    if schedules.next_run_of(schedule, project, after=runtime.clock()) is None:
        runtime.scheduler.remove(job_id(schedule))
        return
    trigger = _trigger(schedule, project)
    runtime.scheduler.add(job_id(schedule), "bot.jobs:run_schedule", trigger, args=(schedule.id,))


def sync_all(runtime: Runtime) -> None:
    """Make the job store match the schedules: a crash between committing a row and
    adding its job heals at the next start.

    A job that already matches its row is kept, with the run it is waiting
    for (perhaps one missed while changebot was down). Jobs are listed before
    the rows are read: a job is added only after its row commits, so every
    job listed has its row seen and none is mistaken for an orphan.
    """
    stored = {
        job.id: job for job in runtime.scheduler.jobs() if job.id.startswith(SCHEDULE_JOB_PREFIX)
    }
    with runtime.transaction() as session:
        running = [s for s in schedules.active_schedules(session=session) if not s.paused]
        projects = schedules.schedule_projects(session=session, schedules=running)
    for schedule in running:
        project = projects[schedule.project_id]
        job = stored.pop(job_id(schedule), None)
        if job is None or job.trigger != _trigger(schedule, project):
            sync_schedule(runtime, schedule, project)
    for orphan in stored:
        runtime.scheduler.remove(orphan)
    log.info("schedule jobs synced: %d running, %d orphans removed", len(running), len(stored))


def run_schedule(schedule_id: int) -> None:
    """The one APScheduler entry point for schedules: do the run that is due, once."""
    runtime = current_runtime()
    with runtime.transaction() as session:
        run = _due_run(session, runtime, schedule_id)
        if run is None:
            return
        runner = SCHEDULE_RUNNERS.get(ScheduleKind(run.schedule.kind))
        if runner is None:
            log.warning(
                "no runner for %s schedules: schedule %d did nothing",
                run.schedule.kind,
                schedule_id,
            )
            return
        runner(run)
        run.schedule.last_run_at = run.fired_at
        session.add(run.schedule)


def _due_run(session: Session, runtime: Runtime, schedule_id: int) -> ScheduleRun | None:
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


def _trigger(schedule: Schedule, project: Project) -> ScheduleTrigger:
    return ScheduleTrigger(
        schedule.spec,
        timezone=project.timezone,
        calendar=project.calendar,
        anchor=schedules.anchor_of(schedule, project),
    )
