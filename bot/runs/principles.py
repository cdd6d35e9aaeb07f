"""Principle reminders: each run posts the next principle in turn, with a concern button."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.delivery import enqueue
from bot.services import principles
from bot.views import principles as views

if TYPE_CHECKING:
    from bot.jobs import ScheduleRun

log = logging.getLogger(__name__)


def post_principle_reminder(run: ScheduleRun) -> None:
    """One run: the schedule's next principle, posted once; the rotation moves on only then."""
    due = principles.next_reminder(session=run.session, project=run.project, schedule=run.schedule)
    if due is None:
        log.info("project %s has no principles: reminder %s posts nothing", run.project.id, run.key)
        return
    posted = enqueue(
        run.session,
        key=run.key,
        team_id=run.project.team_id,
        channel_id=run.project.channel_id,
        message=views.reminder(due),
    )
    if posted:
        principles.advance_rotation(session=run.session, schedule=run.schedule)
