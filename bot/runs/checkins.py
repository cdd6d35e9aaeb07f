"""Check-ins' scheduled work: posting a run with its button, and the next day's follow-up."""

from __future__ import annotations

import logging

from sqlmodel import Session

from bot.posts import checkins as posts
from bot.runs.scheduled import ScheduleRun
from bot.runtime import Runtime
from bot.services import checkins, feedback_links
from bot.services.checkins import FollowUp
from bot.views import addresses
from storage.models import Role

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
                page = _feedback_page(runtime, session, follow_up)
                posts.follow_up(session, follow_up, feedback_page=page)
    if due:
        log.info("followed up %d check-in runs", len(due))
    return len(due)


def _feedback_page(runtime: Runtime, session: Session, due: FollowUp) -> str | None:
    """Where service users can still answer, when the run has not heard from them."""
    if Role.SERVICE_USER not in due.missing:
        return None
    token = feedback_links.open_token(session=session, project=due.project)
    return addresses.feedback_page(runtime.settings.public_base, token) if token else None
