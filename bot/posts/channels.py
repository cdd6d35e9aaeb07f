"""What a lead is told, by direct message, when a channel refuses changebot's posts."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from bot.delivery import Unreachable, enqueue
from bot.views import channels as views
from storage.models import Project


def tell_lead_channel_lost(
    session: Session, project: Project, lost: Unreachable, *, lead: str, paused: int, today: date
) -> None:
    """Once a day per lead and error, however many posts fail."""
    enqueue(
        session,
        key=f"channel-lost:{lost.channel_id}:{lead}:{lost.error}:{today}",
        team_id=lost.team_id,
        channel_id=lead,
        message=views.channel_lost(project.name, lost.channel_id, lost.error, paused),
    )
