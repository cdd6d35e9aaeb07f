"""Check-ins' scheduled work: posting a run with its button, and the next day's follow-up."""

from __future__ import annotations

import logging

from bot.posts import checkins as posts
from bot.runs.scheduled import ScheduleRun
from bot.runtime import Runtime
from bot.services import checkins

log = logging.getLogger(__name__)


def post_checkin(run: ScheduleRun) -> None:
    """One run of a check-in: its record, and its post with the Record check-in button."""
    checkin = checkins.open_run(session=run.session, schedule=run.schedule, run_at=run.fired_at)
    measures = checkins.measures_of(session=run.session, project=run.project)
    posts.post_run(run.session, run.project, run.schedule, run.fired_at, checkin, measures)


def follow_up_checkins(runtime: Runtime) -> int:
    """A day after each run, one reply in its thread naming the groups not yet heard from."""
    with runtime.transaction() as session:
        due = checkins.follow_ups_due(session=session, now=runtime.clock())
        for follow_up in due:
            if follow_up.missing:  # every group has answered: nothing to chase
                posts.follow_up(session, follow_up)
    if due:
        log.info("followed up %d check-in runs", len(due))
    return len(due)
