"""The action plan's stages: adding, starting, completing and reopening them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func
from sqlmodel import Session, col, select

from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.services.partners import (
    Side,
    is_lead,
    join_as_staff,
    leads,
    partner_of,
    require_lead,
    signers,
    signing_side,
)
from storage.db import insert_row, insert_values, query_rows, update_row
from storage.models import (
    Feedback,
    FeedbackLink,
    LinkState,
    Project,
    Schedule,
    SignoffMode,
    Stage,
    StageHistory,
    StageHistoryKind,
    StageSignoff,
    StageStatus,
    saved_id,
)
from storage.types import utcnow

Clock = Callable[[], datetime]
MAX_TITLE = 200


@dataclass(frozen=True)
class Progress:
    """How far the plan has come: "3 of 7 stages, 43%"."""

    done: int
    total: int

    @property
    def percent(self) -> int:
        """To the nearest whole number, halves up (5 of 8 is 63 %, 3 of 7 is 43 %); but
        only the whole plan is 100 % and only none of it 0 %, so that 199 of 200 does not
        read as finished, nor 1 of 300 as not started."""
        if not self.total:
            return 0
        nearest = (200 * self.done + self.total) // (2 * self.total)
        if 0 < self.done < self.total:
            return min(max(nearest, 1), 99)
        return nearest

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


@dataclass(frozen=True)
class AwaitingSignoff:
    """One side has confirmed a stage under joint sign-off; the other side has not yet."""

    project: Project
    stage: Stage
    round: int
    confirmed: StageSignoff
    # Who can give the other side's confirmation, so that the channel knows whom to ask.
    can_confirm: tuple[str, ...]

    @property
    def waiting_for(self) -> Side:
        return Side(self.confirmed.side).other


# The statements every stage command runs, built once: building one costs about as much as
# running it. Each takes the project's id as `project_id`.
_HOLD_PROJECT = select(Project.id).where(Project.id == bindparam("project_id")).with_for_update()
_LAST_POSITION = select(func.max(Stage.position)).where(Stage.project_id == bindparam("project_id"))
_PROGRESS = select(func.count(), func.count().filter(col(Stage.status) == StageStatus.DONE)).where(
    Stage.project_id == bindparam("project_id")
)
_STAGE = select(Stage).where(
    Stage.project_id == bindparam("project_id"), Stage.position == bindparam("position")
)
_LOCKED_STAGE = _STAGE.with_for_update()


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
    _check_title(title)
    # Stages are numbered in order: hold the project while taking the next number,
    # so two stages added at once cannot both take it.
    held = {"project_id": project.id}
    query_rows(session, _HOLD_PROJECT, held).one()
    last = query_rows(session, _LAST_POSITION, held).scalar_one()
    stage = Stage(
        project_id=saved_id(project),
        position=(last or 0) + 1,
        title=title,
        due_on=due_on,
        owner_id=owner_id,
        created_by=by,
    )
    insert_row(session, stage)
    if owner_id is not None:
        join_as_staff(session=session, project=project, user_id=owner_id)
    return stage


def list_stages(*, session: Session, project: Project) -> list[Stage]:
    query = select(Stage).where(Stage.project_id == project.id).order_by(col(Stage.position))
    return list(session.exec(query))


def progress_of(*, session: Session, project: Project) -> Progress:
    """Counted in the database: a celebration should not load a long plan to say "3 of 7"."""
    total, finished = tuple(query_rows(session, _PROGRESS, {"project_id": project.id}).one())
    return Progress(done=finished, total=total)


def start_stage(
    *, session: Session, project: Project, number: int, by: str, clock: Clock = utcnow
) -> Stage:
    stage = _stage(session, project, number, lock=True)
    _require_owner_or_lead(session, project, stage, by, action="start")
    if stage.status == StageStatus.DONE:
        raise InvalidInput(f"Stage {number} is already done; `/stage reopen {number}` first.")
    if stage.status == StageStatus.PLANNED:
        update_row(session, stage, status=StageStatus.IN_PROGRESS, started_at=clock())
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
    side = signing_side(partner_of(session=session, project=project, user_id=by))
    able = signers(session=session, project=project)
    if side is None:
        raise NotAllowed(
            f"Stage {stage.position} needs joint sign-off: one partner of the management side "
            "(or a lead who is not of the union side) and one of the union side each confirm it.",
            ask=able[Side.MANAGEMENT] + able[Side.UNION],
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
        others = tuple(user for user in able[side.other] if user != by)
        return AwaitingSignoff(
            project=project, stage=stage, round=round_, confirmed=confirmation, can_confirm=others
        )
    agreed_outcome = outcome or confirmations[0].outcome
    return _complete(session, project, stage, by, agreed_outcome, clock)


def _complete(
    session: Session, project: Project, stage: Stage, by: str, outcome: str | None, clock: Clock
) -> Completion:
    completed_at = clock()
    update_row(
        session,
        stage,
        status=StageStatus.DONE,
        completed_at=completed_at,
        completed_by=by,
        outcome=outcome,
        completions=stage.completions + 1,
    )
    _record(session, stage, StageHistoryKind.COMPLETED, by, completed_at, outcome)
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


def reopen_stage(
    *, session: Session, project: Project, number: int, by: str, clock: Clock = utcnow
) -> Stage:
    """Undo a completion; the history keeps it, and who reopened the stage when."""
    stage = _stage(session, project, number, lock=True)
    _require_owner_or_lead(session, project, stage, by, action="reopen")
    if stage.status != StageStatus.DONE:
        raise InvalidInput(f"Stage {number} is not done, so there is nothing to reopen.")
    update_row(session, stage, status=StageStatus.IN_PROGRESS, completed_at=None, completed_by=None)
    _record(session, stage, StageHistoryKind.REOPENED, by, clock(), None)
    return stage


def _record(
    session: Session,
    stage: Stage,
    kind: StageHistoryKind,
    by: str,
    at: datetime,
    outcome: str | None,
) -> None:
    insert_values(
        session,
        StageHistory,
        {
            "stage_id": saved_id(stage),
            "round": stage.completions,
            "kind": kind,
            "user_id": by,
            "outcome": outcome,
            "at": at,
        },
    )


def history_of(*, session: Session, project: Project) -> list[tuple[StageHistory, Stage]]:
    """Every completion and reopening of the project's stages, oldest first."""
    query = (
        select(StageHistory, Stage)
        .join(Stage, col(Stage.id) == col(StageHistory.stage_id))
        .where(Stage.project_id == project.id)
        .order_by(col(StageHistory.at), col(StageHistory.id))
    )
    return [(entry, stage) for entry, stage in session.exec(query)]


