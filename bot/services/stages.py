"""The action plan's stages: adding, starting, completing and reopening them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.services.projects import leads, require_lead, role_of
from storage.models import Project, Role, Stage, StageStatus, saved_id
from storage.types import utcnow

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Progress:
    """How far the plan has come: "3 of 7 stages, 43%"."""

    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.total > 0 and self.done == self.total


@dataclass(frozen=True)
class Completion:
    """A stage just completed, with what the celebration needs to say."""

    project: Project
    stage: Stage
    progress: Progress
    # Which completion of the stage this is (1 the first time), fixed when it happened.
    round: int

    @property
    def again(self) -> bool:
        """Completed before, reopened and completed again: a short note, not a celebration."""
        return self.round > 1

    @property
    def announcement_key(self) -> str:
        return f"celebrate:stage:{self.stage.id}:{self.round}"


def today_in(project: Project, clock: Clock = utcnow) -> date:
    return clock().astimezone(ZoneInfo(project.timezone)).date()


def add_stage(
    *,
    session: Session,
    project: Project,
    by: str,
    title: str,
    due_on: date | None = None,
    owner_id: str | None = None,
) -> Stage:
    require_lead(session=session, project=project, user_id=by, action="add stages")
    last = session.exec(
        select(func.max(Stage.position)).where(Stage.project_id == project.id)
    ).one()
    stage = Stage(
        project_id=saved_id(project),
        position=(last or 0) + 1,
        title=title,
        due_on=due_on,
        owner_id=owner_id,
        created_by=by,
    )
    session.add(stage)
    session.flush()
    return stage


def list_stages(*, session: Session, project: Project) -> list[Stage]:
    query = select(Stage).where(Stage.project_id == project.id).order_by(col(Stage.position))
    return list(session.exec(query))


def progress_of(*, session: Session, project: Project) -> Progress:
    stages = list_stages(session=session, project=project)
    return Progress(done=sum(s.status == StageStatus.DONE for s in stages), total=len(stages))


def start_stage(
    *, session: Session, project: Project, number: int, by: str, clock: Clock = utcnow
) -> Stage:
    stage = _stage(session, project, number, lock=True)
    _require_owner_or_lead(session, project, stage, by, action="start")
    if stage.status == StageStatus.DONE:
        raise InvalidInput(f"Stage {number} is already done; `/stage reopen {number}` first.")
    if stage.status == StageStatus.PLANNED:
        stage.status = StageStatus.IN_PROGRESS
        stage.started_at = clock()
        session.add(stage)
    return stage


def complete_stage(
    *,
    session: Session,
    project: Project,
    number: int,
    by: str,
    outcome: str | None,
    clock: Clock = utcnow,
) -> Completion:
    stage = _stage(session, project, number, lock=True)
    _require_owner_or_lead(session, project, stage, by, action="complete")
    if stage.status == StageStatus.DONE:
        raise InvalidInput(
            f"Stage {number} is already done. To change its outcome, "
            f"`/stage reopen {number}` and complete it again."
        )
    stage.status = StageStatus.DONE
    stage.completed_at = clock()
    stage.completed_by = by
    stage.outcome = outcome
    stage.completions += 1
    session.add(stage)
    session.flush()
    return Completion(
        project=project,
        stage=stage,
        progress=progress_of(session=session, project=project),
        round=stage.completions,
    )


def reopen_stage(*, session: Session, project: Project, number: int, by: str) -> Stage:
    stage = _stage(session, project, number, lock=True)
    _require_owner_or_lead(session, project, stage, by, action="reopen")
    if stage.status != StageStatus.DONE:
        raise InvalidInput(f"Stage {number} is not done, so there is nothing to reopen.")
    stage.status = StageStatus.IN_PROGRESS
    stage.completed_at = None
    stage.completed_by = None
    session.add(stage)
    return stage


def _stage(session: Session, project: Project, number: int, *, lock: bool = False) -> Stage:
    query = select(Stage).where(Stage.project_id == project.id, Stage.position == number)
    stage = session.exec(query.with_for_update() if lock else query).first()
    if stage is not None:
        return stage
    count = session.exec(select(func.count()).where(Stage.project_id == project.id)).one()
    if count == 0:
        raise NotFound(
            f"There is no stage {number}: the plan has no stages yet. "
            "Add one with `/stage add TITLE`."
        )
    raise NotFound(f"There is no stage {number}: the plan has stages 1 to {count}.")


def _require_owner_or_lead(
    session: Session, project: Project, stage: Stage, user_id: str, *, action: str
) -> None:
    if user_id == stage.owner_id:
        return
    if role_of(session=session, project=project, user_id=user_id) == Role.LEAD:
        return
    ask = leads(session=session, project=project)
    if stage.owner_id and stage.owner_id not in ask:
        ask = [stage.owner_id, *ask]
    raise NotAllowed(
        f"Only stage {stage.position}'s owner or a project lead can {action} it.", ask=ask
    )
