"""Scheduled jobs: the functions APScheduler calls, by importable reference.

APScheduler keeps jobs in the database as a reference (`bot.jobs:…`) and
picklable arguments, so a job cannot carry the runtime with it. The process
binds its runtime here when it starts (`bind`), and each job looks it up.
Jobs have the shape of listeners: call services, render with the views, hand
messages to delivery. APScheduler only decides when.
"""

from __future__ import annotations

import logging
from datetime import UTC

from apscheduler.triggers.cron import CronTrigger

from bot.runtime import Runtime
from bot.services import events

log = logging.getLogger(__name__)

_bound: Runtime | None = None

HOUSEKEEPING_JOB = "housekeeping:events"


def bind(runtime: Runtime) -> None:
    """Make `runtime` the one the jobs of this process use, and schedule housekeeping."""
    global _bound
    _bound = runtime
    runtime.scheduler.add(
        HOUSEKEEPING_JOB, "bot.jobs:forget_old_events", CronTrigger(hour=3, minute=17, timezone=UTC)
    )


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