def retitle_stage(*, session: Session, project: Project, number: int, by: str, title: str) -> Stage:
    stage = _stage(session, project, number, lock=True)
    _require_owner_or_lead(session, project, stage, by, action="edit")
    _check_title(title)
    stage.title = title
    session.add(stage)
    return stage


def set_stage_due(
    *, session: Session, project: Project, number: int, by: str, due_on: date | None
) -> Stage:
    """A new due date (or none) may earn a new nudge when it passes."""
    stage = _stage(session, project, number, lock=True)
    _require_owner_or_lead(session, project, stage, by, action="edit")
    stage.due_on = due_on
    stage.overdue_nudged_at = None
    session.add(stage)
    return stage


def set_stage_owner(
    *, session: Session, project: Project, number: int, by: str, owner_id: str | None
) -> Stage:
    stage = _stage(session, project, number, lock=True)
    _require_owner_or_lead(session, project, stage, by, action="edit")
    stage.owner_id = owner_id
    session.add(stage)
    if owner_id is not None:
        join_as_staff(session=session, project=project, user_id=owner_id)
    return stage


def move_stage(*, session: Session, project: Project, number: int, to: int, by: str) -> Stage:
    """Move stage `number` to position `to`; the stages between shift by one."""
    require_lead(session=session, project=project, user_id=by, action="reorder the plan")
    plan = _locked_plan(session, project)
    stage = _stage(session, project, number)
    if not 1 <= to <= len(plan):
        raise InvalidInput(f"There is no position {to}: {_numbers_of(len(plan))}.")
    plan.remove(stage)
    plan.insert(to - 1, stage)
    _renumber(session, plan)
    return stage


