"""Keeping momentum: the overdue nudge to a stage's owner, and the progress digest."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.delivery import enqueue
from bot.posts.scheduled import run_key
from bot.services.momentum import Digest, OverdueStage
from bot.services.stages import Progress
from bot.views import momentum as views
from storage.models import Schedule


def nudge_owner(session: Session, overdue: OverdueStage) -> None:
    """One direct message to the owner, per due date the stage passes."""
    stage = overdue.stage
    enqueue(
        session,
        key=f"nudge:stage:{stage.id}:{stage.due_on}",
        team_id=overdue.project.team_id,
        channel_id=str(stage.owner_id),
        message=views.overdue_nudge(overdue.project, stage),
    )


def post_digest(
    session: Session, schedule: Schedule, fired_at: datetime, digest: Digest, progress: Progress
) -> None:
    enqueue(
        session,
        key=run_key(schedule, fired_at),
        team_id=digest.project.team_id,
        channel_id=digest.project.channel_id,
        message=views.digest(digest, progress),
    )
