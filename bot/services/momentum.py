"""Keeping momentum: nudging owners of overdue stages, and the recurring progress digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.parsing.schedule import ScheduleSpec
from bot.scheduling.calendar import is_working_day
from bot.services import schedules, you_said
from bot.services.erasure import FORMER_PARTNER
from bot.services.overview import next_checkin, open_concerns
from bot.services.partners import require_lead
from bot.services.stages import list_stages
from storage.models import (
    Concern,
    Feedback,
    Project,
    Schedule,
    ScheduleKind,
    Stage,
    StageStatus,
    YouSaidWeDid,
)

# Owners are nudged during the working day, not at midnight.
NUDGE_FROM = time(9, 0)


@dataclass(frozen=True)
class OverdueStage:
    project: Project
    stage: Stage


def overdue_to_nudge(*, session: Session, now: datetime) -> list[OverdueStage]:
    """Stages past their due date whose owner has not been nudged: on a working day, by day."""
    query = (
        select(Stage, Project)
        .join(Project, col(Project.id) == col(Stage.project_id))
        .where(
            col(Stage.due_on).is_not(None),
            col(Stage.due_on) < now.date() + timedelta(days=1),
            col(Stage.owner_id).is_not(None),
            # A forgotten owner has no one to message.
            ~col(Stage.owner_id).startswith(FORMER_PARTNER),
            col(Stage.overdue_nudged_at).is_(None),
            Stage.status != StageStatus.DONE,
        )
        .order_by(col(Stage.id))
    )
    return [
        OverdueStage(project, stage)
        for stage, project in session.exec(query)
        if _nudge_time(project, stage, now)
    ]


def _nudge_time(project: Project, stage: Stage, now: datetime) -> bool:
    local = now.astimezone(ZoneInfo(project.timezone))
    return (
        stage.due_on is not None
        and stage.due_on < local.date()
        and local.time() >= NUDGE_FROM
        and is_working_day(local.date(), project.calendar)
    )


def mark_nudged(*, session: Session, stage: Stage, now: datetime) -> None:
    stage.overdue_nudged_at = now
    session.add(stage)


def start_digest(
    *, session: Session, project: Project, by: str, spec: ScheduleSpec, now: datetime
) -> tuple[Schedule, list[Schedule]]:
    """The project's one digest, on a new schedule; returns it and the digests it replaces."""
    require_lead(session=session, project=project, user_id=by, action="schedule the digest")
    return schedules.replace_schedule(
        session=session,
        project=project,
        kind=ScheduleKind.DIGEST,
        spec=spec,
        by=by,
        noun="digest",
        clock=lambda: now,
    )


def stop_digest(*, session: Session, project: Project, by: str) -> list[Schedule]:
    require_lead(session=session, project=project, user_id=by, action="stop the digest")
    return schedules.cancel_all(
        session=session, project=project, kind=ScheduleKind.DIGEST, noun="digest"
    )


@dataclass(frozen=True)
class Digest:
    """What happened since the last digest, and what is waiting."""

    project: Project
    since: datetime
    completed: list[Stage]
    overdue: list[Stage]
    feedback_received: int
    open_concerns: list[Concern]
    next_checkin: datetime | None
    # "You said, we did" answers published since, newest first, and the page answers still
    # waiting for one.
    answered: list[YouSaidWeDid]
    waiting_for_response: int

    @property
    def first(self) -> bool:
        """The first digest covers everything since the project began."""
        return self.since <= self.project.created_at


def digest_of(*, session: Session, project: Project, since: datetime, now: datetime) -> Digest:
    stages = list_stages(session=session, project=project)
    today = now.astimezone(ZoneInfo(project.timezone)).date()
    feedback = session.exec(
        select(func.count())
        .select_from(Feedback)
        .where(Feedback.project_id == project.id, col(Feedback.created_at) >= since)
    ).one()
    return Digest(
        project=project,
        since=since,
        completed=[s for s in stages if s.completed_at is not None and s.completed_at >= since],
        overdue=[s for s in stages if _overdue(s, today)],
        feedback_received=feedback,
        open_concerns=open_concerns(session=session, project=project),
        next_checkin=next_checkin(session=session, project=project, after=now),
        answered=you_said.published_pairs(session=session, project=project, since=since),
        waiting_for_response=you_said.waiting_for_response(session=session, project=project),
    )


def _overdue(stage: Stage, today: date) -> bool:
    return stage.status != StageStatus.DONE and stage.due_on is not None and stage.due_on < today