def check_removal(*, session: Session, project: Project, number: int, by: str) -> Stage:
    """The stage `/stage remove N` would remove, if `by` may remove it: asked before confirming."""
    require_lead(session=session, project=project, user_id=by, action="remove stages")
    stage = _stage(session, project, number)
    if stage.status == StageStatus.DONE:
        raise InvalidInput(
            f"Stage {number} is done, and a done stage stays in the record. "
            f"To change it, `/stage reopen {number}` or `/stage edit {number} title TEXT`."
        )
    if stage.completions or _confirmations(session, stage, stage.completions + 1):
        raise InvalidInput(
            f"Stage {number} has been signed off or completed before, and that stays in the "
            f"record. Correct it with `/stage edit {number} title TEXT` instead."
        )
    return stage


def remove_stage(*, session: Session, project: Project, stage_id: int, by: str) -> Stage:
    """Remove a stage that is not done (confirmed by a button); the stages after it move up.

    Feedback about it stays, about the project as a whole; an impact check-in
    proposed for it stays, about no stage; its public feedback links, perhaps
    still on a poster, say they have been replaced. A stage with sign-offs or
    completions is never removed: its posts are keyed by its id, which SQLite
    may give to the next stage added.
    """
    plan = _locked_plan(session, project)
    stage = next((each for each in plan if each.id == stage_id), None)
    if stage is None:
        raise NotFound("That stage is no longer in the plan.")
    check_removal(session=session, project=project, number=stage.position, by=by)
    for feedback in session.exec(select(Feedback).where(Feedback.stage_id == stage_id)):
        feedback.stage_id = None
        session.add(feedback)
    for schedule in session.exec(select(Schedule).where(Schedule.stage_id == stage_id)):
        schedule.stage_id = None
        session.add(schedule)
    for link in session.exec(select(FeedbackLink).where(FeedbackLink.stage_id == stage_id)):
        link.stage_id, link.state = None, LinkState.REPLACED
        session.add(link)
    session.flush()
    session.delete(stage)
    session.flush()
    plan.remove(stage)
    _renumber(session, plan)
    return stage


def _locked_plan(session: Session, project: Project) -> list[Stage]:
    """Every stage of the plan in order, locked with the project so numbers stay put meanwhile."""
    session.exec(select(Project.id).where(Project.id == project.id).with_for_update()).one()
    query = select(Stage).where(Stage.project_id == project.id).order_by(col(Stage.position))
    return list(session.exec(query.with_for_update()))


def _renumber(session: Session, plan: list[Stage]) -> None:
    """Give the stages positions 1, 2, 3… in this order.

    Each position is unique in its project, checked row by row, so the stages
    that move first step aside to negative positions no stage holds.
    """
    moving = [(stage, n) for n, stage in enumerate(plan, start=1) if stage.position != n]
    for stage, _ in moving:
        stage.position = -stage.position
        session.add(stage)
    session.flush()
    for stage, number in moving:
        stage.position = number
        session.add(stage)
    session.flush()


def _check_title(title: str) -> None:
    if len(title) > MAX_TITLE:
        raise InvalidInput(
            f"A stage's title is at most {MAX_TITLE} characters; this one has {len(title):,}. "
            "Put the detail in the outcome when the stage is done, or in a thread."
        )


def get_stage(*, session: Session, project: Project, number: int) -> Stage:
    """Stage `number` of the plan; NotFound says which numbers there are."""
    return _stage(session, project, number)


def _stage(session: Session, project: Project, number: int, *, lock: bool = False) -> Stage:
    query = _LOCKED_STAGE if lock else _STAGE
    stage = session.exec(query, params={"project_id": project.id, "position": number}).first()
    if stage is not None:
        return stage
    count = session.exec(select(func.count()).where(Stage.project_id == project.id)).one()
    if count == 0:
        raise NotFound(
            f"There is no stage {number}: the plan has no stages yet. "
            "Add one with `/stage add TITLE`."
        )
    raise NotFound(f"There is no stage {number}: {_numbers_of(count)}.")


def _numbers_of(count: int) -> str:
    """Which stage numbers there are, said plainly: "the plan has only stage 1"."""
    if count == 1:
        return "the plan has only stage 1"
    return f"the plan has stages 1 to {count:,}"


def _require_owner_or_lead(
    session: Session, project: Project, stage: Stage, user_id: str, *, action: str
) -> None:
    if user_id == stage.owner_id or is_lead(session=session, project=project, user_id=user_id):
        return
    ask = leads(session=session, project=project)
    if stage.owner_id and stage.owner_id not in ask:
        ask = [stage.owner_id, *ask]
    raise NotAllowed(
        f"Only stage {stage.position}'s owner or a project lead can {action} it.", ask=ask
    )
