"""The action plan's stages: adding, starting, completing and reopening them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.services.partners import join_as_staff, leads, require_lead, role_of
from storage.models import (
    Partner,
    Project,
    Role,
    SignoffMode,
    Stage,
    StageSignoff,
    StageStatus,
    saved_id,
)
from storage.types import utcnow

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Progress:
    """How far the plan has come: "3 of 7 stages, 43%"."""

    done: int
    total: int

    @property
    def percent(self) -> int:
        # Rounded down: 7 of 8 is not yet 88 % done, and only all of them is 100 %.
        return 100 * self.done // self.total if self.total else 0

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


class Side(StrEnum):
    """The two sides of a joint sign-off."""

    MANAGEMENT = "management"
    UNION = "union"

    @property
    def other(self) -> Side:
        return Side.UNION if self is Side.MANAGEMENT else Side.MANAGEMENT


SIDE_OF_ROLE = {
    Role.LEAD: Side.MANAGEMENT,
    Role.MANAGEMENT: Side.MANAGEMENT,
    Role.UNION: Side.UNION,
}


@dataclass(frozen=True)
class AwaitingSignoff:
    """One side has confirmed a stage under joint sign-off; the other side has not yet."""

    project: Project
    stage: Stage
    round: int
    confirmed: StageSignoff

    @property
    def waiting_for(self) -> Side:
        return Side(self.confirmed.side).other


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
    # Stages are numbered in order: hold the project while taking the next number,
    # so two stages added at once cannot both take it.
    session.exec(select(Project.id).where(Project.id == project.id).with_for_update()).one()
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
    if owner_id is not None:
        join_as_staff(session=session, project=project, user_id=owner_id)
    session.flush()
    return stage


def list_stages(*, session: Session, project: Project) -> list[Stage]:
    query = select(Stage).where(Stage.project_id == project.id).order_by(col(Stage.position))
    return list(session.exec(query))


def progress_of(*, session: Session, project: Project) -> Progress:
    """Counted in the database: a celebration should not load a long plan to say "3 of 7"."""
    done = func.count().filter(col(Stage.status) == StageStatus.DONE)
    query = select(func.count(), done).where(Stage.project_id == project.id)
    total, finished = session.exec(query).one()
    return Progress(done=finished, total=total)


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
) -> Completion | AwaitingSignoff:
    """Complete a stage, or under joint sign-off record one side's confirmation of it."""
    stage = _stage(session, project, number, lock=True)
    if stage.status == StageStatus.DONE:
        raise InvalidInput(
            f"Stage {number} is already done. To change its outcome, "
            f"`/stage reopen {number}` and complete it again."
        )
    if project.signoff_mode == SignoffMode.JOINT:
        return _confirm_side(session, project, stage, by, outcome, clock)
    _require_owner_or_lead(session, project, stage, by, action="complete")
    return _complete(session, project, stage, by, outcome, clock)


def confirm_signoff(
    *,
    session: Session,
    project: Project,
    stage_id: int,
    round_: int,
    by: str,
    clock: Clock = utcnow,
) -> Completion | AwaitingSignoff:
    """The other side's Confirm button on a stage waiting for joint sign-off."""
    stage = session.exec(
        select(Stage).where(Stage.id == stage_id, Stage.project_id == project.id).with_for_update()
    ).first()
    if stage is None:
        raise NotFound("That stage is no longer in the plan.")
    if stage.status == StageStatus.DONE or stage.completions + 1 != round_:
        raise InvalidInput(f"Stage {stage.position} has already been signed off.")
    return _confirm_side(session, project, stage, by, None, clock)


def _confirm_side(
    session: Session,
    project: Project,
    stage: Stage,
    by: str,
    outcome: str | None,
    clock: Clock,
) -> Completion | AwaitingSignoff:
    role = role_of(session=session, project=project, user_id=by)
    side = SIDE_OF_ROLE.get(role) if role is not None else None
    if side is None:
        raise NotAllowed(
            f"Stage {stage.position} needs joint sign-off: a management partner and a union "
            "partner each confirm it.",
            ask=_partners_on_sides(session, project),
        )
    round_ = stage.completions + 1
    confirmations = _confirmations(session, stage, round_)
    if any(c.user_id == by for c in confirmations):
        raise InvalidInput(
            f"You have already confirmed stage {stage.position}; the other side confirms it now."
        )
    if any(c.side == side for c in confirmations):
        raise InvalidInput(
            f"The {side} side has already confirmed stage {stage.position}; "
            f"it is waiting for the {side.other} side."
        )
    confirmation = StageSignoff(
        stage_id=saved_id(stage),
        round=round_,
        side=side,
        user_id=by,
        outcome=outcome,
        confirmed_at=clock(),
    )
    session.add(confirmation)
    session.flush()
    if not confirmations:
        return AwaitingSignoff(project=project, stage=stage, round=round_, confirmed=confirmation)
    agreed_outcome = outcome or confirmations[0].outcome
    return _complete(session, project, stage, by, agreed_outcome, clock)


def _complete(
    session: Session, project: Project, stage: Stage, by: str, outcome: str | None, clock: Clock
) -> Completion:
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


def signoffs_of(*, session: Session, stage: Stage, round_: int) -> list[StageSignoff]:
    """Who confirmed one completion round of a stage, first first."""
    return _confirmations(session, stage, round_)


def _confirmations(session: Session, stage: Stage, round_: int) -> list[StageSignoff]:
    query = (
        select(StageSignoff)
        .where(StageSignoff.stage_id == stage.id, StageSignoff.round == round_)
        .order_by(col(StageSignoff.confirmed_at), col(StageSignoff.id))
    )
    return list(session.exec(query))


def _partners_on_sides(session: Session, project: Project) -> list[str]:
    query = (
        select(Partner.user_id)
        .where(Partner.project_id == project.id, col(Partner.role).in_(list(SIDE_OF_ROLE)))
        .order_by(col(Partner.id))
    )
    return list(session.exec(query))


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


def get_stage(*, session: Session, project: Project, number: int) -> Stage:
    """Stage `number` of the plan; NotFound says which numbers there are."""
    return _stage(session, project, number)


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
