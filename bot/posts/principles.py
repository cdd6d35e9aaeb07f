"""The principles in the channel: a reminder run's principle, and a changed set."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.delivery import enqueue
from bot.posts.scheduled import run_key
from bot.services.principles import PrinciplesEdit, Reminder
from bot.views import principles as views
from storage.models import Project, Schedule


def post_reminder(
    session: Session, project: Project, schedule: Schedule, fired_at: datetime, due: Reminder
) -> bool:
    """One run's principle; False when this run's reminder was written before."""
    return enqueue(
        session,
        key=run_key(schedule, fired_at),
        team_id=project.team_id,
        channel_id=project.channel_id,
        message=views.reminder(due),
    )


def announce_edit(
    session: Session, project: Project, edit: PrinciplesEdit, *, by: str, request_id: str
) -> None:
    """The new set, and the ask to agree again: once per saved form."""
    enqueue(
        session,
        key=f"principles:edited:{project.id}:{request_id}",
        team_id=project.team_id,
        channel_id=project.channel_id,
        message=views.principles_changed(edit, by=by),
    )
