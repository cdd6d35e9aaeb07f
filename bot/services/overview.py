"""What a project looks like right now: for `/plan`, the App Home tab and the digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from bot.services import schedules
from bot.services.projects import projects_of
from bot.services.stages import Progress, list_stages
from storage.models import Concern, ConcernStatus, Project, ScheduleKind, Stage, StageStatus

STILL_OPEN = (ConcernStatus.OPEN, ConcernStatus.ACKNOWLEDGED)


@dataclass(frozen=True)
class Overview:
    project: Project
    stages: list[Stage]
    open_concerns: list[Concern]
    next_checkin: datetime | None

    @property
    def progress(self) -> Progress:
        done = sum(stage.status == StageStatus.DONE for stage in self.stages)
        return Progress(done=done, total=len(self.stages))

    @property
    def next_due(self) -> list[Stage]:
        """The unfinished stages that have a due date, soonest first."""
        due = [s for s in self.stages if s.status != StageStatus.DONE and s.due_on is not None]
        return sorted(due, key=lambda stage: (stage.due_on, stage.position))


def overview_of(*, session: Session, project: Project, now: datetime) -> Overview:
    return Overview(
        project=project,
        stages=list_stages(session=session, project=project),
        open_concerns=open_concerns(session=session, project=project),
        next_checkin=next_checkin(session=session, project=project, after=now),
    )


def overviews_for(*, session: Session, team_id: str, user_id: str, now: datetime) -> list[Overview]:
    """The overview of every project the user is a partner in: the App Home tab."""
    return [
        overview_of(session=session, project=project, now=now)
        for project in projects_of(session=session, team_id=team_id, user_id=user_id)
    ]


def open_concerns(*, session: Session, project: Project) -> list[Concern]:
    query = (
        select(Concern)
        .where(Concern.project_id == project.id, col(Concern.status).in_(STILL_OPEN))
        .order_by(col(Concern.created_at))
    )
    return list(session.exec(query))


def next_checkin(*, session: Session, project: Project, after: datetime) -> datetime | None:
    """The next run of any of the project's check-ins, or None when none is scheduled."""
    runs = [
        schedules.next_run_of(schedule, project, after=after)
        for schedule in schedules.schedules_of(
            session=session, project=project, kind=ScheduleKind.CHECKIN
        )
    ]
    upcoming = [run for run in runs if run is not None]
    return min(upcoming) if upcoming else None
