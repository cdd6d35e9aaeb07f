"""The functions APScheduler calls, by importable reference, each given the runtime first.

Jobs have the shape of listeners: they call `bot.runs`, which call
services, render with the views and hand messages to `bot.posts`.
APScheduler only decides when. The runtime reaches every job through the
scheduler's executor (bot/scheduling/scheduler.py), never through a global.
"""

from __future__ import annotations

import logging
from datetime import UTC

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.runs import checkins as checkin_runs
from bot.runs import concerns as concern_runs
from bot.runs import housekeeping as housekeeping_runs
from bot.runs import momentum as momentum_runs
from bot.runs import schedules as schedule_runs
from bot.runtime import Runtime
from bot.scheduling import sync

log = logging.getLogger(__name__)

HOUSEKEEPING_JOB = "housekeeping:events"
REPLAY_HOUSEKEEPING_JOB = "housekeeping:replays"
PAGE_HIT_HOUSEKEEPING_JOB = "housekeeping:page-hits"
CHECKIN_FOLLOW_UP_JOB = "checkins:follow-up"
CONCERN_ESCALATION_JOB = "concerns:escalation"
OVERDUE_NUDGE_JOB = "stages:overdue-nudge"


def install(runtime: Runtime) -> None:
    """The standing jobs every deployment runs, and every schedule's job in step with its row."""
    scheduler = runtime.scheduler
    scheduler.add(
        HOUSEKEEPING_JOB,
        "bot.scheduling.jobs:forget_old_events",
        CronTrigger(hour=3, minute=17, timezone=UTC),
    )
    scheduler.add(
        REPLAY_HOUSEKEEPING_JOB,
        "bot.scheduling.jobs:forget_stale_requests",
        IntervalTrigger(minutes=5),
    )
    scheduler.add(
        PAGE_HIT_HOUSEKEEPING_JOB,
        "bot.scheduling.jobs:forget_page_hits",
        IntervalTrigger(minutes=1),
    )
    scheduler.add(
        CHECKIN_FOLLOW_UP_JOB,
        "bot.scheduling.jobs:follow_up_checkins",
        IntervalTrigger(minutes=10),
    )
    scheduler.add(
        CONCERN_ESCALATION_JOB,
        "bot.scheduling.jobs:escalate_concerns",
        IntervalTrigger(minutes=15),
    )
    scheduler.add(
        OVERDUE_NUDGE_JOB,
        "bot.scheduling.jobs:nudge_overdue_stages",
        IntervalTrigger(minutes=15),
    )
    sync.sync_all(engine=runtime.engine, scheduler=scheduler, now=runtime.clock())


def run_schedule(runtime: Runtime, schedule_id: int) -> None:
    """The one entry point for schedules: do the run that is due, once (`bot.runs.schedules`)."""
    schedule_runs.run_due(runtime, schedule_id)


def forget_old_events(runtime: Runtime) -> None:
    """Slack stops retrying an event within minutes: ids older than a day are dropped."""
    housekeeping_runs.forget_old_events(runtime)


def forget_stale_requests(runtime: Runtime) -> None:
    """Seen signatures are kept only while their requests could still arrive (five minutes)."""
    housekeeping_runs.forget_stale_requests(runtime)


def forget_page_hits(runtime: Runtime) -> None:
    """A sender's hashed address lasts a minute or two, not until the next post to its page."""
    housekeeping_runs.forget_page_hits(runtime)


def escalate_concerns(runtime: Runtime) -> None:
    """Concerns open for three working days remind the leads once (`bot.runs.concerns`)."""
    concern_runs.escalate_waiting_concerns(runtime)


def nudge_overdue_stages(runtime: Runtime) -> None:
    """Owners of stages past their due date get one direct message (`bot.runs.momentum`)."""
    momentum_runs.nudge_overdue_stages(runtime)


def follow_up_checkins(runtime: Runtime) -> None:
    """Check-in runs a day old get their one follow-up reply (`bot.runs.checkins`)."""
    checkin_runs.follow_up_checkins(runtime)
