"""Principle reminders: each run posts the next principle in turn, with a concern button."""

from __future__ import annotations

import logging

from bot.posts import principles as posts
from bot.runs.scheduled import ScheduleRun
from bot.services import principles

log = logging.getLogger(__name__)


def post_principle_reminder(run: ScheduleRun) -> None:
    """One run: the schedule's next principle, posted once; the rotation moves on only then."""
    due = principles.next_reminder(session=run.session, project=run.project, schedule=run.schedule)
    if due is None:
        log.info("project %s has no principles: its reminder posts nothing", run.project.id)
        return
    if posts.post_reminder(run.session, run.project, run.schedule, run.fired_at, due):
        principles.advance_rotation(session=run.session, schedule=run.schedule)
