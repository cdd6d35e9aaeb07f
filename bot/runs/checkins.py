"""Check-ins' scheduled work: posting a run with its button, and the next day's follow-up."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from bot.delivery import enqueue
from bot.runtime import Runtime
from bot.services import checkins
from bot.views import checkins as views
from storage.models import Schedule

if TYPE_CHECKING:
    from bot.jobs import ScheduleRun

log = logging.getLogger(__name__)

# The outbox key of a run's post (`bot.jobs.run_key`): replies go in its thread.
PostKey = Callable[[Schedule, datetime], str]


def post_checkin(run: ScheduleRun) -> None:
    """One run of a check-in: its record, and its post with the Record check-in button."""
    checkin = checkins.open_run(session=run.session, schedule=run.schedule, run_at=run.fired_at)
    measures = checkins.measures_of(session=run.session, project=run.project)
    enqueue(
        run.session,
        key=run.key,
        team_id=run.project.team_id,
        channel_id=run.project.channel_id,
        message=views.checkin_post(checkin, measures),
    )


def follow_up_checkins(runtime: Runtime, *, post_key: PostKey) -> int:
    """A day after each run, one reply in its thread naming the groups not yet heard from."""
    with runtime.transaction() as session:
        due = checkins.follow_ups_due(session=session, now=runtime.clock())
        for follow_up in due:
            if not follow_up.missing:
                continue  # every group has answered: nothing to chase
            enqueue(
                session,
                key=f"checkin-followup:{follow_up.run.id}",
                team_id=follow_up.project.team_id,
                channel_id=follow_up.project.channel_id,
                message=views.follow_up(follow_up.missing),
                thread_key=post_key(follow_up.schedule, follow_up.run.run_at),
            )
    if due:
        log.info("followed up %d check-in runs", len(due))
    return len(due)
